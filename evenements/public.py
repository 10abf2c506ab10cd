"""What other apps may ask of the events app, without importing its internals."""

import datetime as dt

from django.db.models import Q
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
    return Evenement.objects.filter(pk__in=mine, starts_at__lte=timezone.now()).order_by(
        "-starts_at"
    )


# How far back an event may still be named as the place where something was said.
CITABLE_DAYS = 180


def _recent_q() -> Q:
    """Published events of the last months that have begun today or before."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start_of_tomorrow = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    return Q(
        status=Evenement.Status.PUBLIE,
        starts_at__gte=timezone.now() - dt.timedelta(days=CITABLE_DAYS),
        starts_at__lt=start_of_tomorrow,
    )


def recent_events(limit: int = 50):
    """Events an expression may come from, newest first (the choices of the forms)."""
    return Evenement.objects.filter(_recent_q()).order_by("-starts_at")[:limit]


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
    """``[(pk, title)]`` of these events, for a filter that names the one chosen."""
    return list(Evenement.objects.filter(pk__in=pks).order_by("title").values_list("pk", "title"))
