"""The field mode's sync endpoint: each entry stored once, each bad one reported by its UUID."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from consultations.models import Expression, Source, Status
from participation.audit.models import AuditEntry
from tests.evenements.factories import EvenementFactory

from .conftest import SYNC, entry, jpeg_base64


def sync(client, entries):
    return client.post(SYNC, {"entrees": entries}, format="json")


@pytest.mark.django_db
def test_a_batch_with_one_bad_entry_stores_the_good_ones_and_names_the_bad_one(
    api_for, mediateur, rimbart, stand
):
    good = [entry(rimbart, evenement=stand.pk), entry(rimbart, evenement=stand.pk)]
    bad = entry(rimbart, text="   ")

    response = sync(api_for(mediateur), [good[0], bad, good[1]])

    assert response.status_code == 200
    body = response.json()
    assert (body["envoyees"], body["refusees"], body["a_reessayer"]) == (2, 1, 0)
    by_uuid = {result["uuid"]: result for result in body["resultats"]}
    assert by_uuid[bad["uuid"]]["etat"] == "refusee"
    assert by_uuid[bad["uuid"]]["position"] == 1
    assert "Écrivez votre message" in by_uuid[bad["uuid"]]["raison"]
    assert "text" in by_uuid[bad["uuid"]]["champs"]
    assert [by_uuid[g["uuid"]]["etat"] for g in good] == ["envoyee", "envoyee"]
    stored = Expression.objects.order_by("pk")
    assert [str(e.idempotency_key) for e in stored] == [g["uuid"] for g in good]
    assert all(e.evenement == stand and e.source == Source.STAND for e in stored)
    assert all(e.recorded_by == mediateur and e.author is None for e in stored)
    assert all(e.status == Status.SOUMISE for e in stored)


@pytest.mark.django_db
def test_the_same_batch_sent_twice_stores_nothing_twice(api_for, mediateur, rimbart, stand):
    client = api_for(mediateur)
    batch = [entry(rimbart, evenement=stand.pk) for _ in range(3)]

    first = sync(client, batch).json()
    second = sync(client, batch).json()

    assert Expression.objects.count() == 3
    assert [r["etat"] for r in second["resultats"]] == ["envoyee"] * 3
    assert [r["deja_recue"] for r in first["resultats"]] == [False] * 3
    assert [r["deja_recue"] for r in second["resultats"]] == [True] * 3
    assert [r["expression"] for r in first["resultats"]] == [
        r["expression"] for r in second["resultats"]
    ]
    assert AuditEntry.objects.filter(action="expression.soumise").count() == 3


@pytest.mark.django_db
def test_an_entry_repeated_inside_one_batch_is_stored_once(api_for, mediateur, rimbart):
    same = entry(rimbart)

    body = sync(api_for(mediateur), [same, same]).json()

    assert Expression.objects.count() == 1
    assert [r["etat"] for r in body["resultats"]] == ["envoyee", "envoyee"]
    assert body["resultats"][1]["deja_recue"] is True


@pytest.mark.django_db
def test_an_entry_for_a_quartier_that_no_longer_exists_is_refused_with_its_reason(
    api_for, mediateur, rimbart
):
    gone = {**entry(rimbart), "quartier": "atlantide"}

    result = sync(api_for(mediateur), [gone]).json()["resultats"][0]

    assert result["etat"] == "refusee"
    assert result["uuid"] == gone["uuid"]
    assert "« atlantide » n'existe plus" in result["raison"]
    assert result["champs"]["quartier"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_entry_for_an_objectif_that_no_longer_exists_is_refused_with_its_reason(
    api_for, mediateur, rimbart, mediation_rimbart
):
    removed_pk = mediation_rimbart.pk
    kept = entry(rimbart, objectifs=[removed_pk])
    mediation_rimbart.delete()

    result = sync(api_for(mediateur), [kept]).json()["resultats"][0]

    assert result["etat"] == "refusee"
    assert f"L'objectif n° {removed_pk} n'existe plus" in result["raison"]
    assert "objectifs" in result["champs"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_entry_for_an_event_that_no_longer_exists_is_refused(api_for, mediateur, rimbart):
    result = sync(api_for(mediateur), [entry(rimbart, evenement=999999)]).json()["resultats"][0]

    assert result["etat"] == "refusee"
    assert "L'événement n° 999999 n'existe plus" in result["raison"]


@pytest.mark.django_db
def test_a_refused_entry_corrected_and_resent_with_its_uuid_is_stored(api_for, mediateur, rimbart):
    client = api_for(mediateur)
    typed = {**entry(rimbart), "quartier": "atlantide"}
    assert sync(client, [typed]).json()["resultats"][0]["etat"] == "refusee"

    typed["quartier"] = rimbart.slug
    result = sync(client, [typed]).json()["resultats"][0]

    assert result["etat"] == "envoyee"
    assert Expression.objects.get().idempotency_key == uuid.UUID(typed["uuid"])


@pytest.mark.django_db
def test_an_objectif_of_another_quartier_is_refused_with_the_sites_message(
    api_for, mediateur, rimbart, cite5, mediation_rimbart
):
    result = sync(api_for(mediateur), [entry(cite5, objectifs=[mediation_rimbart.pk])]).json()

    assert "autre quartier" in result["resultats"][0]["raison"]


@pytest.mark.django_db
def test_a_batch_that_breaks_the_schema_is_refused_whole_naming_each_entry(
    api_for, mediateur, rimbart
):
    no_uuid = entry(rimbart)
    del no_uuid["uuid"]
    typed_wrong = entry(rimbart, people_count="trois", text=12)

    response = sync(api_for(mediateur), [no_uuid, "n'importe quoi", typed_wrong, entry(rimbart)])

    assert response.status_code == 400
    fields = response.json()["erreur"]["champs"]
    # The first fault stops the reading: a program's bug, named where it is.
    assert fields == {"entrees.0.uuid": ["Ce champ est obligatoire."]}
    assert not Expression.objects.exists()

    response = sync(api_for(mediateur), [typed_wrong, entry(rimbart)])

    assert response.status_code == 400
    assert response.json()["erreur"]["champs"] == {
        "entrees.0.text": ["Type incorrect : un texte est attendu."],
        "entrees.0.people_count": ["Type incorrect : un nombre entier est attendu."],
    }
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_what_the_schema_allows_but_the_rules_refuse_is_refused_entry_by_entry(
    api_for, mediateur, rimbart
):
    body = sync(
        api_for(mediateur),
        [{**entry(rimbart), "quartier": "atlantide"}, entry(rimbart, text="   "), entry(rimbart)],
    ).json()

    assert [r["etat"] for r in body["resultats"]] == ["refusee", "refusee", "envoyee"]
    assert [r["position"] for r in body["resultats"]] == [0, 1, 2]
    assert "quartier" in body["resultats"][0]["champs"]
    assert "text" in body["resultats"][1]["champs"]
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_a_contact_without_consent_is_refused(api_for, mediateur, rimbart):
    result = sync(api_for(mediateur), [entry(rimbart, contact="06 12 34 56 78")]).json()

    assert "accord de la personne" in result["resultats"][0]["raison"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_photo_sent_in_base64_is_reencoded_without_its_gps(api_for, mediateur, rimbart):
    with_photo = entry(rimbart, photo=jpeg_base64(exif_gps=True), photo_description="Le square")

    result = sync(api_for(mediateur), [with_photo]).json()["resultats"][0]

    assert result["etat"] == "envoyee"
    expression = Expression.objects.get()
    assert expression.photo_description == "Le square"
    with expression.photo.open("rb") as handle:
        stored = Image.open(handle)
        stored.load()
        assert not stored.getexif()
        assert "exif" not in stored.info


@pytest.mark.django_db
def test_a_broken_photo_is_refused_and_the_entry_kept_for_correction(api_for, mediateur, rimbart):
    body = sync(api_for(mediateur), [entry(rimbart, photo="pas-une-photo!")]).json()

    assert body["resultats"][0]["etat"] == "refusee"
    assert "photo" in body["resultats"][0]["champs"]


@pytest.mark.django_db
def test_a_rate_limited_entry_is_to_be_retried_not_refused(api_for, mediateur, rimbart, settings):
    settings.FIELD_EXPRESSION_RATE_LIMIT = "1/h"

    body = sync(api_for(mediateur), [entry(rimbart), entry(rimbart)]).json()

    assert [r["etat"] for r in body["resultats"]] == ["envoyee", "reessayer"]
    assert "attendez" in body["resultats"][1]["raison"]


@pytest.mark.django_db
def test_a_batch_must_be_a_list_of_at_most_fifty_entries(api_for, mediateur, rimbart):
    client = api_for(mediateur)

    not_a_list = client.post(SYNC, {"entrees": "x"}, format="json")
    too_many = sync(client, [entry(rimbart) for _ in range(51)])

    assert not_a_list.status_code == too_many.status_code == 400
    assert not_a_list.json()["erreur"]["champs"]["entrees"]
    assert "au plus 50" in too_many.json()["erreur"]["champs"]["entrees"][0]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_sync_takes_a_bounded_number_of_queries_per_entry(
    api_for, mediateur, rimbart, stand, django_assert_max_num_queries
):
    client = api_for(mediateur)
    sync(client, [entry(rimbart)])  # warm the per-request caches (TOTP, sessions)

    with django_assert_max_num_queries(60):
        sync(client, [entry(rimbart, evenement=stand.pk) for _ in range(2)])
    with django_assert_max_num_queries(250):
        sync(client, [entry(rimbart, evenement=stand.pk) for _ in range(10)])


# --- When it was said (issue 17, point 5) -------------------------------------------------


def paris_iso(moment) -> str:
    """As the tablet sends it: ISO 8601 with its offset."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


