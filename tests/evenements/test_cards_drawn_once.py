"""Event cards are drawn once per content: each reader still sees her own registration and
her quartier, and an edited event shows at once."""

import pytest
from django.urls import reverse

from evenements.models import Evenement
from tests.factories import QuartierFactory, UserFactory

from .factories import EvenementFactory, InscriptionFactory

LIST = reverse("evenements:list")


def html(client, url=LIST) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_each_reader_sees_her_own_registration_on_the_same_card(client):
    event = EvenementFactory(title="Table ronde jeunesse", capacity=10)
    alice, bob = UserFactory(), UserFactory()
    InscriptionFactory(evenement=event, user=alice)

    client.force_login(alice)
    assert "Vous êtes inscrit·e" in html(client)
    client.force_login(bob)
    assert "Vous êtes inscrit·e" not in html(client)
    client.logout()
    assert "Vous êtes inscrit·e" not in html(client)


@pytest.mark.django_db
def test_her_quartier_is_said_on_the_card_for_her_only(client):
    rimbart = QuartierFactory()
    EvenementFactory(quartiers=[rimbart])
    alice = UserFactory(quartier=rimbart)

    client.force_login(alice)
    assert "<strong>votre quartier</strong>" in html(client)
    client.force_login(UserFactory())
    assert "<strong>votre quartier</strong>" not in html(client)


@pytest.mark.django_db
def test_an_edited_or_cancelled_event_shows_at_once_on_its_card(client):
    event = EvenementFactory(title="Stand du marché")
    assert "Stand du marché" in html(client)

    Evenement.objects.filter(pk=event.pk).update(title="Stand de la place")
    assert "Stand de la place" in html(client)

    Evenement.objects.filter(pk=event.pk).update(status=Evenement.Status.ANNULE)
    assert "is-cancelled" in html(client)
