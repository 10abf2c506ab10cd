"""The events' parts of the shared home and quartier pages."""

import pytest

from tests.factories import QuartierFactory

from .factories import EvenementFactory, in_days

pytestmark = pytest.mark.django_db


def test_the_quartier_page_lists_its_next_events_and_its_calendar(client):
    rimbart = QuartierFactory(slug="rimbart", short_name="Rimbart")
    EvenementFactory(title="Permanence à Rimbart", quartiers=[rimbart])
    EvenementFactory(title="Ailleurs")
    EvenementFactory(
        title="Passé à Rimbart", quartiers=[rimbart], starts_at=in_days(-5), ends_at=in_days(-5, 18)
    )
    page = client.get(rimbart.get_absolute_url()).content.decode()
    assert "Prochains événements à Rimbart" in page
    assert "Permanence à Rimbart" in page
    assert "Ailleurs" not in page
    assert "Passé à Rimbart" not in page
    assert "/evenements/quartiers/rimbart/calendrier.ics" in page
    assert "/evenements/?quartier=rimbart" in page


def test_the_home_page_shows_the_next_events(client):
    EvenementFactory(title="Table ronde parentalité")
    page = client.get("/").content.decode()
    assert "Prochains rendez-vous dans les quartiers" in page
    assert "Table ronde parentalité" in page


def test_the_public_functions_for_other_apps(alice):
    from evenements import public

    quartier = QuartierFactory()
    EvenementFactory(quartiers=[quartier])  # a coming event is not one she attended
    past = EvenementFactory(quartiers=[quartier], starts_at=in_days(-3), ends_at=in_days(-3, 18))
    past.inscriptions.create(user=alice)
    assert list(public.events_attended_by(alice)) == [past]
