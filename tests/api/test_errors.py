"""One French error format for every error, whatever the endpoint."""

import pytest

from tests.factories import UserFactory

from .conftest import SYNC, entry


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"erreur"}
    assert body["erreur"]["code"] == code
    assert isinstance(body["erreur"]["message"], str) and body["erreur"]["message"]
    return body["erreur"]


@pytest.mark.django_db
def test_invalid_data_names_each_field_in_french(api_for, alice, rimbart):
    erreur = assert_error(
        api_for(alice).post("/api/expressions/", {"quartier": "nulle-part"}, format="json"),
        400,
        "donnees_invalides",
    )

    assert erreur["message"] == "Certaines informations sont à corriger."
    assert "quartier" in erreur["champs"]


@pytest.mark.django_db
def test_malformed_json_is_a_readable_error(api_for, mediateur):
    response = api_for(mediateur).post(SYNC, data="{pas du json", content_type="application/json")

    assert_error(response, 400, "requete_illisible")


@pytest.mark.django_db
def test_a_form_encoded_sync_is_refused_as_unsupported(api_for, mediateur):
    response = api_for(mediateur).post(SYNC, {"entrees": "x"})

    assert_error(response, 415, "format_non_pris_en_charge")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/quartiers/nulle-part/",
        "/api/enjeux/9/",
        "/api/objectifs/999999/",
        "/api/evenements/999999/",
        "/api/expressions/999999/",
        "/api/rien-par-ici/",
    ],
)
def test_what_does_not_exist_is_a_french_404(api_for, url):
    erreur = assert_error(api_for().get(url), 404, "introuvable")

    assert "n'existe pas" in erreur["message"]


@pytest.mark.django_db
def test_an_unknown_api_address_without_slash_is_redirected_like_the_site(api_for):
    assert api_for().get("/api/quartiers").status_code == 301
    assert_error(api_for().get("/api/nulle-part"), 404, "introuvable")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/quartiers/", "/api/objectifs/", "/api/evenements/", "/api/expressions/"]
)
def test_a_page_beyond_the_list_is_a_french_404(api_for, url):
    erreur = assert_error(api_for().get(url, {"page": 99}), 404, "page_introuvable")

    assert "« 99 »" in erreur["message"]


@pytest.mark.django_db
def test_a_filter_that_cannot_be_read_is_a_400(api_for):
    erreur = assert_error(
        api_for().get("/api/objectifs/", {"enjeu": "trois"}), 400, "donnees_invalides"
    )

    assert "enjeu" in erreur["champs"]


@pytest.mark.django_db
def test_an_unverified_account_is_told_why_it_cannot_post(api_for, rimbart):
    unverified = UserFactory(verified=False)

    erreur = assert_error(
        api_for(unverified).post("/api/expressions/", {"quartier": rimbart.slug}, format="json"),
        403,
        "interdit",
    )

    assert "adresse électronique" in erreur["message"]


@pytest.mark.django_db
def test_too_many_messages_is_a_429_with_retry_after(api_for, alice, rimbart, settings):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = api_for(alice)
    payload = {"quartier": rimbart.slug, "text": "Bonjour"}
    client.post("/api/expressions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="a")

    response = client.post("/api/expressions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="b")

    assert_error(response, 429, "trop_de_requetes")
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_errors_of_the_sync_and_the_create_share_one_format(api_for, alice, mediateur, rimbart):
    habitant = assert_error(
        api_for(alice).post(SYNC, {"entrees": [entry(rimbart)]}, format="json"), 403, "interdit"
    )
    anonymous = assert_error(
        api_for().post("/api/expressions/", {}, format="json"), 403, "non_authentifie"
    )
    batch = assert_error(api_for(mediateur).post(SYNC, {}, format="json"), 400, "donnees_invalides")

    assert {"code", "message"} <= set(habitant) and {"code", "message"} <= set(anonymous)
    assert batch["champs"] == {"entrees": ["Envoyez les saisies dans une liste « entrees »."]}


@pytest.mark.django_db
def test_a_request_too_large_is_a_413_in_the_format(api_for, mediateur, rimbart, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    big = [entry(rimbart, text="x" * 3000)]

    response = api_for(mediateur).post(SYNC, {"entrees": big}, format="json")

    assert_error(response, 413, "trop_volumineux")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/objectifs/", {"quartier": "\x00", "enjeu": "\x00"}),
        ("/api/evenements/", {"quartier": "\x00", "du": "\x00", "type": "\x00"}),
        ("/api/expressions/", {"quartier": "\x00", "q": "\x00"}),
        ("/api/quartiers/", {"page": "\x00", "taille": "\x00"}),
    ],
)
def test_a_nul_byte_in_a_query_is_never_a_server_error(api_for, url, params):
    response = api_for().get(url, params)

    assert response.status_code < 500


@pytest.mark.django_db
def test_a_nul_byte_anywhere_in_an_api_query_is_a_400_before_any_view(api_for):
    erreur = assert_error(
        api_for().get("/api/donnees-ouvertes/comptes/", {"quartier": "\x00"}),
        400,
        "donnees_invalides",
    )

    assert "caractère nul" in erreur["champs"]["quartier"][0]
