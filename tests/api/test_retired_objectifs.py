"""Retired objectives in the field mode: its list no longer offers them, its sync refuses them
unless the entry was said before the retirement."""

import datetime as dt

import pytest
from django.utils import timezone

from consultations.models import Expression
from tests.consultations.factories import ObjectifFactory

from .conftest import SYNC, entry

LIST = "/api/objectifs/"


def paris_iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@pytest.fixture
def retired_yesterday(rimbart):
    return ObjectifFactory(
        quartier=rimbart,
        operationnel="Ouvrir un local associatif rue Basly",
        retired_on=timezone.localdate() - dt.timedelta(days=1),
        retired_reason="Avenant n° 2",
    )


@pytest.mark.django_db
def test_the_list_of_objectifs_gives_only_those_in_force(
    api_for, mediation_rimbart, retired_yesterday, rimbart
):
    retired_tomorrow = ObjectifFactory(
        quartier=rimbart, retired_on=timezone.localdate() + dt.timedelta(days=1)
    )

    body = api_for().get(LIST).json()

    ids = [row["id"] for row in body["results"]]
    assert sorted(ids) == sorted([mediation_rimbart.pk, retired_tomorrow.pk])
    assert retired_yesterday.pk not in ids


@pytest.mark.django_db
def test_the_list_gives_retired_objectifs_too_when_asked_with_their_date(
    api_for, mediation_rimbart, retired_yesterday
):
    body = api_for().get(LIST, {"y_compris_retires": "true"}).json()

    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {mediation_rimbart.pk, retired_yesterday.pk}
    assert by_id[retired_yesterday.pk]["retired_on"] == retired_yesterday.retired_on.isoformat()
    assert by_id[mediation_rimbart.pk]["retired_on"] is None


@pytest.mark.django_db
def test_a_retired_objectif_stays_readable_by_its_own_address(api_for, retired_yesterday):
    response = api_for().get(f"{LIST}{retired_yesterday.pk}/")

    assert response.status_code == 200
    assert response.json()["retired_on"] == retired_yesterday.retired_on.isoformat()


@pytest.mark.django_db
def test_a_malformed_retired_flag_is_refused_in_the_apis_error_format(api_for):
    response = api_for().get(LIST, {"y_compris_retires": "peut-etre"})

    assert response.status_code == 400
    assert response.json()["erreur"]["code"] == "donnees_invalides"
    assert "y_compris_retires" in response.json()["erreur"]["champs"]


@pytest.mark.django_db
def test_an_entry_said_after_its_objectif_was_retired_is_refused_in_french(
    api_for, mediateur, rimbart, retired_yesterday, mediation_rimbart
):
    typed = entry(rimbart, objectifs=[retired_yesterday.pk, mediation_rimbart.pk])

    body = api_for(mediateur).post(SYNC, {"entrees": [typed]}, format="json").json()

    result = body["resultats"][0]
    assert result["etat"] == "refusee"
    assert "« Ouvrir un local associatif rue Basly" in result["raison"]
    assert "est retiré depuis le" in result["champs"]["objectifs"][0]
    assert len(result["champs"]["objectifs"]) == 1
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_entry_said_offline_before_the_retirement_keeps_its_objectif(
    api_for, mediateur, rimbart, retired_yesterday
):
    said = timezone.now() - dt.timedelta(days=3)
    typed = entry(rimbart, objectifs=[retired_yesterday.pk], said_at=paris_iso(said))

    body = api_for(mediateur).post(SYNC, {"entrees": [typed]}, format="json").json()

    assert body["resultats"][0]["etat"] == "envoyee"
    assert list(Expression.objects.get().objectifs.all()) == [retired_yesterday]


@pytest.mark.django_db
def test_an_entry_said_on_the_day_of_the_retirement_is_refused(
    api_for, mediateur, rimbart, retired_yesterday
):
    said = timezone.now() - dt.timedelta(minutes=30)
    retired_yesterday.retired_on = timezone.localdate(said)
    retired_yesterday.save()
    typed = entry(rimbart, objectifs=[retired_yesterday.pk], said_at=paris_iso(said))

    body = api_for(mediateur).post(SYNC, {"entrees": [typed]}, format="json").json()

    assert body["resultats"][0]["etat"] == "refusee"
    assert not Expression.objects.exists()
