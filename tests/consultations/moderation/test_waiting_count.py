"""The count of what waits for the mediators is kept in the cache and forgotten by every
change of the queue (consultations/waiting.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import changes
from consultations.expressions import services
from consultations.models import Status
from consultations.moderation import services as moderation
from tests.consultations.factories import ExpressionFactory


@pytest.mark.django_db
def test_the_count_is_read_once_then_follows_submissions_reports_and_decisions(
    alice, bob, mediateur
):
    first = ExpressionFactory(status=Status.SOUMISE)
    assert changes.queue_count() == 1
    with CaptureQueriesContext(connection) as captured:
        assert changes.queue_count() == 1
    assert len(captured) == 0

    submitted, _created = services.submit(
        author=alice, quartier=first.quartier, text="Le parc ferme trop tôt le soir en été."
    )
    assert changes.queue_count() == 2

    moderation.publish(submitted, actor=mediateur)
    moderation.publish(first, actor=mediateur)
    assert changes.queue_count() == 0

    first.refresh_from_db()
    services.report(first, reporter=bob, reason="hors_sujet")
    assert changes.queue_count() == 1


@pytest.mark.django_db
def test_the_header_badge_shows_the_new_count_after_a_decision(client_for, mediateur):
    expression = ExpressionFactory(status=Status.SOUMISE)
    client = client_for(mediateur)
    assert '<span class="badge" data-moderation-count>1</span>' in client.get("/").content.decode()

    moderation.publish(expression, actor=mediateur)

    assert '<span class="badge" data-moderation-count>0</span>' in client.get("/").content.decode()
