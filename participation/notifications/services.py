import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from participation.accounts.models import Channel
from participation.core.background import enqueue_on_commit
from participation.core.cache import forget
from participation.core.realtime import broadcast, user_group

from .models import Email, Notification
from .sms import one_sms, queue_sms

logger = logging.getLogger(__name__)


def queue_email(*, to: str, subject: str, body: str) -> Email:
    """Store an email and send it after commit; if the broker is down, the beat task sends it."""
    email = Email.objects.create(to=to, subject=subject, body=body)

    # The broker being down loses nothing: the beat task sweeps what was not sent.
    enqueue_on_commit("participation.notifications.tasks.send_email", email.pk)
    return email


def notify(
    user,
    message: str,
    *,
    url: str = "",
    email_subject: str = "",
    email_body: str = "",
    sms_kind: str = "notification",
    sms_link: str = "",
):
    """Tell ``user`` something in the application (live) and, when it is a notice (one with
    an ``email_subject``), by the channels she chose (``notice_channels``): the email, and
    the message as one SMS with ``sms_link`` (a short link, ``links.short_link``)."""
    notification = Notification.objects.create(user=user, message=message, url=url)
    forget_unread_count(user.pk)
    broadcast(
        user_group(user.pk),
        {"type": "notification", "message": message, "url": url, "id": notification.pk},
    )
    if not email_subject:
        return notification
    channels = user.notice_channels()
    if Channel.EMAIL in channels:
        queue_email(to=user.email, subject=email_subject, body=email_body or message)
    if Channel.SMS in channels and settings.SMS_ENABLED:
        link = sms_link or (settings.SITE_URL + url if url else "")
        queue_sms(to=user.phone, body=one_sms(message, link), kind=sms_kind, user=user)
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
