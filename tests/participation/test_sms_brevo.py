"""The Brevo backend against a local server speaking Brevo's documented transactional SMS API
(https://developers.brevo.com/docs/transactional-sms-endpoints): no network."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from participation.notifications import sms
from participation.notifications.models import Sms

API_KEY = "xkeysib-test"


class FakeBrevo:
    """Answers POST /v3/transactionalSMS/send and GET /v3/transactionalSMS/statistics/events
    as Brevo documents them; ``answers`` says what the next sends get."""

    def __init__(self):
        self.answers: list[tuple[int, dict] | str] = []
        self.accepted: list[dict] = []  # what Brevo took (and would deliver)
        self.requests: list[tuple[str, str, dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(
                    ("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if self.headers.get("api-key") != API_KEY:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                if self.path != "/v3/transactionalSMS/send":
                    return self._answer(404, {"code": "not_found", "message": "Not found"})
                answer = fake.answers.pop(0) if fake.answers else "accept"
                if answer in ("accept", "accept-then-hang"):
                    message_id = 1511882900176220 + len(fake.accepted)
                    fake.accepted.append({**body, "messageId": message_id})
                    if answer == "accept-then-hang":
                        time.sleep(2)  # longer than the backend's timeout
                    return self._answer(
                        201,
                        {
                            "reference": "ab1cde2fgh3i4jklmno",
                            "messageId": message_id,
                            "smsCount": 1,
                            "usedCredits": 0.045,
                            "remainingCredits": 82.85,
                        },
                    )
                if answer == "hang":
                    time.sleep(2)
                    return self._answer(503, {})
                return self._answer(*answer)

            def do_GET(self):
                url = urlsplit(self.path)
                fake.requests.append(
                    ("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, {})
                )
                if self.headers.get("api-key") != API_KEY:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                if url.path != "/v3/transactionalSMS/statistics/events":
                    return self._answer(404, {"code": "not_found", "message": "Not found"})
                tags = parse_qs(url.query).get("tags", [""])[0]
                events = [
                    {
                        "phoneNumber": m["recipient"],
                        "date": "2026-12-05T10:00:00.000+01:00",
                        "messageId": m["messageId"],
                        "event": "sent",
                        "tag": m["tag"],
                    }
                    for m in fake.accepted
                    if m["tag"] == tags
                ]
                return self._answer(200, {"events": events})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def brevo(settings):
    fake = FakeBrevo()
    settings.SMS_BACKEND = "participation.notifications.sms_backends.BrevoBackend"
    settings.SMS_BREVO_API_URL = fake.url
    settings.SMS_BREVO_API_KEY = API_KEY
    settings.SMS_SENDER = "Auchel"
    settings.SMS_TIMEOUT_SECONDS = 0.5
    yield fake
    fake.close()


@pytest.fixture
def message(db):
    return Sms.objects.create(to="+33612345678", body="Votre inscription est confirmée", kind="t")


def test_an_sms_taken_by_brevo_keeps_its_message_id(brevo, message):
    assert sms.deliver_sms(message.pk) == sms.SENT

    message.refresh_from_db()
    assert message.provider_id == "1511882900176220"
    [(method, path, headers, body)] = brevo.requests
    assert (method, path) == ("POST", "/v3/transactionalSMS/send")
    assert headers["api-key"] == API_KEY
    assert body == {
        "sender": "Auchel",
        "recipient": "33612345678",
        "content": "Votre inscription est confirmée",
        "type": "transactional",
        "tag": str(message.key),
        "unicodeEnabled": False,  # é is in GSM-7
    }


@pytest.mark.parametrize(
    "answer",
    [
        (400, {"code": "invalid_parameter", "message": "recipient is not valid"}),
        (402, {"code": "not_enough_credits", "message": "Not enough credits"}),
    ],
)
def test_an_sms_refused_by_brevo_is_recorded_and_not_tried_again(brevo, message, answer):
    brevo.answers = [answer]

    assert sms.deliver_sms(message.pk) == sms.REFUSED
    assert sms.deliver_sms(message.pk) == sms.NOTHING_TO_DO

    message.refresh_from_db()
    assert message.failed_at is not None
    assert answer[1]["code"] in message.last_error
    assert len(brevo.requests) == 1


def test_a_wrong_api_key_is_a_refusal(brevo, message, settings):
    settings.SMS_BREVO_API_KEY = "wrong"

    assert sms.deliver_sms(message.pk) == sms.REFUSED
    message.refresh_from_db()
    assert "401" in message.last_error


@pytest.mark.parametrize("answer", [(500, {}), (503, {}), (429, {"message": "Too many"}), "hang"])
def test_an_unavailable_brevo_is_tried_again_and_the_sms_sent_once(brevo, message, answer):
    brevo.answers = [answer]

    assert sms.deliver_sms(message.pk) == sms.RETRY
    assert sms.deliver_sms(message.pk) == sms.SENT

    assert len(brevo.accepted) == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.provider_id == str(brevo.accepted[0]["messageId"])


def test_a_timeout_after_brevo_took_the_sms_does_not_send_it_twice(brevo, message):
    brevo.answers = ["accept-then-hang"]

    assert sms.deliver_sms(message.pk) == sms.RETRY  # the answer never came in time
    assert sms.deliver_sms(message.pk) == sms.SENT  # found among Brevo's events by its tag

    assert len(brevo.accepted) == 1
    assert [r[0] for r in brevo.requests] == ["POST", "GET"]
    message.refresh_from_db()
    assert message.provider_id == str(brevo.accepted[0]["messageId"])


def test_an_unreachable_brevo_is_tried_again(settings, message):
    settings.SMS_BACKEND = "participation.notifications.sms_backends.BrevoBackend"
    settings.SMS_BREVO_API_URL = "http://127.0.0.1:9/v3"  # nothing listens on the discard port
    settings.SMS_TIMEOUT_SECONDS = 0.5

    assert sms.deliver_sms(message.pk) == sms.RETRY
    message.refresh_from_db()
    assert "injoignable" in message.last_error
