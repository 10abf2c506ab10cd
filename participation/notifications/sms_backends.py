"""Where an SMS goes: one small interface, chosen by the SMS_BACKEND setting (a dotted path).

A backend gets an ``OutgoingSms`` and either returns the provider's id for it, raises
``SmsRefused`` (the provider will never take it: recorded, not retried) or raises
``SmsUnavailable`` (try again later). ``find`` answers whether an earlier attempt that died
half-way (worker killed, timeout after the request left) reached the provider: the id, or
``None`` when it did not or when the backend cannot tell.
"""

import fcntl
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class OutgoingSms:
    key: str  # the outbox row's key: the same on every attempt, sent to the provider as a tag
    to: str  # E.164
    body: str
    kind: str


class SmsRefused(Exception):
    """The provider refused the message for good (bad number, bad request, no credit, key)."""


class SmsUnavailable(Exception):
    """The provider could not be reached or answered that it cannot take it now."""


class BaseSmsBackend:
    def send(self, sms: OutgoingSms) -> str:
        raise NotImplementedError

    def find(self, sms: OutgoingSms) -> str | None:
        return None


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)() if settings.SMS_BACKEND else DisabledBackend()


class DisabledBackend(BaseSmsBackend):
    """Production without SMS_BACKEND: an SMS queued all the same is recorded as failed."""

    def send(self, sms: OutgoingSms) -> str:
        raise SmsRefused("SMS non configurés (SMS_BACKEND est vide)")


class ConsoleBackend(BaseSmsBackend):
    """The embedded mode's: the SMS appears in the terminal of ``make run``."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, sms: OutgoingSms) -> str:
        self.stream.write(f"--- SMS à {sms.to} ({sms.kind}) ---\n{sms.body}\n---\n")
        self.stream.flush()
        return f"console-{sms.key}"


class FileBackend(BaseSmsBackend):
    """For tests: one JSON line per SMS appended to SMS_FILE_PATH (several processes may write)."""

    def __init__(self, path: str | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, sms: OutgoingSms) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "key": sms.key,
            "to": sms.to,
            "body": sms.body,
            "kind": sms.kind,
            "at": timezone.now().isoformat(),
        }
        with self.path.open("a", encoding="utf-8") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
        return f"file-{sms.key}"

    def find(self, sms: OutgoingSms) -> str | None:
        return (
            f"file-{sms.key}" if sms.key in {m["key"] for m in read_sms_file(self.path)} else None
        )


def read_sms_file(path) -> list[dict]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class BrevoBackend(BaseSmsBackend):
    """Brevo's transactional SMS (used by many French communes), through its public HTTP API.

    Documented at https://developers.brevo.com/docs/transactional-sms-endpoints :
    ``POST {SMS_BREVO_API_URL}/transactionalSMS/send`` with the ``api-key`` header and a JSON
    body ``{sender, recipient (international, without +), content, type, tag, unicodeEnabled}``;
    ``201 {"reference", "messageId", "smsCount", "usedCredits", "remainingCredits"}``; 4xx with
    ``{"code", "message"}`` (400 bad request, 401 key, 402 not enough credit…).
    ``GET {SMS_BREVO_API_URL}/transactionalSMS/statistics/events?tags=…`` lists the events of
    the messages with that tag, with their ``messageId``.

    Brevo has no idempotency key for SMS. The outbox key goes as the message's tag, so an
    attempt that died after the request left (worker killed, read timeout) is looked up by
    ``find`` before anything is sent again. What remains: a message Brevo accepted but has not
    yet listed among the events when ``find`` asks would be sent twice; the retry waits
    SMS_CLAIM_SECONDS at least, which makes it unlikely, not impossible.
    """

    # Brevo answers 429 when the rate limit is reached: worth retrying; other 4xx are final.
    RETRYABLE_STATUSES = {408, 409, 425, 429}

    def __init__(self):
        self.url = settings.SMS_BREVO_API_URL.rstrip("/")
        self.api_key = settings.SMS_BREVO_API_KEY
        self.sender = settings.SMS_SENDER
        self.timeout = settings.SMS_TIMEOUT_SECONDS

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url + path,
            data=data,
            method=method,
            headers={
                "accept": "application/json",
                "content-type": "application/json",
                "api-key": self.api_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise SmsUnavailable(f"Brevo injoignable : {error}") from error
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = {}
        return status, payload if isinstance(payload, dict) else {}

    def _check(self, status: int, payload: dict) -> None:
        if status >= 500 or status in self.RETRYABLE_STATUSES:
            raise SmsUnavailable(f"Brevo {status} : {payload.get('message', '')}")
        if status >= 400:
            raise SmsRefused(
                f"Brevo {status} {payload.get('code', '')} : {payload.get('message', '')}"
            )

    def send(self, sms: OutgoingSms) -> str:
        status, payload = self._request(
            "POST",
            "/transactionalSMS/send",
            {
                "sender": self.sender,
                "recipient": sms.to.lstrip("+"),
                "content": sms.body,
                "type": "transactional",
                "tag": sms.key,
                "unicodeEnabled": not is_gsm7(sms.body),
            },
        )
        self._check(status, payload)
        return str(payload.get("messageId") or payload.get("reference") or "")

    def find(self, sms: OutgoingSms) -> str | None:
        query = urllib.parse.urlencode(
            {"tags": sms.key, "phoneNumber": sms.to.lstrip("+"), "limit": 10}
        )
        status, payload = self._request("GET", f"/transactionalSMS/statistics/events?{query}")
        self._check(status, payload)
        for event in payload.get("events") or []:
            if event.get("messageId"):
                return str(event["messageId"])
        return None


# --- Length -----------------------------------------------------------------------------

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
ONE_SEGMENT_GSM7 = 160
ONE_SEGMENT_UCS2 = 70


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def sms_length(text: str) -> tuple[int, int]:
    """(length as the network counts it, the limit of one segment for that encoding)."""
    if is_gsm7(text):
        return sum(2 if char in GSM7_EXTENDED else 1 for char in text), ONE_SEGMENT_GSM7
    # UCS-2 counts UTF-16 code units: an emoji takes two.
    return len(text.encode("utf-16-le")) // 2, ONE_SEGMENT_UCS2
