"""A resident registers from the event page, sees « mes inscriptions », cancels."""

import html

import pytest

from evenements.models import Evenement, Inscription

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_resident_registers_with_adults_and_children(client_for, alice):
    event = EvenementFactory(capacity=10)
    client = client_for(alice)
    response = client.post(
        f"/evenements/{event.pk}/inscription/", {"adults": 2, "children": 1}, follow=True
    )
    assert "votre inscription est confirmée" in text(response)
    inscription = Inscription.objects.get(user=alice)
    assert (inscription.adults, inscription.children) == (2, 1)
    assert "Vous êtes inscrit·e (3 personnes)" in text(client.get(event.get_absolute_url()))


def test_posting_twice_keeps_one_registration(client_for, alice):
    event = EvenementFactory(capacity=10)
    client = client_for(alice)
    client.post(f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 0})
    response = client.post(
        f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 0}, follow=True
    )
    assert "déjà inscrit·e" in text(response)
    assert Inscription.objects.filter(user=alice).count() == 1


def test_registering_to_a_full_event_offers_the_waiting_list_and_keeps_the_numbers(
    client_for, alice
):
    event = EvenementFactory(capacity=2)
    InscriptionFactory(evenement=event, adults=2)
    response = client_for(alice).post(
        f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 2}
    )
    page = text(response)
    assert response.status_code == 200
    assert "Cet événement est complet (2 places)." in page
    assert 'name="join_waiting_list" value="on"' in page
    assert 'name="children" value="2"' in page
    assert not Inscription.objects.filter(user=alice).exists()

    client_for(alice).post(
        f"/evenements/{event.pk}/inscription/",
        {"adults": 1, "children": 2, "join_waiting_list": "on"},
    )
    assert Inscription.objects.get(user=alice).status == Inscription.Status.ATTENTE


def test_registering_to_a_past_event_says_why(client_for, alice):
    event = EvenementFactory(starts_at=in_days(-3), ends_at=in_days(-3, 18))
    response = client_for(alice).post(
        f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 0}, follow=True
    )
    assert "les inscriptions sont closes" in text(response)
    assert not Inscription.objects.exists()


def test_registering_to_a_cancelled_event_says_why(client_for, alice):
    event = EvenementFactory(status=Evenement.Status.ANNULE)
    response = client_for(alice).post(
        f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 0}, follow=True
    )
    assert "Cet événement est annulé" in text(response)


def test_zero_persons_is_refused_in_french(client_for, alice):
    event = EvenementFactory()
    response = client_for(alice).post(
        f"/evenements/{event.pk}/inscription/", {"adults": 0, "children": 0}
    )
    assert "Indiquez au moins une personne." in text(response)
    assert not Inscription.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    event = EvenementFactory()
    response = client.post(f"/evenements/{event.pk}/inscription/", {"adults": 1, "children": 0})
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]
    assert "Se connecter pour s'inscrire" in text(client.get(event.get_absolute_url()))


def test_my_registrations_list_them_and_let_me_cancel(client_for, alice):
    event = EvenementFactory(title="Table ronde parentalité", capacity=1)
    InscriptionFactory(evenement=event, user=alice)
    waiting = InscriptionFactory(evenement=event, status=Inscription.Status.ATTENTE)
    client = client_for(alice)
    page = text(client.get("/evenements/mes-inscriptions/"))
    assert "Table ronde parentalité" in page
    assert "Confirmée, 1 personne" in page

    response = client.post(f"/evenements/{event.pk}/desinscription/", {"next": "mine"}, follow=True)
    assert "Votre inscription est annulée" in text(response)
    assert Inscription.objects.get(user=alice).status == Inscription.Status.ANNULEE
    waiting.refresh_from_db()
    assert waiting.status == Inscription.Status.CONFIRMEE


def test_my_registrations_need_an_account(client):
    response = client.get("/evenements/mes-inscriptions/")
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]
