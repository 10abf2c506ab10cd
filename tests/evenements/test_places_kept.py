"""The places each event keeps (``Evenement.places_taken``, issue 19): moved by every change
of its registrations, whichever way it is made, and read by the public pages instead of an
aggregate per event."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evenements import services
from evenements.models import Evenement, Inscription
from tests.factories import UserFactory

from .factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db


def kept(event) -> int:
    """The count the event's row holds, checked against a count of its registrations."""
    event.refresh_from_db(fields=["places_taken"])
    assert event.places_taken == event.count_places_taken()
    return event.places_taken


def test_the_services_move_the_places_a_registration_takes_or_frees(alice, bob, mediateur):
    event = EvenementFactory(capacity=4)
    assert kept(event) == 0

    mine, _ = services.register(event.pk, alice, adults=2, children=1)
    assert kept(event) == 3
    theirs, _ = services.register(event.pk, bob, adults=2, join_waiting_list=True)
    assert theirs.status == Inscription.Status.ATTENTE
    assert kept(event) == 3  # the waiting list takes no place
    services.register_guest(event.pk, actor=mediateur, name="Mme Lefebvre")
    assert kept(event) == 4 and event.is_full

    services.cancel_inscription(mine, actor=alice)  # bob's two places come from the list
    theirs.refresh_from_db()
    assert theirs.status == Inscription.Status.CONFIRMEE
    assert kept(event) == 3
    with pytest.raises(services.RegistrationRefused, match="complet"):
        services.restore_inscription(mine, user=alice)  # no room for three any more
    assert kept(event) == 3


def test_a_change_made_around_the_services_is_counted_too(alice):
    """The admin's form and inline save registrations, move and delete them."""
    first, second = EvenementFactory(capacity=10), EvenementFactory(capacity=10)
    inscription = InscriptionFactory(evenement=first, user=alice, adults=2)
    InscriptionFactory(evenement=first, adults=1, status=Inscription.Status.ANNULEE)
    assert (kept(first), kept(second)) == (2, 0)

    inscription.children = 3
    inscription.save()
    assert kept(first) == 5
    inscription.evenement = second
    inscription.save()
    assert (kept(first), kept(second)) == (0, 5)
    inscription.status = Inscription.Status.ANNULEE
    inscription.save(update_fields=["status"])
    assert kept(second) == 0
    Inscription.objects.filter(evenement=first).update(status=Inscription.Status.CONFIRMEE)
    assert first.count_places_taken() == 1  # around the signals: counted again on demand
    Evenement.objects.recount_places()
    assert kept(first) == 1
    Inscription.objects.filter(evenement=first).delete()
    assert kept(first) == 0


def test_a_save_of_fields_that_move_no_place_leaves_the_count_alone(
    alice, django_assert_num_queries
):
    inscription = InscriptionFactory(user=alice, adults=2)
    inscription.attended = True

    with django_assert_num_queries(1):
        inscription.save(update_fields=["attended"])

    assert kept(inscription.evenement) == 2


def test_an_event_saved_from_an_old_reading_keeps_the_places_taken_since(alice):
    """A référent's edit, read before a resident registered, never writes back the old count."""
    event = EvenementFactory(capacity=10)
    opened_by_the_referent = Evenement.objects.get(pk=event.pk)
    services.register(event.pk, alice, adults=2)

    opened_by_the_referent.title = "Table ronde déplacée"
    opened_by_the_referent.save()

    event.refresh_from_db()
    assert event.title == "Table ronde déplacée"
    assert kept(event) == 2


def test_deleting_an_event_deletes_its_registrations_without_counting_them_again(alice):
    event = EvenementFactory()
    InscriptionFactory(evenement=event, user=alice)
    InscriptionFactory(evenement=event)

    with CaptureQueriesContext(connection) as queries:
        event.delete()

    assert not Inscription.objects.exists()
    counted = [q["sql"] for q in queries.captured_queries if "places_taken" in q["sql"]]
    assert not counted


@pytest.mark.parametrize(
    "page",
    [
        lambda event: reverse("core:home"),
        lambda event: reverse("evenements:list"),
        lambda event: reverse("evenements:detail", args=[event.pk]),
        lambda event: reverse("territory:quartier", args=[event.quartiers.get().slug]),
        lambda event: "/api/evenements/",
    ],
    ids=["accueil", "evenements", "evenement", "quartier", "api"],
)
def test_the_public_pages_show_the_places_left_without_reading_the_registrations(
    client, settings, page
):
    """Before, each of these counted every event's confirmed registrations in a subquery."""
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    event = EvenementFactory(capacity=12, title="Atelier vélo")
    for adults in (3, 4):
        InscriptionFactory(evenement=event, user=UserFactory(), adults=adults)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(page(event))

    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "evenements_inscription" in q["sql"]]
    body = response.content.decode()
    assert "Atelier vélo" in body
    assert ('"places_left":5' in body) if page(event).startswith("/api/") else ("5 places" in body)
