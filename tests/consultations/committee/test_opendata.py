"""Open data in the API: published expressions anonymised, counts per quartier and objective."""

import csv
import io

import pytest
from django.core.management import call_command

from consultations.committee import services as committee
from consultations.models import Decision, Status, Visibility
from tests.consultations.factories import ExpressionFactory
from tests.factories import ObjectifFactory, UserFactory

from .factories import SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(instance_a, rimbart, cite5, comite):
    objectif = ObjectifFactory(quartier=rimbart, operationnel="Éclairer les rues")
    named = ExpressionFactory(
        quartier=rimbart,
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_NAMED,
        author=UserFactory(display_name="Josiane", email="josiane@example.org"),
        text="Il fait noir rue Émile Zola, ça fait peur.",
        objectifs=[objectif],
        supports_count=3,
    )
    answered = routed(instance_a, quartier=rimbart, objectifs=[objectif], text="Plus de bancs.")
    item = on_agenda(SeanceFactory(instance=instance_a), answered)
    committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Bancs en mai.")
    secret = routed(instance_a, quartier=rimbart, visibility=Visibility.PRIVATE, text="Secret.")
    item = on_agenda(SeanceFactory(instance=instance_a), secret)
    committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Interne.")
    ExpressionFactory(quartier=cite5, status=Status.SOUMISE, text="Pas encore lue.")
    return {"named": named, "answered": answered, "objectif": objectif}


def test_the_json_lists_published_expressions_without_any_name(client, data):
    body = client.get("/api/donnees-ouvertes/expressions/").json()
    assert body["count"] == 2
    by_id = {row["id"]: row for row in body["results"]}
    named = by_id[data["named"].pk]
    assert named["quartier"] == "rimbart" and named["objectifs"] == [data["objectif"].pk]
    assert named["text"] == "Il fait noir rue Émile Zola, ça fait peur."
    assert named["decision"] is None
    answered = by_id[data["answered"].pk]
    assert (answered["decision"], answered["answer"]) == ("retenue", "Bancs en mai.")
    flat = repr(body)
    for secret in ("Josiane", "josiane@example.org", "Secret.", "Interne.", "Pas encore lue."):
        assert secret not in flat


def test_the_csv_has_the_same_rows(client, data):
    response = client.get("/api/donnees-ouvertes/expressions.csv")
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {int(row["id"]) for row in table} == {data["named"].pk, data["answered"].pk}
    row = next(r for r in table if int(r["id"]) == data["answered"].pk)
    assert row["decision"] == "retenue" and row["enjeux"] == "1"
    assert "Josiane" not in text and "Interne." not in text


def test_counts_per_quartier_and_objective_in_json_and_csv(client, data, rimbart):
    rows = client.get("/api/donnees-ouvertes/comptes/?quartier=rimbart").json()
    eclairer = next(r for r in rows if r["objectif"] == data["objectif"].pk)
    assert (eclairer["expressions"], eclairer["supports"], eclairer["answered"]) == (2, 3, 1)
    assert {r["quartier"] for r in rows} == {"rimbart"}
    without = next(r for r in rows if r["objectif"] is None)
    assert without["expressions"] == 0  # the private one is not published
    response = client.get("/api/donnees-ouvertes/comptes.csv")
    text = b"".join(response.streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert any(
        r["objectif_label"] == "Éclairer les rues" and r["expressions"] == "2" for r in table
    )


def test_the_schema_describes_the_open_data(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/donnees-ouvertes/expressions.csv" in schema
    assert "/api/donnees-ouvertes/comptes/" in schema