@pytest.mark.django_db
def test_an_entry_keeps_the_time_it_was_typed_beside_the_time_it_was_received(
    api_for, mediateur, rimbart
):
    typed = (timezone.now() - dt.timedelta(hours=5)).replace(microsecond=0)

    result = sync(api_for(mediateur), [entry(rimbart, said_at=paris_iso(typed))]).json()

    assert result["resultats"][0]["etat"] == "envoyee"
    expression = Expression.objects.get()
    assert expression.said_at == typed
    assert expression.created_at > typed + dt.timedelta(hours=4)


@pytest.mark.django_db
def test_a_clock_a_little_ahead_is_dated_when_received(api_for, mediateur, rimbart):
    ahead = timezone.now() + dt.timedelta(minutes=2)

    sync(api_for(mediateur), [entry(rimbart, said_at=paris_iso(ahead))])

    expression = Expression.objects.get()
    assert expression.said_at <= expression.created_at + dt.timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        (dt.timedelta(hours=1), "est dans le futur : l'horloge de l'appareil"),
        (-dt.timedelta(days=31), "il y a plus de 30 jours"),
    ],
)
def test_a_said_time_out_of_bounds_refuses_that_entry_alone_in_french(
    api_for, mediateur, rimbart, shift, expected
):
    wrong = entry(rimbart, said_at=paris_iso(timezone.now() + shift))
    good = entry(rimbart, said_at=paris_iso(timezone.now()))

    body = sync(api_for(mediateur), [wrong, good]).json()

    assert [r["etat"] for r in body["resultats"]] == ["refusee", "envoyee"]
    assert expected in body["resultats"][0]["raison"]
    assert "il sera daté de sa réception" in body["resultats"][0]["champs"]["said_at"][0]
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_the_refused_entry_sent_again_without_its_time_is_dated_when_received(
    api_for, mediateur, rimbart
):
    client = api_for(mediateur)
    typed = entry(rimbart, said_at=paris_iso(timezone.now() + dt.timedelta(days=2)))
    assert sync(client, [typed]).json()["resultats"][0]["etat"] == "refusee"

    typed["said_at"] = None
    result = sync(client, [typed]).json()["resultats"][0]

    assert result["etat"] == "envoyee"
    assert Expression.objects.get().said_at is None


