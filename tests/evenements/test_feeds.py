"""iCalendar feeds, parsed back with the icalendar library."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from evenements.models import Evenement
from tests.factories import QuartierFactory

from .factories import EvenementFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_uid(calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def rimbart():
    return QuartierFactory(slug="rimbart", short_name="Rimbart")


@pytest.fixture
def summer_event(rimbart):
    start = timezone.make_aware(dt.datetime(2030, 7, 10, 15))
    return EvenementFactory(
        title="Nos Quartiers d'Été à Rimbart",
        quartiers=[rimbart],
        place_name="City stade de Rimbart",
        address="Quartier Rimbart, Auchel",
        latitude="50.515000",
        longitude="2.461200",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
    )


@pytest.fixture
def cancelled_event():
    start = timezone.make_aware(dt.datetime(2030, 12, 3, 18))
    return EvenementFactory(
        title="Réunion annulée",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=Evenement.Status.ANNULE,
        cancellation_reason="Alerte météo",
    )


def test_the_feed_of_all_events_holds_them_in_europe_paris_with_cancellations(
    client, summer_event, cancelled_event
):
    calendar = parse(client.get("/evenements/calendrier.ics"))
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = events_by_uid(calendar)
    assert set(events) == {
        f"evenement-{summer_event.pk}@participation.auchel.fr",
        f"evenement-{cancelled_event.pk}@participation.auchel.fr",
    }
    summer = events[summer_event.ical_uid]
    start = summer.decoded("DTSTART")
    assert start == dt.datetime(2030, 7, 10, 15, tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert summer["DTSTART"].params["TZID"] == "Europe/Paris"
    assert summer.decoded("DTEND") == dt.datetime(2030, 7, 10, 19, tzinfo=PARIS)
    assert str(summer["LOCATION"]) == "City stade de Rimbart, Quartier Rimbart, Auchel"
    assert str(summer["SUMMARY"]) == "Nos Quartiers d'Été à Rimbart"
    assert str(summer["STATUS"]) == "CONFIRMED"
    assert str(summer["URL"]).endswith(f"/evenements/{summer_event.pk}/")
    cancelled = events[cancelled_event.ical_uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert "Alerte météo" in str(cancelled["DESCRIPTION"])
    # Winter time is UTC+1 in December.
    assert cancelled.decoded("DTSTART").utcoffset() == dt.timedelta(hours=1)


def test_the_quartier_feed_holds_only_its_events(client, rimbart, summer_event, cancelled_event):
    calendar = parse(client.get("/evenements/quartiers/rimbart/calendrier.ics"))
    assert set(events_by_uid(calendar)) == {summer_event.ical_uid}
    assert "Rimbart" in str(calendar["X-WR-CALNAME"])


def test_the_event_feed_holds_the_one_event_with_a_stable_uid(client, summer_event):
    first = parse(client.get(f"/evenements/{summer_event.pk}/evenement.ics"))
    summer_event.title = "Nouveau titre"
    summer_event.save()
    second = parse(client.get(f"/evenements/{summer_event.pk}/evenement.ics"))
    assert list(events_by_uid(first)) == list(events_by_uid(second)) == [summer_event.ical_uid]
    assert str(second.walk("VEVENT")[0]["SUMMARY"]) == "Nouveau titre"


def test_an_empty_feed_still_parses_and_declares_its_time_zone(client):
    QuartierFactory(slug="cite-5")
    calendar = parse(client.get("/evenements/quartiers/cite-5/calendrier.ics"))
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE")


def test_an_unknown_quartier_feed_is_a_404(client):
    assert client.get("/evenements/quartiers/atlantide/calendrier.ics").status_code == 404


def test_the_event_and_quartier_pages_link_to_their_feeds(client, rimbart, summer_event):
    event_page = client.get(summer_event.get_absolute_url()).content.decode()
    assert (
        f'<link rel="alternate" type="text/calendar" title="Cet événement (iCalendar)" '
        f'href="/evenements/{summer_event.pk}/evenement.ics">'
    ) in event_page
    quartier_page = client.get(rimbart.get_absolute_url()).content.decode()
    assert 'href="/evenements/quartiers/rimbart/calendrier.ics"' in quartier_page
    assert "Nos Quartiers d&#x27;Été à Rimbart" in quartier_page
