"""Finding events: list and filters, month calendar, map, event page."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from evenements.models import Evenement, Inscription
from tests.factories import QuartierFactory

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def titles(response):
    return [event.title for event in response.context["events"]]


def test_the_list_shows_upcoming_events_soonest_first_and_hides_past_ones(client):
    EvenementFactory(title="Dans deux semaines", starts_at=in_days(14), ends_at=in_days(14, 18))
    EvenementFactory(title="Demain", starts_at=in_days(1), ends_at=in_days(1, 18))
    EvenementFactory(title="Hier", starts_at=in_days(-1), ends_at=in_days(-1, 18))
    response = client.get("/evenements/")
    assert response.status_code == 200
    assert titles(response) == ["Demain", "Dans deux semaines"]


def test_it_filters_by_quartier_type_and_dates(client):
    rimbart = QuartierFactory(slug="rimbart", short_name="Rimbart")
    cite = QuartierFactory(slug="cite-5")
    EvenementFactory(
        title="Stand Rimbart", quartiers=[rimbart], starts_at=in_days(2), ends_at=in_days(2, 18)
    )
    EvenementFactory(
        title="Table ronde Rimbart",
        kind=Evenement.Kind.TABLE_RONDE,
        quartiers=[rimbart],
        starts_at=in_days(20),
        ends_at=in_days(20, 18),
    )
    EvenementFactory(
        title="Stand Cité 5", quartiers=[cite], starts_at=in_days(3), ends_at=in_days(3, 18)
    )

    assert titles(client.get("/evenements/?quartier=rimbart")) == [
        "Stand Rimbart",
        "Table ronde Rimbart",
    ]
    assert titles(client.get("/evenements/?type=table_ronde")) == ["Table ronde Rimbart"]
    start = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert titles(client.get(f"/evenements/?du={start}")) == ["Table ronde Rimbart"]
    end = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert titles(client.get(f"/evenements/?au={end}")) == ["Stand Rimbart"]


def test_a_start_date_in_the_past_shows_past_events(client):
    EvenementFactory(title="Le mois dernier", starts_at=in_days(-30), ends_at=in_days(-30, 18))
    start = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    assert titles(client.get(f"/evenements/?du={start}")) == ["Le mois dernier"]


def test_it_filters_the_events_open_for_registration(client):
    EvenementFactory(title="Ouvert", capacity=5)
    full = EvenementFactory(title="Complet", capacity=1)
    InscriptionFactory(evenement=full)
    EvenementFactory(title="Accès libre", registration_required=False)
    EvenementFactory(title="Annulé", status=Evenement.Status.ANNULE)
    EvenementFactory(title="Sans limite", capacity=None)
    assert sorted(titles(client.get("/evenements/?ouvert=on"))) == ["Ouvert", "Sans limite"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("du=2026-13-45", "Date impossible"),
        ("au=demain", "Date impossible"),
        ("au=9999-12-31", "Date hors des limites"),
        ("du=0001-01-01", "Date hors des limites"),
        ("quartier=atlantide", "Ce quartier n'existe pas."),
        ("type=concert", "Ce type d'événement n'existe pas."),
        ("du=2027-01-10&au=2027-01-01", "avant la date de début"),
    ],
)
def test_impossible_filters_give_an_empty_list_with_a_french_message(client, query, message):
    EvenementFactory(title="Stand")
    response = client.get(f"/evenements/?{query}")
    assert response.status_code == 200
    assert titles(response) == []
    assert message in text(response)


def test_the_residents_own_quartier_comes_first(client_for, alice):
    rimbart = QuartierFactory(slug="rimbart")
    alice.quartier = rimbart
    alice.save()
    EvenementFactory(title="Ailleurs, demain", starts_at=in_days(1), ends_at=in_days(1, 18))
    EvenementFactory(
        title="Chez moi, dans un mois",
        quartiers=[rimbart],
        starts_at=in_days(30),
        ends_at=in_days(30, 18),
    )
    response = client_for(alice).get("/evenements/")
    assert titles(response) == ["Chez moi, dans un mois", "Ailleurs, demain"]
    assert "votre quartier" in response.content.decode()


def test_the_list_is_paginated(client):
    for day in range(25):
        EvenementFactory(starts_at=in_days(day + 1), ends_at=in_days(day + 1, 18))
    first = client.get("/evenements/")
    assert len(first.context["events"]) == 20
    assert "Page 1 sur 2" in first.content.decode()
    assert len(client.get("/evenements/?page=2").context["events"]) == 5


def test_the_month_calendar_puts_each_event_on_its_day(client):
    EvenementFactory(
        title="Table ronde parentalité",
        starts_at=timezone.make_aware(dt.datetime(2027, 3, 10, 18)),
        ends_at=timezone.make_aware(dt.datetime(2027, 3, 10, 20)),
    )
    response = client.get("/evenements/calendrier/2027/3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html and "mars 2027" in html
    assert re.search(r'datetime="2027-03-10".*?Table ronde parentalité', html, re.S)
    assert "/evenements/calendrier/2027/2/" in html
    assert "/evenements/calendrier/2027/4/" in html
    weeks = response.context["weeks"]
    cell = next(cell for week in weeks for cell in week if cell[0] == dt.date(2027, 3, 10))
    assert [event.title for event in cell[2]] == ["Table ronde parentalité"]


def test_the_calendar_refuses_an_impossible_month(client):
    assert client.get("/evenements/calendrier/2027/13/").status_code == 404


def test_the_calendar_keeps_the_quartier_filter(client):
    rimbart = QuartierFactory(slug="rimbart")
    start = timezone.make_aware(dt.datetime(2027, 3, 10, 18))
    EvenementFactory(
        title="À Rimbart",
        quartiers=[rimbart],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    EvenementFactory(title="Ailleurs", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    html = client.get("/evenements/calendrier/2027/3/?quartier=rimbart").content.decode()
    assert "À Rimbart" in html
    assert "Ailleurs" not in html
    assert "/evenements/calendrier/2027/4/?quartier=rimbart" in html


def test_the_map_page_lists_events_and_carries_positions_in_data_attributes(client, settings):
    settings.MAP_TILE_URL = ""
    EvenementFactory(title="Stand localisé", latitude="50.508500", longitude="2.474000")
    EvenementFactory(title="Stand sans position")
    html = client.get("/evenements/carte/").content.decode()
    assert 'data-lat="50.508500"' in html
    assert 'data-tile-url=""' in html
    assert "Stand sans position" in html
    assert re.search(r"vendor/leaflet/leaflet(\.[0-9a-f]+)?\.js", html)
    assert "<script>" not in html and "style=" not in html


def test_the_event_page_gives_everything_needed_to_come(client):
    rimbart = QuartierFactory(name="Rimbart")
    event = EvenementFactory(
        title="Temps d'information",
        quartiers=[rimbart],
        place_name="Local de médiation",
        address="Rue de Rimbart, Auchel",
        directions="Bus ligne 5, arrêt Rimbart.",
        accessibility="Accessible en fauteuil.",
        organiser_name="CCAS d'Auchel",
        capacity=10,
        starts_at=timezone.make_aware(dt.datetime(2030, 12, 5, 14)),
        ends_at=timezone.make_aware(dt.datetime(2030, 12, 5, 16)),
    )
    InscriptionFactory(evenement=event, adults=2, children=1)
    page = text(client.get(event.get_absolute_url()))
    for expected in [
        "Jeudi 5 décembre 2030, de 14:00 à 16:00",
        "Local de médiation",
        "Rue de Rimbart, Auchel",
        "Bus ligne 5, arrêt Rimbart.",
        "Accessible en fauteuil.",
        "CCAS d'Auchel",
        "7 places restantes",
        "Rimbart",
        f'<link rel="alternate" type="text/calendar" title="Cet événement (iCalendar)" href="/evenements/{event.pk}/evenement.ics">',
    ]:
        assert expected in page, expected


def test_a_cancelled_event_page_says_so(client):
    event = EvenementFactory(status=Evenement.Status.ANNULE, cancellation_reason="Alerte météo")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Cet événement est annulé." in html
    assert "Alerte météo" in html


def test_an_unknown_event_is_a_404(client):
    assert client.get("/evenements/999999/").status_code == 404


def test_a_full_event_page_offers_the_waiting_list(client_for, alice):
    event = EvenementFactory(capacity=1)
    InscriptionFactory(evenement=event)
    page = text(client_for(alice).get(event.get_absolute_url()))
    assert "Complet" in page
    assert "M'inscrire sur la liste d'attente" in page


def test_the_events_without_registration_say_entree_libre(client):
    event = EvenementFactory(registration_required=False)
    assert "Entrée libre" in client.get(event.get_absolute_url()).content.decode()


def test_an_inscription_status_shows_in_the_list(client_for, alice):
    event = EvenementFactory()
    InscriptionFactory(evenement=event, user=alice, status=Inscription.Status.ATTENTE)
    assert "Vous êtes sur la liste d'attente" in text(client_for(alice).get("/evenements/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/evenements/", "/evenements/calendrier/", "/evenements/carte/", "/expressions/"]
)
def test_a_filter_sent_opens_the_page_at_its_results(client, url):
    """On a phone the filters fill the first screen: sent, the page opens at what they found."""
    page = client.get(url).content.decode()

    form = re.search(r'<form method="get"[^>]*>', page).group(0)
    assert re.search(r'action="[^"]*#resultats"', form), form
    assert page.count('id="resultats"') == 1
    assert page.index(form) < page.index('id="resultats"')
