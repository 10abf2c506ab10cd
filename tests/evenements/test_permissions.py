"""Who may run events: every staff page for every role."""

import pytest

from tests.factories import UserFactory

from .factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/evenements/gestion/",
    "/evenements/gestion/nouveau/",
    "/evenements/{pk}/modifier/",
    "/evenements/{pk}/dupliquer/",
    "/evenements/{pk}/annuler/",
    "/evenements/{pk}/inscriptions/",
    "/evenements/{pk}/inscriptions.csv",
    "/evenements/{pk}/inscrire-une-personne/",
]


@pytest.fixture
def event():
    event = EvenementFactory()
    InscriptionFactory(evenement=event)
    return event


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_an_anonymous_visitor_is_sent_to_login(client, event, page):
    response = client.get(page.format(pk=event.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("who", ["alice", "comite"])
def test_a_habitant_or_a_committee_member_cannot_run_events(client_for, event, page, who, request):
    response = client_for(request.getfixturevalue(who)).get(page.format(pk=event.pk))
    assert response.status_code == 403


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("who", ["mediateur", "referent"])
def test_mediators_and_referents_run_events(client_for, event, page, who, request):
    response = client_for(request.getfixturevalue(who)).get(page.format(pk=event.pk))
    assert response.status_code == 200


def test_a_mediator_without_second_factor_must_set_it_up_first(client_for, event):
    mediateur = UserFactory(role="mediateur", totp=False)
    response = client_for(mediateur).get("/evenements/gestion/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/totp/activate/"


@pytest.mark.parametrize(
    "page",
    [
        "/evenements/{pk}/modifier/",
        "/evenements/{pk}/annuler/",
        "/evenements/{pk}/presences/",
        "/evenements/{pk}/inscrire-une-personne/",
        "/evenements/gestion/nouveau/",
    ],
)
def test_a_habitant_cannot_post_to_staff_actions(client_for, alice, event, page):
    response = client_for(alice).post(page.format(pk=event.pk), {"reason": "x", "title": "x"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == "publie"


def test_a_habitant_cannot_cancel_someone_elses_registration(client_for, alice, event):
    inscription = event.inscriptions.get()
    response = client_for(alice).post(f"/evenements/inscriptions/{inscription.pk}/annuler/")
    assert response.status_code == 403
    inscription.refresh_from_db()
    assert inscription.status == "confirmee"


def test_the_event_page_shows_staff_links_only_to_staff(client_for, alice, mediateur, event):
    assert (
        "Inscriptions et présences"
        not in client_for(alice).get(event.get_absolute_url()).content.decode()
    )
    assert (
        "Inscriptions et présences"
        in client_for(mediateur).get(event.get_absolute_url()).content.decode()
    )


def test_the_staff_menu_links_running_events_for_mediators_only(client_for, mediateur, comite):
    assert "/evenements/gestion/" in client_for(mediateur).get("/evenements/").content.decode()
    assert "/evenements/gestion/" not in client_for(comite).get("/evenements/").content.decode()
