"""Cancelling a registration asks first, then « Annuler l'annulation » gives it back for a few
minutes, if the place is still free: the waiting list keeps its rules."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from evenements import services
from evenements.models import Inscription

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db

UNDO = "Annuler l'annulation"


def text(response) -> str:
    return html.unescape(response.content.decode())


def cancel(client, event, next_page="mine"):
    return client.post(reverse("evenements:unregister", args=[event.pk]), {"next": next_page})


def undo(client, inscription, next_page="mine", **options):
    return client.post(
        reverse("evenements:restore", args=[inscription.pk]), {"next": next_page}, **options
    )


def status_of(inscription) -> str:
    inscription.refresh_from_db()
    return inscription.status


# --- Asking first ----------------------------------------------------------------------------


def test_the_cancel_link_asks_before_cancelling(client_for, alice):
    event = EvenementFactory(title="Table ronde parentalité", capacity=10)
    mine = InscriptionFactory(evenement=event, user=alice, adults=2)
    client = client_for(alice)

    page = text(client.get(reverse("evenements:unregister", args=[event.pk]) + "?next=espace"))

    assert "Annuler mon inscription ?" in page
    assert "Table ronde parentalité" in page and "Confirmée, 2 personnes" in page
    assert "Oui, annuler mon inscription" in page
    assert f'href="{reverse("accounts:my_space")}"' in page  # « Non, garder mon inscription »
    assert status_of(mine) == Inscription.Status.CONFIRMEE


@pytest.mark.parametrize(
    "path", ["/evenements/mes-inscriptions/", "/compte/mon-espace/", "event page"]
)
def test_no_page_cancels_in_one_tap(client_for, alice, path):
    event = EvenementFactory()
    InscriptionFactory(evenement=event, user=alice)
    page = client_for(alice).get(event.get_absolute_url() if path == "event page" else path)
    content = page.content.decode()

    assert reverse("evenements:unregister", args=[event.pk]) in content
    assert f'action="{reverse("evenements:unregister", args=[event.pk])}"' not in content


def test_confirming_cancels_and_offers_the_undo_on_the_page_it_came_from(client_for, alice):
    event = EvenementFactory(title="Atelier cuisine")
    mine = InscriptionFactory(evenement=event, user=alice)
    client = client_for(alice)

    response = cancel(client, event, "espace")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:my_space")
    assert status_of(mine) == Inscription.Status.ANNULEE
    page = text(client.get(response["Location"]))
    assert "Votre inscription est annulée : « Atelier cuisine »." in page
    assert reverse("evenements:restore", args=[mine.pk]) in page and UNDO in page


# --- Undoing --------------------------------------------------------------------------------


def test_the_undo_gives_a_confirmed_place_back_while_it_is_free(client_for, alice):
    event = EvenementFactory(title="Atelier cuisine", capacity=3)
    mine = InscriptionFactory(evenement=event, user=alice, adults=2)
    client = client_for(alice)
    cancel(client, event)

    response = undo(client, mine, follow=True)

    assert status_of(mine) == Inscription.Status.CONFIRMEE
    assert mine.cancelled_at is None and (mine.adults, mine.children) == (2, 0)
    page = text(response)
    assert "est de nouveau confirmée" in page
    assert "Confirmée, 2 personnes" in page and UNDO not in page


def test_the_undo_is_refused_once_the_waiting_list_took_the_place(client_for, alice, bob):
    event = EvenementFactory(capacity=1)
    mine = InscriptionFactory(evenement=event, user=alice)
    waiting = InscriptionFactory(
        evenement=event, user=bob, status=Inscription.Status.ATTENTE, confirmed_at=None
    )
    client = client_for(alice)
    cancel(client, event)
    assert status_of(waiting) == Inscription.Status.CONFIRMEE  # the freed place went to Bob

    response = undo(client, mine, follow=True)

    assert status_of(mine) == Inscription.Status.ANNULEE
    assert status_of(waiting) == Inscription.Status.CONFIRMEE
    page = text(response)
    assert "Votre place a été donnée entre-temps" in page
    assert "M'inscrire sur la liste d'attente" in page  # the event's page offers it


def test_the_undo_gives_a_waiting_place_back_at_its_rank(client_for, alice, bob):
    event = EvenementFactory(capacity=1)
    InscriptionFactory(evenement=event)
    start = timezone.now() - dt.timedelta(hours=1)
    mine = InscriptionFactory(
        evenement=event,
        user=alice,
        status=Inscription.Status.ATTENTE,
        confirmed_at=None,
        requested_at=start,
    )
    behind = InscriptionFactory(
        evenement=event,
        user=bob,
        status=Inscription.Status.ATTENTE,
        confirmed_at=None,
        requested_at=start + dt.timedelta(minutes=5),
    )
    client = client_for(alice)
    cancel(client, event)

    undo(client, mine)

    assert status_of(mine) == Inscription.Status.ATTENTE and mine.requested_at == start
    assert status_of(behind) == Inscription.Status.ATTENTE
    page = text(client.get(event.get_absolute_url()))
    assert "Vous êtes sur la liste d'attente (position 1)" in page


def test_a_waiting_place_taken_back_is_confirmed_if_a_place_is_free_for_it(client_for, alice):
    event = EvenementFactory(capacity=2)
    first = InscriptionFactory(evenement=event)
    mine = InscriptionFactory(
        evenement=event, user=alice, status=Inscription.Status.ATTENTE, confirmed_at=None
    )
    client = client_for(alice)
    cancel(client, event)
    # While her place on the list was cancelled, someone left: nobody was waiting.
    services.cancel_inscription(first, actor=first.user)

    undo(client, mine)

    assert status_of(mine) == Inscription.Status.CONFIRMEE


def test_the_undo_is_offered_only_for_a_few_minutes(client_for, alice):
    event = EvenementFactory(capacity=5)
    mine = InscriptionFactory(evenement=event, user=alice)
    client = client_for(alice)
    cancel(client, event)
    Inscription.objects.filter(pk=mine.pk).update(
        cancelled_at=timezone.now() - services.UNDO_WINDOW - dt.timedelta(seconds=1)
    )

    assert UNDO not in text(client.get(reverse("evenements:mine")))
    response = undo(client, mine, follow=True)
    assert status_of(mine) == Inscription.Status.ANNULEE
    assert "inscrivez-vous à nouveau" in text(response)


def test_a_cancellation_by_a_mediator_offers_her_no_undo(client_for, alice, mediateur):
    event = EvenementFactory(capacity=5)
    mine = InscriptionFactory(evenement=event, user=alice)
    services.cancel_inscription(mine, actor=mediateur)
    client = client_for(alice)

    for path in ["/evenements/mes-inscriptions/", "/compte/mon-espace/", event.get_absolute_url()]:
        assert UNDO not in text(client.get(path)), path
    undo(client, mine)
    assert status_of(mine) == Inscription.Status.ANNULEE


def test_another_residents_registration_cannot_be_taken_back(client_for, alice, bob):
    event = EvenementFactory(capacity=5)
    hers = InscriptionFactory(evenement=event, user=alice)
    cancel(client_for(alice), event)

    response = undo(client_for(bob), hers)

    assert response.status_code == 404
    assert status_of(hers) == Inscription.Status.ANNULEE


def test_the_undo_of_a_started_event_is_refused(client_for, alice):
    event = EvenementFactory(capacity=5, starts_at=in_days(1))
    mine = InscriptionFactory(evenement=event, user=alice)
    client = client_for(alice)
    cancel(client, event)
    event.starts_at = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["starts_at"])

    response = undo(client, mine, follow=True)

    assert status_of(mine) == Inscription.Status.ANNULEE
    assert "déjà commencé" in text(response)


def test_the_event_page_offers_the_undo_after_a_cancellation_from_it(client_for, alice):
    event = EvenementFactory(capacity=5)
    mine = InscriptionFactory(evenement=event, user=alice)
    client = client_for(alice)

    response = cancel(client, event, next_page="")

    assert response["Location"] == event.get_absolute_url()
    page = text(client.get(event.get_absolute_url()))
    assert UNDO in page and reverse("evenements:restore", args=[mine.pk]) in page
    undo(client, mine, next_page="")
    assert status_of(mine) == Inscription.Status.CONFIRMEE


def test_the_service_refuses_someone_elses_registration(alice, bob):
    event = EvenementFactory(capacity=5)
    hers = InscriptionFactory(evenement=event, user=alice)
    services.cancel_inscription(hers, actor=alice)

    with pytest.raises(services.RegistrationRefused):
        services.restore_inscription(hers, user=bob)
    assert status_of(hers) == Inscription.Status.ANNULEE
