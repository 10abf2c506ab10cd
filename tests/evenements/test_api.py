import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from evenements.models import Evenement
from tests.factories import QuartierFactory

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def test_the_api_lists_upcoming_events_with_places_left(client):
    rimbart = QuartierFactory(slug="rimbart")
    event = EvenementFactory(title="Stand", quartiers=[rimbart], capacity=5)
    InscriptionFactory(evenement=event, adults=2)
    EvenementFactory(title="Passé", starts_at=in_days(-3), ends_at=in_days(-3, 18))
    data = client.get("/api/evenements/").json()
    assert data["count"] == 1
    assert data["messages"] == []
    item = data["results"][0]
    assert item["title"] == "Stand"
    assert item["quartiers"] == ["rimbart"]
    assert item["places_left"] == 3
    assert item["is_full"] is False
    assert item["ical_url"].endswith(f"/evenements/{event.pk}/evenement.ics")


def test_the_api_uses_the_same_filters(client):
    rimbart = QuartierFactory(slug="rimbart")
    EvenementFactory(title="Rimbart", quartiers=[rimbart])
    EvenementFactory(title="Table ronde", kind=Evenement.Kind.TABLE_RONDE)
    assert [
        e["title"] for e in client.get("/api/evenements/?quartier=rimbart").json()["results"]
    ] == ["Rimbart"]
    assert [
        e["title"] for e in client.get("/api/evenements/?type=table_ronde").json()["results"]
    ] == ["Table ronde"]


def test_a_filter_that_matches_nothing_gives_an_empty_list_and_its_reasons(client):
    EvenementFactory()
    response = client.get("/api/evenements/?du=2026-12-10&au=2026-12-01&quartier=atlantide")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 0
    assert data["results"] == []
    assert any("avant la date de début" in message for message in data["messages"])
    assert any("Ce quartier n'existe pas." in message for message in data["messages"])


@pytest.mark.parametrize(
    ("query", "field"),
    [("du=2026-13-45", "du"), ("type=AAA", "type"), ("ouvert=peut-etre", "ouvert")],
)
def test_a_filter_of_the_wrong_form_is_refused_as_the_schema_says(client, query, field):
    response = client.get(f"/api/evenements/?{query}")
    assert response.status_code == 400
    assert list(response.json()["erreur"]["champs"]) == [field]


def test_the_api_detail_gives_times_in_europe_paris(client):
    start = timezone.make_aware(dt.datetime(2030, 7, 10, 15))
    event = EvenementFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    data = client.get(f"/api/evenements/{event.pk}/").json()
    assert data["starts_at"] == "2030-07-10T15:00:00+02:00"


def test_the_api_is_read_only(client_for, mediateur):
    client = client_for(mediateur)
    assert client.post("/api/evenements/", {"title": "x"}).status_code == 405


def test_the_events_are_in_a_valid_openapi_schema_without_warnings(client, tmp_path, capsys):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert "/api/evenements/{id}/" in schema.content.decode()
    # The whole schema must validate; warnings of the events' part must be none (other
    # apps' warnings are theirs: `make quality` runs --fail-on-warn on everything).
    call_command("spectacular", "--validate", "--file", str(tmp_path / "s.yml"))
    output = capsys.readouterr()
    for line in (output.out + output.err).splitlines():
        assert "evenement" not in line.lower(), line
