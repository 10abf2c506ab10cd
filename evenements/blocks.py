"""The events' parts of the shared pages (home, quartier), registered in ``AppConfig.ready``.

Each provider runs a fixed number of queries: the events (with places taken) and their
quartiers in one prefetch.
"""

from django.db.models import Prefetch
from django.urls import reverse

from participation.core import hooks
from participation.territory.models import Quartier

from .filters import mine_first
from .models import Evenement

HOME_LIMIT = 4
QUARTIER_LIMIT = 5


def _coming():
    return (
        Evenement.objects.published()
        .upcoming()
        .with_places()
        .prefetch_related(
            Prefetch("quartiers", queryset=Quartier.objects.only("slug", "short_name", "name"))
        )
    )


def quartier_block(request, quartier=None, **objects):
    if quartier is None:
        return {}
    events = list(_coming().filter(quartiers=quartier).order_by("starts_at", "pk")[:QUARTIER_LIMIT])
    return {
        "blocks": [
            hooks.Block(
                "evenements/_quartier_events.html",
                {
                    "events": events,
                    "quartier": quartier,
                    "feed_url": reverse("evenements:feed_quartier", kwargs={"slug": quartier.slug}),
                    "list_url": reverse("evenements:list") + f"?quartier={quartier.slug}",
                },
                order=30,
            )
        ]
    }


def home_block(request, **objects):
    events = list(mine_first(_coming(), request.user)[:HOME_LIMIT])
    return {"blocks": [hooks.Block("evenements/_home_events.html", {"events": events}, order=20)]}


def register() -> None:
    hooks.register("quartier", quartier_block)
    hooks.register("home", home_block)
