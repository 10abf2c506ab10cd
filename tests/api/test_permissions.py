"""Every endpoint checks role and object as the pages do; anonymous calls see public data only."""

import json

import pytest

from consultations.models import Expression, Status, Visibility
from participation.accounts.models import Role
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import InscriptionFactory
from tests.factories import UserFactory

from .conftest import SYNC, entry

SESSION = "/api/terrain/session/"


@pytest.mark.django_db
def test_a_habitants_session_cannot_use_the_sync_endpoint(api_for, alice, rimbart):
    response = api_for(alice).post(SYNC, {"entrees": [entry(rimbart)]}, format="json")

    assert response.status_code == 403
    assert response.json()["erreur"]["code"] == "interdit"
    assert "médiateur" in response.json()["erreur"]["message"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_anonymous_call_to_the_sync_endpoint_is_told_to_sign_in(api_for, rimbart):
    response = api_for().post(SYNC, {"entrees": [entry(rimbart)]}, format="json")

    assert response.status_code == 403
    assert response.json()["erreur"]["code"] == "non_authentifie"
    assert not Expression.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.HABITANT, 403), (Role.COMITE, 403), (Role.MEDIATEUR, 200), (Role.REFERENT, 200)],
)
def test_only_mediators_and_the_referent_may_sync(api_for, rimbart, role, expected):
    user = UserFactory(role=role)

    assert api_for(user).get(SESSION).status_code == expected
    response = api_for(user).post(SYNC, {"entrees": [entry(rimbart)]}, format="json")
    assert response.status_code == expected
    assert Expression.objects.count() == (1 if expected == 200 else 0)


@pytest.mark.django_db
def test_a_mediator_without_second_factor_cannot_sync(api_for, rimbart):
    mediator = UserFactory(role=Role.MEDIATEUR, totp=False)

    response = api_for(mediator).post(SYNC, {"entrees": [entry(rimbart)]}, format="json")

    # The API's own French error, not a redirect to the set-up page a program cannot follow.
    assert response.status_code == 403
    assert response.json()["erreur"]["code"] == "interdit"
    assert "double authentification" in response.json()["erreur"]["message"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_session_check_tells_an_expired_session_apart(api_for, mediateur):
    assert api_for(mediateur).get(SESSION).json()["peut_synchroniser"] is True
    expired = api_for().get(SESSION)
    assert expired.status_code == 403
    assert expired.json()["erreur"]["code"] == "non_authentifie"


@pytest.mark.django_db
def test_csrf_is_enforced_for_session_writes(api_for, mediateur, alice, rimbart):
    mediator_client = api_for(mediateur, csrf=True)
    resident_client = api_for(alice, csrf=True)

    sync = mediator_client.post(SYNC, {"entrees": [entry(rimbart)]}, format="json")
    create = resident_client.post(
        "/api/expressions/", {"quartier": rimbart.slug, "text": "Bonjour"}, format="json"
    )

    for response in (sync, create):
        assert response.status_code == 403
        assert response.json()["erreur"]["code"] == "csrf"
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_with_the_csrf_token_a_session_write_goes_through(api_for, mediateur, rimbart):
    client = api_for(mediateur, csrf=True)
    client.get("/terrain/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        SYNC, {"entrees": [entry(rimbart)]}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 200
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_api_calls_see_only_public_data(api_for, rimbart, mediateur):
    resident = UserFactory(email="gerard.secret@example.org", display_name="Gérard")
    public = ExpressionFactory(quartier=rimbart, author=resident, status=Status.PUBLIEE)
    private = ExpressionFactory(
        quartier=rimbart, author=resident, status=Status.PUBLIEE, visibility=Visibility.PRIVATE
    )
    waiting = ExpressionFactory(quartier=rimbart, author=resident, status=Status.SOUMISE)
    field = ExpressionFactory(
        quartier=rimbart,
        author=None,
        recorded_by=mediateur,
        source="stand",
        contact="06 11 22 33 44",
        contact_consent=True,
        status=Status.PUBLIEE,
    )
    inscription = InscriptionFactory(
        user=UserFactory(email="inscrite.secret@example.org", display_name="Inscrite")
    )
    event = inscription.evenement
    client = api_for()

    pages = [
        client.get(url)
        for url in [
            "/api/expressions/",
            f"/api/expressions/{public.pk}/",
            f"/api/expressions/{field.pk}/",
            "/api/evenements/",
            f"/api/evenements/{event.pk}/",
            "/api/quartiers/",
            f"/api/quartiers/{rimbart.slug}/",
            "/api/objectifs/",
            "/api/enjeux/",
        ]
    ]

    assert all(response.status_code == 200 for response in pages)
    listed = {row["id"] for row in pages[0].json()["results"]}
    assert listed == {public.pk, field.pk}
    everything = json.dumps([response.json() for response in pages], ensure_ascii=False)
    for secret in [
        "gerard.secret@example.org",
        "Gérard",
        "inscrite.secret@example.org",
        "Inscrite",
        "06 11 22 33 44",
        mediateur.email,
        private.text,
        waiting.text,
    ]:
        assert secret not in everything
    for hidden in (private, waiting):
        response = client.get(f"/api/expressions/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json()["erreur"]["code"] == "introuvable"


@pytest.mark.django_db
def test_private_expressions_stay_off_the_api_even_for_staff(api_for, rimbart, referent):
    private = ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, visibility=Visibility.PRIVATE
    )

    client = api_for(referent)

    assert private.pk not in {r["id"] for r in client.get("/api/expressions/").json()["results"]}
    assert client.get(f"/api/expressions/{private.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/quartiers/", "/api/enjeux/", "/api/objectifs/", "/api/evenements/"]
)
def test_the_read_only_endpoints_refuse_writes_in_the_error_format(api_for, mediateur, url):
    response = api_for(mediateur).post(url, {}, format="json")

    assert response.status_code == 405
    assert response.json()["erreur"]["code"] == "methode_non_autorisee"


@pytest.mark.django_db
def test_the_author_reads_what_she_just_sent_at_its_address_and_no_one_else_does(
    api_for, alice, bob, rimbart
):
    """What Schemathesis's stateful phase checks (ST302): a resource created is found."""
    sent = api_for(alice).post(
        "/api/expressions/",
        {"quartier": rimbart.slug, "text": "Un banc près de l'arrêt de bus, s'il vous plaît."},
        format="json",
    )
    assert sent.status_code == 201
    address = f"/api/expressions/{sent.json()['id']}/"

    mine = api_for(alice).get(address)

    assert mine.status_code == 200
    assert mine.json()["status"] == Status.SOUMISE
    for other in (api_for(bob), api_for()):
        assert other.get(address).status_code == 404  # not published yet
    Expression.objects.filter(pk=sent.json()["id"]).update(visibility=Visibility.PRIVATE)
    assert api_for(alice).get(address).status_code == 404  # private: never on the API
