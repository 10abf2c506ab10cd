"""Every list of the API is paginated the same way."""

import pytest

from consultations.models import Status
from tests.consultations.factories import ExpressionFactory, ObjectifFactory
from tests.evenements.factories import EvenementFactory

LISTS = [
    "/api/quartiers/",
    "/api/enjeux/",
    "/api/objectifs/",
    "/api/evenements/",
    "/api/expressions/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_paginated(api_for, url, rimbart):
    ObjectifFactory.create_batch(3, quartier=rimbart)
    EvenementFactory.create_batch(3, quartiers=[rimbart])
    ExpressionFactory.create_batch(3, quartier=rimbart, status=Status.PUBLIEE)

    body = api_for().get(url, {"taille": 1}).json()

    assert set(body) >= {"count", "next", "previous", "results"}
    assert len(body["results"]) == 1
    assert body["count"] >= 1
    if body["count"] > 1:
        assert "taille=1" in body["next"] and "page=2" in body["next"]


@pytest.mark.django_db
def test_a_page_holds_one_hundred_at_most_and_more_is_refused_as_the_schema_says(api_for, rimbart):
    ObjectifFactory.create_batch(105, quartier=rimbart)

    body = api_for().get("/api/objectifs/", {"taille": 100}).json()
    too_many = api_for().get("/api/objectifs/", {"taille": 1000})

    assert len(body["results"]) == 100
    assert body["next"]
    assert too_many.status_code == 400
    assert too_many.json()["erreur"]["champs"]["taille"] == [
        "Assurez-vous que cette valeur est inférieure ou égale à 100."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "Assurez-vous que cette valeur est supérieure ou égale à\xa01."),
        ("page=deux", "page", "Un nombre entier valide est requis."),
        ("taille=", "taille", "Un nombre entier valide est requis."),
        ("taille=null&taille=null", "taille", "Donnez ce paramètre une seule fois."),
        ("taille=2&taille=3", "taille", "Donnez ce paramètre une seule fois."),
    ],
)
def test_page_parameters_of_the_wrong_form_are_a_french_400(
    api_for, rimbart, query, field, message
):
    response = api_for().get(f"/api/objectifs/?{query}")

    assert response.status_code == 400
    assert response.json()["erreur"]["code"] == "donnees_invalides"
    assert response.json()["erreur"]["champs"][field] == [message]


@pytest.mark.django_db
def test_a_page_past_the_last_is_a_french_404(api_for, rimbart):
    response = api_for().get("/api/objectifs/?page=9")

    assert response.status_code == 404
    assert response.json()["erreur"]["code"] == "page_introuvable"


def test_the_schema_declares_the_bounds_of_page_and_taille(api_for, db):
    import yaml

    schema = yaml.safe_load(api_for().get("/api/schema/").content)
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/objectifs/"]["get"]["parameters"]
    }

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["taille"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_the_schema_lists_every_list_as_paginated(api_for, db):
    import yaml

    schema = yaml.safe_load(api_for().get("/api/schema/").content)
    for url in LISTS:
        operation = schema["paths"][url]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"page", "taille"} <= names, url
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(component["properties"])
