import pytest

from participation.accounts.models import Role
from participation.core import health
from tests.factories import UserFactory

TOKEN = "jeton-de-la-supervision-" + "x" * 20
# What a real failure says: where the servers are and who connects.
LEAK = 'connection to server at "10.0.0.12", port 5432 failed: FATAL: role "participation"'


@pytest.fixture
def broken_database(monkeypatch):
    def broken():
        raise ConnectionError(LEAK)

    monkeypatch.setitem(health.CHECKS, "base_de_donnees", broken)


@pytest.mark.django_db
def test_health_reports_every_service_as_json(client):
    response = client.get("/sante/")

    assert response.status_code == 200
    body = response.json()
    assert body["etat"] == "ok"
    assert set(body["services"]) == {
        "base_de_donnees",
        "cache",
        "couche_temps_reel",
        "file_de_taches",
    }


@pytest.mark.django_db
def test_the_public_reads_which_part_is_down_and_nothing_of_the_error(client, broken_database):
    response = client.get("/sante/")

    assert response.status_code == 503
    body = response.json()
    assert body["etat"] == "degrade"
    database = health.service_names()["base_de_donnees"]  # PostgreSQL, or SQLite (make run)
    assert body["services"]["base_de_donnees"] == {"etat": "en panne", "service": database}
    # Healthy parts say no more than their state either.
    assert all(set(part) == {"etat", "service"} for part in body["services"].values())
    text = response.content.decode()
    for secret in ("10.0.0.12", "5432", "participation", "ConnectionError", "FATAL"):
        assert secret not in text


def read_error(client, **kwargs) -> str | None:
    response = client.get("/sante/", **kwargs)
    assert response.status_code == 503
    return response.json()["services"]["base_de_donnees"].get("detail")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["mediateur", "comite", "referent"])
def test_signed_in_staff_read_the_error_that_residents_do_not(
    client, broken_database, alice, who, request
):
    client.force_login(alice)
    assert read_error(client) is None

    client.force_login(request.getfixturevalue(who))
    database = health.service_names()["base_de_donnees"]
    assert read_error(client) == f"{database} : ConnectionError: {LEAK}"[:200]
    # What a healthy check says comes with it.
    assert client.get("/sante/").json()["services"]["cache"]["detail"]


@pytest.mark.django_db
def test_a_staff_account_without_its_second_factor_reads_only_the_states(client, broken_database):
    client.force_login(UserFactory(role=Role.MEDIATEUR, totp=False))

    assert read_error(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "wrong",
    [
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
        "Bearer é",
    ],
)
def test_the_monitoring_token_reads_the_error_and_a_wrong_one_does_not(
    client, broken_database, settings, wrong
):
    settings.HEALTH_TOKEN = TOKEN

    assert read_error(client, headers={"Authorization": wrong}) is None
    assert LEAK in read_error(client, headers={"Authorization": f"Bearer {TOKEN}"})
    assert LEAK in read_error(client, headers={"Authorization": f"bearer  {TOKEN} "})


@pytest.mark.django_db
def test_without_a_configured_token_no_token_is_accepted(client, broken_database, settings):
    settings.HEALTH_TOKEN = ""

    assert read_error(client, headers={"Authorization": "Bearer "}) is None
