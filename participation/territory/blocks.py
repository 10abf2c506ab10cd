"""The referential's part of the « Espace référent » (hooks page ``referent``): its quartiers,
the avenants « en cours », the last changes, and the links to edit them. Three queries."""

from django.db.models import Count

from participation.core import hooks

from .models import Avenant, Quartier, ReferentielChange

REFERENT_CHANGES = 5
# After the events, consultations and instances: the referential changes a few times a year.
REFERENT_ORDER = 70


def referent_block(request, **objects) -> dict:
    context = {
        "quartiers": list(
            Quartier.objects.order_by("position", "name").only("slug", "name", "short_name")
        ),
        "avenants": list(
            Avenant.objects.filter(in_progress=True).annotate(change_count=Count("changes"))
        ),
        "changes": list(
            ReferentielChange.objects.select_related("actor", "avenant", "quartier")[
                :REFERENT_CHANGES
            ]
        ),
    }
    return {
        "blocks": [hooks.Block("territory/blocks/referent.html", context, order=REFERENT_ORDER)]
    }


def register() -> None:
    hooks.register("referent", referent_block)
