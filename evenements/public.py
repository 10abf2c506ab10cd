"""What other apps may ask of the events app, without importing its internals."""

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


def recent_events(limit: int = 50):
    """Events of the last months and the coming weeks, for choosing an expression's source."""
    now = timezone.now()
    return Evenement.objects.filter(
        starts_at__gte=now - timezone.timedelta(days=180),
        starts_at__lte=now + timezone.timedelta(days=60),
    ).order_by("-starts_at")[:limit]


def event_titles(pks) -> list[tuple[int, str]]:
    """``[(pk, title)]`` of these events, for a filter that names the one chosen."""
    return list(Evenement.objects.filter(pk__in=pks).order_by("title").values_list("pk", "title"))
