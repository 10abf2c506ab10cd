"""The mediators' morning email: what waits, once a day."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from consultations.models import Status
from consultations.moderation import digest
from consultations.tasks import send_moderation_digest
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory


@pytest.mark.django_db
def test_each_mediator_gets_one_digest_a_day_of_what_waits(
    mediateur, referent, comite, alice, django_capture_on_commit_callbacks
):
    quiet = UserFactory(role="mediateur", notify_by="none")
    ExpressionFactory(author=alice, created_at=timezone.now() - dt.timedelta(days=4))
    ExpressionFactory(author=alice)
    ExpressionFactory(author=alice, status=Status.PUBLIEE, flagged_at=timezone.now())
    ExpressionFactory(author=alice, status=Status.PUBLIEE)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_moderation_digest.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = send_moderation_digest.apply().get()

    assert (first, again) == (1, 0)
    assert [m.to for m in mail.outbox] == [[mediateur.email]]
    assert quiet.email not in str([m.to for m in mail.outbox])
    body = mail.outbox[0].body
    assert "2 expressions à lire avant publication" in body
    assert "(dont 1 depuis plus de deux jours)" in body
    assert "1 expression signalée" in body
    assert "1 expression publiée à transmettre" in body
    assert "/moderation/" in body
    assert "&#x27;" not in body


@pytest.mark.django_db
def test_no_digest_when_nothing_waits(mediateur, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_digest() == 0
    assert mail.outbox == []


def test_the_digest_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["moderation-digest"]
    assert entry["task"] == "consultations.tasks.send_moderation_digest"
