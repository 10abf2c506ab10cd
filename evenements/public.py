"""What other apps may ask of the events app, without importing its internals.

None of these ever returns a draft (``Evenement.objects.public()``, or published only).
"""

import datetime as dt

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from .models import Evenement, Inscription


def events_attended_by(user):
    """Events that have started, to which the user was confirmed and not marked absent."""
    if not getattr(user, "is_authenticated", False):
        return Evenement.objects.none()
    mine = (
        Inscription.objects.filter(user=user, status=Inscription.Status.CONFIRMEE)
        .exclude(attended=False)
        .values("evenement_id")
    )
    return (
        Evenement.objects.public()
        .filter(pk__in=mine, starts_at__lte=timezone.now())
        .order_by("-starts_at")
    )


# How far back an event may still be named as the place where something was said.
CITABLE_DAYS = 180


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _recent_q() -> Q:
    """Published events of the last months that have begun today or before."""
    return Q(
        status=Evenement.Status.PUBLIE,
        starts_at__gte=timezone.now() - dt.timedelta(days=CITABLE_DAYS),
        starts_at__lt=_start_of(timezone.localdate() + dt.timedelta(days=1)),
    )


def recent_events(limit: int = 50):
    """Events an expression may come from, newest first (the choices of the forms)."""
    return Evenement.objects.filter(_recent_q()).order_by("-starts_at")[:limit]


def events_today_first(limit: int = 50) -> tuple[list, list]:
    """The recent events as a field entry offers them: ``(today, earlier)``.

    ``today`` holds those taking place today (begun or to begin today, or begun on an earlier
    day and not over yet): the ones under way first, then the others of the day, nearest
    first. ``earlier`` holds the others, newest first. Their quartiers are prefetched.
    """
    start_of_today = _start_of(timezone.localdate())
    events = list(
        Evenement.objects.filter(_recent_q())
        .annotate(is_today=Case(When(ends_at__gte=start_of_today, then=Value(0)), default=Value(1)))
        .order_by("is_today", "-starts_at", "pk")
        .prefetch_related("quartiers")[:limit]
    )
    now = timezone.now()
    today = sorted(
        (event for event in events if event.ends_at >= start_of_today),
        key=lambda event: (
            not event.starts_at <= now < event.ends_at,
            abs((event.starts_at - now).total_seconds()),
        ),
    )
    return today, [event for event in events if event.ends_at < start_of_today]


def is_citable(evenement, user) -> bool:
    """Whether an expression of ``user`` may say it comes from ``evenement``: one of the
    recent events, or one ``user`` attended. An event still to come, cancelled or long past
    is no place where something was said."""
    return (
        Evenement.objects.filter(pk=evenement.pk)
        .filter(_recent_q() | Q(pk__in=events_attended_by(user).values("pk")))
        .exists()
    )


def event_titles(pks) -> list[tuple[int, str]]:
    """``[(pk, title)]`` of these events, for a filter that names the one chosen (never a
    draft: no expression comes from one)."""
    return list(
        Evenement.objects.public().filter(pk__in=pks).order_by("title").values_list("pk", "title")
    )


def events_held_by_objectif(objectifs, start: dt.datetime, end: dt.datetime) -> dict[int, list]:
    """``{objectif pk: [event, …]}``: the events held between ``start`` and ``end`` (published,
    not cancelled, ended in the period) linked to these objectives (ids or a queryset), in
    date order; one query. Each event carries ``pk``, ``title``, ``kind`` and ``starts_at``."""
    links = (
        Evenement.objectifs.through.objects.filter(
            objectif__in=objectifs,
            evenement__status=Evenement.Status.PUBLIE,
            evenement__ends_at__gte=start,
            evenement__ends_at__lt=end,
        )
        .select_related("evenement")
        .only(
            "objectif_id",
            "evenement__id",
            "evenement__title",
            "evenement__kind",
            "evenement__starts_at",
        )
        .order_by("evenement__starts_at", "evenement__pk")
    )
    held: dict[int, list] = {}
    for link in links:
        held.setdefault(link.objectif_id, []).append(link.evenement)
    return held
