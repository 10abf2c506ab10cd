"""The SMS outbox: stored, sent after commit, retried, refused for good, never sent twice."""

import io

import pytest
from django.db import transaction
from django.utils import timezone

from participation.notifications import sms, tasks
from participation.notifications.models import Sms
from participation.notifications.sms import queue_sms
from participation.notifications.sms_backends import (
    ConsoleBackend,
    OutgoingSms,
    SmsRefused,
    SmsUnavailable,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Flaky:
    """A backend failing as told, then writing to the test's file."""

    def __init__(self, *failures):
        self.failures = list(failures)
        self.sent = []
        self.asked = []

    def __call__(self):
        return self

    def send(self, outgoing):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(outgoing)
        return f"id-{len(self.sent)}"

    def find(self, outgoing):
        self.asked.append(outgoing.key)
        return None


@pytest.fixture
def backend(monkeypatch):
    def install(*failures):
        flaky = Flaky(*failures)
        monkeypatch.setattr(sms, "get_backend", flaky)
        return flaky

    return install


def test_an_sms_is_stored_in_e164_and_sent_only_after_commit(sms_outbox):
    with transaction.atomic():
        message = queue_sms(to="06 12 34 56 78", body="Bonjour", kind="test")
        assert sms_outbox() == []

    assert [(m["to"], m["body"], m["key"]) for m in sms_outbox()] == [
        ("+33612345678", "Bonjour", str(message.key))
    ]
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.provider_id == f"file-{message.key}"
    assert message.attempts == 1


def test_nothing_is_sent_when_the_transaction_is_rolled_back(sms_outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_sms(to="+33612345678", body="Bonjour", kind="test")
        raise RuntimeError

    assert sms_outbox() == []
    assert not Sms.objects.exists()


def test_a_wrong_number_is_refused_before_anything_is_stored():
    with pytest.raises(sms.InvalidPhoneNumber):
        queue_sms(to="01 23", body="Bonjour", kind="test")

    assert not Sms.objects.exists()


def test_a_task_run_twice_sends_the_sms_once(sms_outbox):
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")

    tasks.send_sms.apply(args=[message.pk])
    tasks.send_sms.apply(args=[message.pk])

    assert len(sms_outbox()) == 1


def test_an_unavailable_provider_is_tried_again_and_asked_first_whether_it_got_it(backend):
    flaky = backend(SmsUnavailable("délai dépassé"))
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")

    assert sms.deliver_sms(message.pk) == sms.RETRY
    message.refresh_from_db()
    assert (message.sent_at, message.claimed_at, message.attempts) == (None, None, 1)
    assert "délai dépassé" in message.last_error

    assert sms.deliver_sms(message.pk) == sms.SENT
    assert flaky.asked == [str(message.key)]  # the timeout may have reached the provider
    assert len(flaky.sent) == 1


def test_an_sms_the_provider_already_has_is_not_sent_again(backend):
    flaky = backend(SmsUnavailable("délai dépassé"))
    flaky.find = lambda outgoing: "chez-le-fournisseur"
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")
    sms.deliver_sms(message.pk)

    assert sms.deliver_sms(message.pk) == sms.SENT

    message.refresh_from_db()
    assert message.provider_id == "chez-le-fournisseur"
    assert flaky.sent == []


def test_a_refused_sms_is_recorded_and_never_tried_again(backend):
    flaky = backend(SmsRefused("Brevo 400 invalid_parameter"))
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")

    assert sms.deliver_sms(message.pk) == sms.REFUSED
    assert sms.deliver_sms(message.pk) == sms.NOTHING_TO_DO

    message.refresh_from_db()
    assert message.failed_at is not None
    assert "invalid_parameter" in message.last_error
    assert flaky.sent == []
    assert message.pk not in sms.pending_sms_ids()


def test_the_task_retries_until_the_provider_takes_it(backend, monkeypatch):
    flaky = backend(SmsUnavailable("503"), SmsUnavailable("503"))
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")
    # Inline, a retry runs at once instead of being raised.
    monkeypatch.setitem(tasks.send_sms.app.conf, "task_eager_propagates", False)

    tasks.send_sms.apply(args=[message.pk])

    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 3
    assert len(flaky.sent) == 1


def test_the_sms_is_given_up_after_the_last_attempt(backend, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    backend(*[SmsUnavailable("503")] * 5)
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")

    assert sms.deliver_sms(message.pk) == sms.RETRY
    assert sms.deliver_sms(message.pk) == sms.REFUSED

    message.refresh_from_db()
    assert message.failed_at is not None


def test_a_running_attempt_is_left_alone_and_a_dead_one_taken_over(backend, settings):
    flaky = backend()
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test", attempts=1)
    Sms.objects.filter(pk=message.pk).update(claimed_at=timezone.now())

    assert sms.deliver_sms(message.pk) == sms.BUSY
    assert message.pk not in sms.pending_sms_ids()

    stale = timezone.now() - timezone.timedelta(seconds=settings.SMS_CLAIM_SECONDS + 1)
    Sms.objects.filter(pk=message.pk).update(claimed_at=stale, created_at=stale)
    assert sms.pending_sms_ids() == [message.pk]
    assert sms.deliver_sms(message.pk) == sms.SENT
    assert flaky.asked == [str(message.key)]


def test_the_sweep_sends_what_the_broker_could_not_queue(sms_outbox, settings):
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")
    old = timezone.now() - timezone.timedelta(seconds=settings.EMAIL_SWEEP_SECONDS + 1)
    Sms.objects.filter(pk=message.pk).update(created_at=old)

    assert tasks.send_pending_sms() == 1
    assert tasks.send_pending_sms() == 0
    assert len(sms_outbox()) == 1


def test_the_console_backend_prints_the_sms():
    stream = io.StringIO()

    ConsoleBackend(stream).send(OutgoingSms(key="k", to="+33612345678", body="Code 1234", kind="t"))

    assert "+33612345678" in stream.getvalue()
    assert "Code 1234" in stream.getvalue()


def test_without_a_backend_an_sms_is_recorded_as_failed_not_retried(settings):
    settings.SMS_BACKEND = ""
    message = Sms.objects.create(to="+33612345678", body="Bonjour", kind="test")

    assert sms.deliver_sms(message.pk) == sms.REFUSED

    message.refresh_from_db()
    assert "SMS non configurés" in message.last_error
