"""Pages run a fixed number of SQL queries, whatever the number of events and registrations."""

import pytest

from tests.factories import QuartierFactory
from tests.queries import page_queries as count_queries

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def make_events(quartier, count, registrations=2):
    for day in range(count):
        event = EvenementFactory(
            quartiers=[quartier, QuartierFactory()],
            starts_at=in_days(day + 1),
            ends_at=in_days(day + 1, 18),
            capacity=10,
        )
        for _ in range(registrations):
            InscriptionFactory(evenement=event, user=None, name="Invitée")


@pytest.mark.parametrize(
    "url", ["/evenements/", "/evenements/calendrier/", "/evenements/carte/", "/api/evenements/"]
)
def test_the_event_lists_run_a_constant_number_of_queries(client_for, alice, url):
    quartier = QuartierFactory()
    alice.quartier = quartier
    alice.save()
    client = client_for(alice)
    make_events(quartier, 2)
    small = count_queries(client, url)
    make_events(quartier, 12, registrations=4)
    assert count_queries(client, url) == small


def test_the_event_page_runs_a_constant_number_of_queries(client_for, alice):
    client = client_for(alice)
    event = EvenementFactory(capacity=100)
    InscriptionFactory(evenement=event, user=alice)
    InscriptionFactory(evenement=event, user=None, name="Invitée")
    small = count_queries(client, event.get_absolute_url())
    for _ in range(20):
        InscriptionFactory(evenement=event, user=None, name="Invitée")
    event.quartiers.add(QuartierFactory(), QuartierFactory())
    assert count_queries(client, event.get_absolute_url()) == small


def test_the_quartier_and_home_blocks_run_a_constant_number_of_queries(client):
    quartier = QuartierFactory()
    make_events(quartier, 1)
    url = quartier.get_absolute_url()
    small_quartier = count_queries(client, url)
    small_home = count_queries(client, "/")
    make_events(quartier, 8, registrations=3)
    assert count_queries(client, url) == small_quartier
    assert count_queries(client, "/") == small_home


def test_the_staff_pages_run_a_constant_number_of_queries(client_for, mediateur):
    client = client_for(mediateur)
    quartier = QuartierFactory()
    make_events(quartier, 2)
    event = EvenementFactory(capacity=50)
    InscriptionFactory(evenement=event)
    small_list = count_queries(client, "/evenements/gestion/")
    small_registrants = count_queries(client, f"/evenements/{event.pk}/inscriptions/")
    make_events(quartier, 10)
    for _ in range(10):
        InscriptionFactory(evenement=event)
    assert count_queries(client, "/evenements/gestion/") == small_list
    assert count_queries(client, f"/evenements/{event.pk}/inscriptions/") == small_registrants


@pytest.mark.parametrize("path", ["/evenements/", "/evenements/calendrier/", "/evenements/carte/"])
def test_filtering_by_a_quartier_reads_the_quartiers_once(client, path):
    """The quartier select's rows are read once: the same rows draw its options and check the
    value sent (Django's own field reads them a second time to check it)."""
    quartier = QuartierFactory(slug="rimbart", name="Rimbart")
    QuartierFactory(slug="centre-ville", name="Centre-ville")
    make_events(quartier, 3)
    whole = count_queries(client, path)
    filtered = count_queries(client, f"{path}?quartier=rimbart")
    assert filtered == whole
    page = client.get(f"{path}?quartier=rimbart").content.decode()
    assert '<option value="rimbart" selected>Rimbart</option>' in page
    assert '<option value="centre-ville">Centre-ville</option>' in page
    refused = client.get(f"{path}?quartier=Rimbart").content.decode()
    assert "Ce quartier n&#x27;existe pas." in refused or "Ce quartier n'existe pas." in refused
