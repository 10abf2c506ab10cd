"""The referential's part of the « Espace référent » (hooks page ``referent``): its quartiers,
the avenants « en cours », the last changes, and the links to edit them; how residents reach
each of her communes' mediators. Four queries."""

from django.db.models import Count

from participation.accounts import scope
from participation.core import hooks

from .models import Avenant, Commune, Quartier, ReferentielChange

REFERENT_CHANGES = 5
# After the events, consultations and instances: the referential changes a few times a year.
REFERENT_ORDER = 70
# Last: set once, changed when the mediators move.
MEDIATION_ORDER = 80


def referent_block(request, **objects) -> dict:
    """For a référent given communes, her quartiers and their changes (those of no quartier,
    the enjeux, too); the avenants concern every commune."""
    user = request.user
    changes = scope.by_quartier(
        user,
        ReferentielChange.objects.select_related("actor", "avenant", "quartier"),
        or_none=True,
    )
    context = {
        "quartiers": list(
            scope.by_quartier(user, Quartier.objects.all(), "id")
            .order_by("position", "name")
            .only("slug", "name", "short_name")
        ),
        "avenants": list(
            Avenant.objects.filter(in_progress=True).annotate(change_count=Count("changes"))
        ),
        "changes": list(changes[:REFERENT_CHANGES]),
        "platform_wide": scope.is_platform_wide(user),
    }
    communes = (
        scope.by_commune(user, Commune.objects.filter(quartiers_portes__isnull=False), "id")
        .distinct()
        .order_by("name")
    )
    return {
        "blocks": [
            hooks.Block("territory/blocks/referent.html", context, order=REFERENT_ORDER),
            hooks.Block(
                "territory/blocks/referent_mediation.html",
                {"communes": list(communes)},
                order=MEDIATION_ORDER,
            ),
        ]
    }


def register() -> None:
    hooks.register("referent", referent_block)
