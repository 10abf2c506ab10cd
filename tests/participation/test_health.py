import pytest


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
def test_health_answers_503_naming_the_broken_service(client, monkeypatch):
    from participation.core import health

    def broken():
        raise ConnectionError("Redis injoignable")

    monkeypatch.setitem(health.CHECKS, "cache", broken)

    response = client.get("/sante/")

    assert response.status_code == 503
    assert response.json()["services"]["cache"]["etat"] == "en panne"
    assert "Redis injoignable" in response.json()["services"]["cache"]["detail"]