@pytest.mark.django_db
def test_a_said_time_without_its_offset_breaks_the_schema(api_for, mediateur, rimbart):
    naive = entry(rimbart, said_at="2026-12-03T10:15:00")

    response = sync(api_for(mediateur), [entry(rimbart), naive])

    assert response.status_code == 400
    assert response.json()["erreur"]["champs"] == {
        "entrees.1.said_at": [
            "L'heure de saisie s'écrit en ISO 8601 avec son décalage horaire, par exemple "
            "2026-12-03T10:15:00+01:00."
        ]
    }
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_entry_received_once_is_answered_again_whatever_its_said_time_has_become(
    api_for, mediateur, rimbart
):
    batch = [entry(rimbart, said_at=paris_iso(timezone.now() - dt.timedelta(days=29)))]
    assert sync(api_for(mediateur), batch).json()["resultats"][0]["etat"] == "envoyee"

    # Three days later (its answer was lost): that time is now too old, the entry known.
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        again = sync(api_for(mediateur), batch).json()["resultats"][0]

    assert (again["etat"], again["deja_recue"]) == ("envoyee", True)
    assert Expression.objects.count() == 1


# --- The kind of meeting and the quartier of the event ------------------------------------


@pytest.mark.django_db
def test_an_entry_for_an_event_without_type_or_quartier_takes_the_events(
    api_for, mediateur, rimbart
):
    table = EvenementFactory(
        kind="table_ronde", quartiers=[rimbart], starts_at=timezone.now() - dt.timedelta(hours=2)
    )
    sent = entry(rimbart, evenement=table.pk)
    del sent["source"], sent["quartier"]

    result = sync(api_for(mediateur), [sent, {**entry(rimbart), "source": None}]).json()

    assert [r["etat"] for r in result["resultats"]] == ["envoyee", "refusee"]
    stored = Expression.objects.get()
    assert (stored.source, stored.quartier, stored.evenement) == (
        Source.TABLE_RONDE,
        rimbart,
        table,
    )
    assert "Choisissez le type de rencontre" in result["resultats"][1]["raison"]


@pytest.mark.django_db
def test_an_entry_for_an_event_of_several_quartiers_says_which_to_choose(
    api_for, mediateur, rimbart, cite5
):
    both = EvenementFactory(
        quartiers=[rimbart, cite5], starts_at=timezone.now() - dt.timedelta(hours=2)
    )

    result = sync(api_for(mediateur), [{**entry(rimbart, evenement=both.pk), "quartier": None}])

    assert result.json()["resultats"][0]["champs"] == {
        "quartier": ["Choisissez le quartier dont parlent les personnes."]
    }


@pytest.mark.django_db
def test_the_schema_declares_the_said_time_and_what_the_event_fills_in(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    entry_schema = schema["components"]["schemas"]["FieldEntry"]
    said_at = entry_schema["properties"]["said_at"]

    assert said_at["type"] == "string" and said_at["format"] == "date-time"
    assert said_at.get("nullable") is True
    assert "30 jours" in said_at["description"] and "5 minutes" in said_at["description"]
    assert {"said_at", "quartier", "source"}.isdisjoint(entry_schema.get("required", []))
