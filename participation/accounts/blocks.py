"""What accounts add to the « Espace référent » (participation.core.hooks, page ``referent``)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participation.core.hooks import Block

from . import scope
from .models import Role, User


def referent_provider(request, **objects) -> dict:
    """How many accounts hold each staff role (for a référent given communes, in her
    communes), in one query, and the way to the roles page."""
    live = scope.accounts_within(
        request.user, User.objects.filter(deleted_at__isnull=True, is_active=True)
    )
    counts = live.aggregate(
        referents=Count("pk", filter=Q(role=Role.REFERENT)),
        mediateurs=Count("pk", filter=Q(role=Role.MEDIATEUR)),
        comite=Count("pk", filter=Q(role=Role.COMITE)),
    )
    summary = ", ".join(
        [
            ngettext("%(count)d référent·e", "%(count)d référent·es", counts["referents"])
            % {"count": counts["referents"]},
            ngettext("%(count)d médiateur·rice", "%(count)d médiateur·rices", counts["mediateurs"])
            % {"count": counts["mediateurs"]},
            ngettext(
                "%(count)d membre d'instance", "%(count)d membres d'instance", counts["comite"]
            )
            % {"count": counts["comite"]},
        ]
    )
    section = {"id": "roles", "title": _("Comptes et rôles"), "summary": summary}
    return {
        "blocks": [
            Block("accounts/blocks/referent_roles.html", {**counts, "section": section}, order=60)
        ]
    }
