"""The API and the field mode name only an event that has taken place (as the form does:
tests/consultations/test_event_source.py)."""

import uuid

import pytest

from consultations.models import Expression
from tests.evenements.factories import EvenementFactory, in_days

from .conftest import entry

TEXT = "Les bancs du square ont disparu."
REFUSED = "ne peut pas être choisi"


@pytest.fixture
def coming(rimbart):
    return EvenementFactory(quartiers=[rimbart], starts_at=in_days(7))


@pytest.mark.django_db
def test_the_api_answers_400_in_french_for_a_coming_event(api_for, alice, coming):
    response = api_for(alice).post(
        "/api/expressions/",
        {"quartier": "rimbart", "text": TEXT, "evenement": coming.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert response.status_code == 400
    assert REFUSED in str(response.json())
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_field_mode_refuses_an_entry_for_a_coming_event(api_for, mediateur, rimbart, coming):
    response = api_for(mediateur).post(
        "/api/terrain/synchronisation/",
        {"entrees": [entry(rimbart, evenement=coming.pk)]},
        format="json",
    )

    result = response.json()["resultats"][0]
    assert result["etat"] == "refusee"
    assert REFUSED in str(result)
    assert not Expression.objects.exists()
