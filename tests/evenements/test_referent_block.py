"""The events' part of the « Espace référent »: drafts to finish, the next events, those with
a waiting list, the way to create an event; in a fixed number of queries."""

import html

import pytest

from evenements.models import Evenement, Inscription
from tests.factories import QuartierFactory
from tests.queries import page_queries

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db

HUB = "/gestion/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def make_events(count: int) -> None:
    for day in range(count):
        quartiers = [QuartierFactory(), QuartierFactory()]
        EvenementFactory(
            quartiers=quartiers, status=Evenement.Status.BROUILLON, starts_at=in_days(day + 1)
        )
        full = EvenementFactory(quartiers=quartiers, capacity=1, starts_at=in_days(day + 2))
        InscriptionFactory(evenement=full, user=None, name="Invitée")
        InscriptionFactory(
            evenement=full, user=None, name="En attente", status=Inscription.Status.ATTENTE
        )


def test_the_hub_lists_drafts_next_events_and_waiting_lists_with_their_counts(client_for, referent):
    draft = EvenementFactory(title="Brouillon à finir", status=Evenement.Status.BROUILLON)
    EvenementFactory(title="Stand publié")
    full = EvenementFactory(title="Atelier complet", capacity=1)
    InscriptionFactory(evenement=full)
    InscriptionFactory(evenement=full, status=Inscription.Status.ATTENTE)
    EvenementFactory(title="Passé", starts_at=in_days(-3), ends_at=in_days(-3, 18))

    page = text(client_for(referent).get(HUB))
    section = page[page.index('id="evenements"') :]
    assert "Brouillon à finir" in section
    assert f'href="/evenements/{draft.pk}/apercu/"' in section
    assert "Stand publié" in section
    assert f'href="/evenements/{full.pk}/inscriptions/"' in section
    assert "1 inscription en attente" in section
    assert "Passé" not in section
    assert "2 événements publiés à venir" in " ".join(section.split()).replace("</strong>", "")
    assert 'href="/evenements/gestion/nouveau/"' in section
    assert 'href="/evenements/gestion/"' in section
    # Listed in « Sur cette page » with its counts.
    assert '<a href="#evenements">Événements</a>' in page
    assert "2 à venir · 1 brouillon(s) · 1 avec attente" in page


def test_the_hub_runs_a_constant_number_of_queries(client_for, referent):
    client = client_for(referent)
    make_events(1)
    small = page_queries(client, HUB)
    make_events(8)
    assert page_queries(client, HUB) == small


def test_the_hub_is_for_the_referent_only(client_for, mediateur):
    assert client_for(mediateur).get(HUB).status_code == 403
