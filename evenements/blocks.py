"""The events' parts of the shared pages (home, quartier, « Mon espace », « Espace
référent »), registered in ``AppConfig.ready``.

Each provider runs a fixed number of queries: the events (with places taken) and their
quartiers in one prefetch; her registrations with their events in one; the référent's
counts in one, and each of her three short lists in one (two with its quartiers).
"""

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core import hooks
from participation.territory.models import Quartier

from . import undo
from .cards import CARD_FIELDS, event_cards
from .filters import mine_first
from .models import Evenement, Inscription
from .rules import managed_events

HOME_LIMIT = 4
QUARTIER_LIMIT = 5
MY_SPACE_LIMIT = 10
REFERENT_LIMIT = 5
MEDIATION_LIMIT = 6
# Where the events come on the « Espace référent »: first, as they are most of her week.
REFERENT_ORDER = 10


def _coming():
    return (
        Evenement.objects.published()
        .upcoming()
        .only(*CARD_FIELDS)
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
                    "cards": event_cards(events),
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
    block = hooks.Block(
        "evenements/_home_events.html", {"events": events, "cards": event_cards(events)}, order=20
    )
    return {"blocks": [block]}


def mediation_block(request, **objects):
    """The next permanences de médiation, where a resident meets a mediator in person."""
    # Those of a resident's own quartier first (marked « votre quartier »), then the others.
    events = list(
        mine_first(_coming().filter(kind=Evenement.Kind.PERMANENCE), request.user)[:MEDIATION_LIMIT]
    )
    context = {
        "events": events,
        "cards": event_cards(events),
        "list_url": reverse("evenements:list") + f"?type={Evenement.Kind.PERMANENCE}",
    }
    return {"blocks": [hooks.Block("evenements/_mediation_permanences.html", context, order=20)]}


def _is_news(inscription: Inscription, seen_at) -> bool:
    """A place freed for her (the waiting list served her), or her event cancelled, after
    ``seen_at`` (None: never seen)."""
    event = inscription.evenement
    moments = [event.cancelled_at if event.is_cancelled else None]
    if inscription.confirmed_at and inscription.confirmed_at > inscription.requested_at:
        moments.append(inscription.confirmed_at)
    return any(moment and (seen_at is None or moment > seen_at) for moment in moments)


def my_space_block(request, seen_at=None, **objects):
    """« Mon espace »: her coming registrations, soonest first, and the ones she has just
    cancelled (« Annuler l'annulation »), in one query."""
    cancelled = Q(status=Inscription.Status.ANNULEE)
    rows = list(
        Inscription.objects.filter(user=request.user)
        .filter((~cancelled & Q(evenement__ends_at__gte=timezone.now())) | undo.undoable_q(request))
        .select_related("evenement")
        # The undo offers first, so that the limit never hides one.
        .order_by(Case(When(cancelled, then=0), default=1), "evenement__starts_at", "pk")[
            : MY_SPACE_LIMIT + undo.MAX_OFFERS
        ]
    )
    undoable = [row for row in rows if row.status == Inscription.Status.ANNULEE]
    coming = [row for row in rows if row.status != Inscription.Status.ANNULEE][:MY_SPACE_LIMIT]
    for inscription in coming:
        inscription.is_new = _is_news(inscription, seen_at)
    context = {"coming": coming, "undoable": undoable}
    return {"blocks": [hooks.Block("evenements/_my_space_inscriptions.html", context, order=20)]}


def _quartiers():
    return Prefetch("quartiers", queryset=Quartier.objects.only("slug", "short_name", "name"))


def referent_block(request, **objects):
    """« Espace référent »: drafts to finish, the next events, those with a waiting list, of
    her communes (``evenements.rules.managed_events``)."""
    now = timezone.now()
    events = managed_events(request.user, Evenement.objects.all())
    coming = Q(status=Evenement.Status.PUBLIE, ends_at__gte=now)
    waiting = Inscription.objects.filter(
        evenement=OuterRef("pk"), status=Inscription.Status.ATTENTE
    )
    counts = events.aggregate(
        drafts=Count("pk", filter=Q(status=Evenement.Status.BROUILLON)),
        coming=Count("pk", filter=coming),
        waiting=Count("pk", filter=coming & Q(Exists(waiting))),
    )
    drafts = list(
        events.drafts().prefetch_related(_quartiers()).order_by("starts_at", "pk")[:REFERENT_LIMIT]
    )
    next_events = list(
        events.filter(coming)
        .prefetch_related(_quartiers())
        .order_by("starts_at", "pk")[:REFERENT_LIMIT]
    )
    with_waiting = list(
        events.filter(coming)
        .annotate(
            waiting=Count("inscriptions", filter=Q(inscriptions__status=Inscription.Status.ATTENTE))
        )
        .filter(waiting__gt=0)
        .order_by("starts_at", "pk")[:REFERENT_LIMIT]
    )
    section = {
        "id": "evenements",
        "title": _("Événements"),
        "summary": _("%(coming)s à venir · %(drafts)s brouillon(s) · %(waiting)s avec attente")
        % counts,
    }
    context = {
        "section": section,
        "counts": counts,
        "drafts": drafts,
        "next_events": next_events,
        "with_waiting": with_waiting,
    }
    return {
        "blocks": [hooks.Block("evenements/_referent_events.html", context, order=REFERENT_ORDER)]
    }


def register() -> None:
    hooks.register("referent", referent_block)
    hooks.register("quartier", quartier_block)
    hooks.register("home", home_block)
    hooks.register("my_space", my_space_block)
    hooks.register("mediation", mediation_block)
