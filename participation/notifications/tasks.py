from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import sms
from .models import Email


@shared_task(bind=True, acks_late=True, max_retries=8, default_retry_delay=30)
def send_email(self, email_id: int) -> bool:
    """Send one stored email; idempotent, so a retried or duplicated task sends it once."""
    failure = None
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
        if email is None:
            return False
        try:
            send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
        except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried
            failure = exc
            email.attempts += 1
            email.last_error = str(exc)[:300]
            email.save(update_fields=["attempts", "last_error"])
        else:
            email.sent_at = timezone.now()
            email.attempts += 1
            email.save(update_fields=["sent_at", "attempts"])
    if failure is not None:
        # Raised after the commit, so the attempt is counted and the sweep's limit applies.
        raise self.retry(exc=failure)
    return True


@shared_task
def send_pending_emails() -> int:
    """Sweep: send what could not be queued (broker down) or whose task was lost."""
    older = timezone.now() - timezone.timedelta(seconds=settings.EMAIL_SWEEP_SECONDS)
    ids = list(
        Email.objects.filter(
            sent_at__isnull=True, created_at__lt=older, attempts__lt=8
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        send_email.delay(pk)
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_sms(self, sms_id: int) -> str:
    """One attempt at a stored SMS (``sms.deliver_sms``: claimed, so never sent twice);
    retried with a growing delay while the provider is unavailable or another attempt runs."""
    outcome = sms.deliver_sms(sms_id)
    if outcome == sms.RETRY:
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    if outcome == sms.BUSY and self.request.retries < 3:
        raise self.retry(countdown=settings.SMS_CLAIM_SECONDS)
    return outcome


@shared_task
def send_pending_sms() -> int:
    """Sweep: send what could not be queued (broker down) or whose attempt died (worker killed)."""
    ids = sms.pending_sms_ids()
    for pk in ids:
        send_sms.delay(pk)
    return len(ids)
