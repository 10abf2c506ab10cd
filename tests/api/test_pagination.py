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
def test_the_page_size_is_capped_at_one_hundred(api_for, rimbart):
    ObjectifFactory.create_batch(105, quartier=rimbart)

    body = api_for().get("/api/objectifs/", {"taille": 1000}).json()

    assert len(body["results"]) == 100
    assert body["next"]


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
