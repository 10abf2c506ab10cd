"""The read-only JSON API of the referential."""

from participation.territory.models import Objectif
from tests.factories import ObjectifFactory, QuartierFactory


def test_it_lists_the_quartiers(client, referentiel):
    data = client.get("/api/quartiers/").json()
    assert data["count"] == 4
    assert [q["code"] for q in data["results"]] == [
        "QP 06 20 04",
        "QP 06 20 05",
        "QP 06 20 15",
        "QP 06 20 06",
    ]
    cite5 = data["results"][1]
    assert cite5["slug"] == "cite-5"
    assert [c["name"] for c in cite5["communes"]] == [
        "Auchel",
        "Calonne-Ricouart",
        "Marles-les-Mines",
    ]
    assert cite5["url"].endswith("/api/quartiers/cite-5/")
    assert cite5["page"].endswith("/quartiers/cite-5/")


def test_a_quartier_comes_with_its_portrait_and_findings(client, referentiel):
    data = client.get("/api/quartiers/centre-ville/").json()
    assert data["code"] == "QP 06 20 04"
    assert len(data["indicators"]) == 7
    poverty = data["indicators"][0]
    assert (poverty["key"], poverty["value"], poverty["agglomeration_value"]) == (
        "taux-pauvrete",
        "45.4",
        "18.8",
    )
    kinds = [f["kind"] for f in data["findings"]]
    assert (kinds.count("irritant"), kinds.count("opportunite")) == (9, 8)
    assert kinds.count("enjeu_prioritaire") == 4


def test_an_unknown_quartier_is_a_404(client, referentiel):
    assert client.get("/api/quartiers/nulle-part/").status_code == 404


def test_it_lists_the_enjeux(client, referentiel):
    data = client.get("/api/enjeux/").json()
    assert [e["number"] for e in data["results"]] == [1, 2, 3]
    assert (
        client.get("/api/enjeux/3/").json()["title"] == "Des quartiers à l'épreuve des transitions"
    )


def test_objectifs_filter_by_quartier_and_enjeu(client, referentiel):
    assert client.get("/api/objectifs/").json()["count"] == 74
    assert client.get("/api/objectifs/?quartier=rimbart").json()["count"] == 17
    data = client.get("/api/objectifs/?quartier=centre-ville&enjeu=3").json()
    assert data["count"] == 7
    first = data["results"][0]
    assert (first["quartier"], first["enjeu"], first["operationnel"]) == ("centre-ville", 3, "")
    assert client.get("/api/objectifs/?enjeu=1").json()["count"] == 12


def test_objectifs_are_paginated(client, referentiel):
    data = client.get("/api/objectifs/").json()
    assert len(data["results"]) == 50
    assert data["next"].endswith("/api/objectifs/?page=2")


def test_the_api_is_read_only(client, referent, client_for, referentiel):
    client_for(referent)
    assert client.post("/api/quartiers/", {}).status_code in {403, 405}
    objectif = Objectif.objects.first()
    assert client.delete(f"/api/objectifs/{objectif.pk}/").status_code in {403, 405}
    assert Objectif.objects.filter(pk=objectif.pk).exists()


def test_the_objectifs_list_makes_the_same_queries_whatever_its_length(
    client, db, django_assert_num_queries
):
    quartier = QuartierFactory(slug="petit")
    ObjectifFactory(quartier=quartier)
    with django_assert_num_queries(2):
        client.get("/api/objectifs/?quartier=petit")
    big = QuartierFactory(slug="grand")
    for _ in range(30):
        ObjectifFactory(quartier=big)
    with django_assert_num_queries(2):
        client.get("/api/objectifs/?quartier=grand")


def test_the_schema_describes_the_referential(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for route in ["/api/quartiers/{slug}/", "/api/enjeux/{number}/", "/api/objectifs/"]:
        assert route in schema
