import logging

from django.core.cache import cache
from django.utils import timezone

from participation.core.background import enqueue_on_commit
from participation.core.cache import forget
from participation.core.realtime import broadcast, user_group

from .models import Email, Notification

logger = logging.getLogger(__name__)


def queue_email(*, to: str, subject: str, body: str) -> Email:
    """Store an email and send it after commit; if the broker is down, the beat task sends it."""
    email = Email.objects.create(to=to, subject=subject, body=body)

    # The broker being down loses nothing: the beat task sweeps what was not sent.
    enqueue_on_commit("participation.notifications.tasks.send_email", email.pk)
    return email


def notify(user, message: str, *, url: str = "", email_subject: str = "", email_body: str = ""):
    """Tell ``user`` something in the application (live) and, if they wish, by email."""
    notification = Notification.objects.create(user=user, message=message, url=url)
    forget_unread_count(user.pk)
    broadcast(
        user_group(user.pk),
        {"type": "notification", "message": message, "url": url, "id": notification.pk},
    )
    if user.notify_by_email and user.email and email_subject:
        queue_email(to=user.email, subject=email_subject, body=email_body or message)
    return notification


UNREAD_CACHE_SECONDS = 300


def _unread_key(user_id) -> str:
    return f"notifications-non-lues:{user_id}"


def unread_count(user) -> int:
    """The header of every signed-in page shows it: kept in the cache, which ``notify`` and
    ``mark_all_read`` empty (a missing cache only means counting in the database)."""
    return cache.get_or_set(
        _unread_key(user.pk),
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count(),
        UNREAD_CACHE_SECONDS,
    )


def forget_unread_count(user_id) -> None:
    forget(_unread_key(user_id))


def mark_all_read(user) -> int:
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread_count(user.pk)
    return marked
