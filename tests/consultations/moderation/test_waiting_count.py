"""The count of what waits for the mediators is kept in the cache and forgotten by every
change of the queue (consultations/waiting.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import moderation, services, waiting
from consultations.models import Status
from tests.consultations.factories import ExpressionFactory


@pytest.mark.django_db
def test_the_count_is_read_once_then_follows_submissions_reports_and_decisions(
    alice, bob, mediateur
):
    first = ExpressionFactory(status=Status.SOUMISE)
    assert waiting.count() == 1
    with CaptureQueriesContext(connection) as captured:
        assert waiting.count() == 1
    assert len(captured) == 0

    submitted, _created = services.submit(
        author=alice, quartier=first.quartier, text="Le parc ferme trop tôt le soir en été."
    )
    assert waiting.count() == 2

    moderation.publish(submitted, actor=mediateur)
    moderation.publish(first, actor=mediateur)
    assert waiting.count() == 0

    first.refresh_from_db()
    services.report(first, reporter=bob, reason="hors_sujet")
    assert waiting.count() == 1


@pytest.mark.django_db
def test_the_header_badge_shows_the_new_count_after_a_decision(client_for, mediateur):
    expression = ExpressionFactory(status=Status.SOUMISE)
    client = client_for(mediateur)
    assert '<span class="badge" data-moderation-count>1</span>' in client.get("/").content.decode()

    moderation.publish(expression, actor=mediateur)

    assert '<span class="badge" data-moderation-count>0</span>' in client.get("/").content.decode()
