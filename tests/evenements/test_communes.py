"""Events run by commune (issue 18, point 4): a mediator or référent given communes runs the
events of her communes' quartiers (intercommunal ones included); another commune's do not
exist for her; a platform-wide référent runs them all."""

import html

import pytest

from evenements.forms import EvenementForm
from evenements.models import Evenement
from tests.communes import two_communes
from tests.queries import page_queries

from .factories import EvenementFactory, InscriptionFactory, in_days
from .test_gestion import form_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def world():
    return two_communes()


@pytest.fixture
def events(world):
    return {
        "a": EvenementFactory(title="Stand de Rimbart", quartiers=[world.rimbart]),
        "b": EvenementFactory(title="Stand de la Cité B", quartiers=[world.cite_b]),
        "both": EvenementFactory(title="Fête de la Cité 5", quartiers=[world.cite_5]),
    }


def test_a_mediator_lists_the_events_of_her_communes_and_of_their_intercommunal_quartiers(
    client_for, world, events
):
    page = text(client_for(world.mediateur_b).get("/evenements/gestion/"))

    assert "Stand de la Cité B" in page
    assert "Fête de la Cité 5" in page
    assert "Stand de Rimbart" not in page


def test_a_platform_wide_referent_lists_every_event(client_for, world, events):
    page = text(client_for(world.referent_all).get("/evenements/gestion/"))

    assert all(event.title in page for event in events.values())


@pytest.mark.parametrize(
    "path",
    [
        "modifier/",
        "dupliquer/",
        "apercu/",
        "annuler/",
        "inscriptions/",
        "inscriptions.csv",
        "inscrire-une-personne/",
    ],
)
def test_another_communes_event_does_not_exist_for_her(client_for, world, events, path):
    client = client_for(world.mediateur_b)

    assert client.get(f"/evenements/{events['a'].pk}/{path}").status_code == 404
    # The preview of a published event is the event's own page.
    expected = 302 if path == "apercu/" else 200
    assert client.get(f"/evenements/{events['both'].pk}/{path}").status_code == expected


def test_she_cannot_cancel_a_registration_to_another_communes_event(client_for, world, events):
    inscription = InscriptionFactory(evenement=events["a"])

    response = client_for(world.referent_b).post(
        f"/evenements/inscriptions/{inscription.pk}/annuler/"
    )

    assert response.status_code == 404
    inscription.refresh_from_db()
    assert inscription.status == inscription.Status.CONFIRMEE


def test_the_event_form_offers_the_quartiers_of_her_communes_only(world):
    offered = set(EvenementForm(user=world.mediateur_b).fields["quartiers"].queryset)

    assert offered == {world.cite_b, world.cite_5}
    assert set(EvenementForm(user=world.referent_all).fields["quartiers"].queryset) == {
        world.rimbart,
        world.cite_b,
        world.cite_5,
    }


def test_the_server_refuses_a_quartier_of_another_commune_in_french(client_for, world):
    response = client_for(world.mediateur_b).post(
        "/evenements/gestion/nouveau/", form_data(world.rimbart)
    )

    assert response.status_code == 200
    assert "Ce quartier n'est pas dans vos communes" in text(response)
    assert not Evenement.objects.exists()


def test_she_creates_an_event_in_an_intercommunal_quartier(client_for, world):
    response = client_for(world.mediateur_b).post(
        "/evenements/gestion/nouveau/", form_data(world.cite_5)
    )

    assert response.status_code == 302
    assert list(Evenement.objects.get().quartiers.all()) == [world.cite_5]


def test_editing_an_event_keeps_its_quartiers_of_other_communes(client_for, world):
    event = EvenementFactory(quartiers=[world.rimbart, world.cite_b])
    client = client_for(world.mediateur_b)

    page = text(client.get(f"/evenements/{event.pk}/modifier/"))
    response = client.post(
        f"/evenements/{event.pk}/modifier/", form_data(world.cite_b, title="Nouveau titre")
    )

    assert "hors de vos communes : Rimbart" in page
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Nouveau titre"
    assert set(event.quartiers.all()) == {world.rimbart, world.cite_b}


def test_the_event_page_offers_its_management_to_its_communes_staff_only(client_for, world, events):
    url = events["a"].get_absolute_url()

    assert "Gestion de l'événement" in text(client_for(world.mediateur_a).get(url))
    assert "Gestion de l'événement" not in text(client_for(world.mediateur_b).get(url))


def test_a_draft_of_another_commune_is_not_shown_to_her(client_for, world):
    draft = EvenementFactory(quartiers=[world.rimbart], status=Evenement.Status.BROUILLON)

    assert client_for(world.mediateur_b).get(draft.get_absolute_url()).status_code == 404
    assert client_for(world.mediateur_a).get(draft.get_absolute_url()).status_code == 302


def test_the_referent_space_shows_the_events_of_her_communes_only(client_for, world, events):
    EvenementFactory(
        title="Brouillon de Rimbart", quartiers=[world.rimbart], status=Evenement.Status.BROUILLON
    )

    page = text(client_for(world.referent_b).get("/gestion/"))
    section = page[page.index('id="evenements"') :]

    assert "Stand de la Cité B" in section
    assert "Fête de la Cité 5" in section
    assert "Rimbart" not in section
    assert "2 à venir · 0 brouillon(s)" in page


def test_the_event_pages_of_a_referent_given_communes_run_constant_queries(client_for, world):
    client = client_for(world.referent_b)
    EvenementFactory(quartiers=[world.cite_b], starts_at=in_days(2))
    small = [page_queries(client, url) for url in ("/evenements/gestion/", "/gestion/")]
    for day in range(6):
        EvenementFactory(quartiers=[world.cite_b, world.cite_5], starts_at=in_days(day + 3))
        EvenementFactory(quartiers=[world.rimbart], starts_at=in_days(day + 3))

    assert [page_queries(client, url) for url in ("/evenements/gestion/", "/gestion/")] == small
