"""SMS: stored first, sent after commit by Celery through the SMS_BACKEND, never twice.

The rule of one attempt (``deliver_sms``), run by the task ``send_sms`` and by the sweep:

1. *Claim*, in a short transaction: lock the row, give up if it is sent or refused, or if
   another attempt holds a claim younger than SMS_CLAIM_SECONDS; else record a new claim
   (``attempt_id``, ``claimed_at``, ``attempts + 1``) and commit. The provider is called
   outside any transaction, so a slow provider holds no lock.
2. If an earlier attempt exists, it may have reached the provider and died before step 4
   (worker killed, read timeout after the request left): ask the backend's ``find`` first;
   found means sent.
3. Send. Refused (4xx): recorded as failed, never retried. Unavailable (timeout, 5xx):
   the claim is released and the task retries with a growing delay.
4. Record ``sent_at`` and the provider's id, for this attempt only.

What is not guaranteed is written on the backend (``sms_backends.BrevoBackend``).
"""

import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participation.accounts.phone import parse_french_mobile
from participation.core.background import enqueue_on_commit

from .models import Sms
from .sms_backends import (
    ONE_SEGMENT_GSM7,
    OutgoingSms,
    SmsRefused,
    get_backend,
    is_gsm7,
    sms_length,
)

logger = logging.getLogger(__name__)

SENT, NOTHING_TO_DO, BUSY, REFUSED, RETRY = "sent", "nothing", "busy", "refused", "retry"


class InvalidPhoneNumber(ValueError):
    pass


def parse_phone(value: str) -> str:
    """A mobile number as typed, in E.164; InvalidPhoneNumber for anything an SMS cannot
    reach (``participation.accounts.phone``: French mobiles only)."""
    try:
        return parse_french_mobile(value)
    except ValidationError as error:
        raise InvalidPhoneNumber(value) from error


def mobile_or_empty(value: str) -> str:
    """``value`` in E.164 when it is a French mobile number (a contact typed in the field
    that may be an email or a phone), else ""."""
    try:
        return parse_phone(value) if value and "@" not in value else ""
    except InvalidPhoneNumber:
        return ""


def queue_sms(*, to: str, body: str, kind: str, user=None) -> Sms:
    """Store an SMS and send it after commit; if the broker is down, the beat sweep sends it."""
    sms = Sms.objects.create(to=parse_phone(to), body=body, kind=kind, user=user)
    enqueue_on_commit("participation.notifications.tasks.send_sms", sms.pk)
    return sms


def deliver_sms(sms_id: int) -> str:
    """One attempt at sending a stored SMS (see the module's docstring); returns the outcome."""
    now = timezone.now()
    lease = timezone.timedelta(seconds=settings.SMS_CLAIM_SECONDS)
    with transaction.atomic():
        sms = (
            Sms.objects.select_for_update()
            .filter(pk=sms_id, sent_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if sms is None:
            return NOTHING_TO_DO
        if sms.claimed_at is not None and sms.claimed_at > now - lease:
            return BUSY
        tried_before = sms.attempts > 0
        sms.attempt_id, sms.claimed_at, sms.attempts = uuid.uuid4(), now, sms.attempts + 1
        sms.save(update_fields=["attempt_id", "claimed_at", "attempts"])
    this_attempt = Sms.objects.filter(pk=sms.pk, attempt_id=sms.attempt_id)

    outgoing = OutgoingSms(key=str(sms.key), to=sms.to, body=sms.body, kind=sms.kind)
    try:
        backend = get_backend()
        provider_id = (backend.find(outgoing) if tried_before else None) or backend.send(outgoing)
    except SmsRefused as error:
        logger.warning("SMS %s refused: %s", sms.pk, error)
        this_attempt.update(failed_at=timezone.now(), claimed_at=None, last_error=str(error)[:300])
        return REFUSED
    except Exception as error:  # noqa: BLE001 - SmsUnavailable or a bug: retried, then given up
        logger.warning("SMS %s not sent (attempt %s): %s", sms.pk, sms.attempts, error)
        given_up = sms.attempts >= settings.SMS_MAX_ATTEMPTS
        this_attempt.update(
            claimed_at=None,
            last_error=str(error)[:300] or type(error).__name__,
            failed_at=timezone.now() if given_up else None,
        )
        return REFUSED if given_up else RETRY
    if not this_attempt.update(sent_at=timezone.now(), provider_id=provider_id, claimed_at=None):
        logger.error("SMS %s sent, but its claim had expired: raise SMS_CLAIM_SECONDS", sms.pk)
        Sms.objects.filter(pk=sms.pk).update(sent_at=timezone.now(), provider_id=provider_id)
    return SENT


def pending_sms_ids(limit: int = 500) -> list[int]:
    """What the sweep sends again: not sent, not refused, unclaimed or whose claim is stale."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.SMS_CLAIM_SECONDS)
    older = now - timezone.timedelta(seconds=settings.EMAIL_SWEEP_SECONDS)
    return list(
        Sms.objects.filter(sent_at__isnull=True, failed_at__isnull=True, created_at__lt=older)
        .exclude(claimed_at__gte=stale)
        .values_list("pk", flat=True)[:limit]
    )


# --- One segment ---------------------------------------------------------------------------

# French letters outside GSM-7 (ç is not in it: its 0x09 is the capital Ç), and the
# typography that would switch a whole SMS to UCS-2 (70 characters instead of 160).
_TO_GSM7 = str.maketrans(
    {
        "ç": "c", "â": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u",
        "ÿ": "y", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I",
        "Ô": "O", "Û": "U", "Ù": "U", "œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "«": '"',
        "»": '"', "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ",
        "\u202f": " ", "·": ".",
    }
)  # fmt: skip


def to_gsm7(text: str) -> str:
    text = re.sub(r"«[\s\u00a0\u202f]*", '"', text)
    return re.sub(r"[\s\u00a0\u202f]*»", '"', text).translate(_TO_GSM7)


def one_sms(text: str, link: str = "") -> str:
    """``text`` then ``link``, in one SMS segment where possible: French typography is made
    GSM-7 (160 characters), then the text is shortened with « ... », never the link."""
    text = " ".join(to_gsm7(text).split())
    tail = f" {link}" if link else ""
    body = text + tail
    if not is_gsm7(body):  # a name in another alphabet: one UCS-2 segment is 70
        return body
    length, limit = sms_length(body)
    if length <= limit:
        return body
    room = ONE_SEGMENT_GSM7 - sms_length(tail)[0] - 3
    while text and sms_length(text[:room])[0] > room:
        room -= 1
    return text[:room].rstrip() + "..." + tail
