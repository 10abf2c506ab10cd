"""The field sync's unexpected errors: the entry that fails is to be retried, the others stored.

An entry whose reading or storing fails in a way the sync does not expect (a bug, a lost
connection) is answered « reessayer » and logged; its savepoint leaves nothing of it behind,
and the batch sent again once the fault is gone stores it once, without duplicating the others.
"""

import logging
import uuid

import pytest

from consultations.expressions import services
from consultations.models import Expression, ExpressionStep
from consultations.storage import private_root
from consultations.terrain import sync as sync_module
from participation.audit.models import AuditEntry

from .conftest import SYNC, entry, jpeg_base64

LOGGER = "consultations.terrain.sync"


def sync(client, entries):
    return client.post(SYNC, {"entrees": entries}, format="json")


class Fault(Exception):
    """The unexpected error raised for one entry."""


@pytest.fixture
def broken_storing(monkeypatch):
    """The UUIDs whose storing fails: ``record_in_field`` writes everything, then raises."""
    broken: set[uuid.UUID] = set()
    record = services.record_in_field

    def failing(**kwargs):
        stored = record(**kwargs)
        if kwargs["idempotency_key"] in broken:
            # After the expression, its steps, audit entry and photo were written: the
            # savepoint must take them all back.
            raise Fault("the database went away")
        return stored

    monkeypatch.setattr(services, "record_in_field", failing)
    return broken


@pytest.fixture
def broken_reading(monkeypatch):
    """The UUIDs whose reading fails: ``sync._check`` raises before anything is stored."""
    broken: set[str] = set()
    check = sync_module._check

    def failing(position, raw, received):
        if isinstance(raw, dict) and raw.get("uuid") in broken:
            raise Fault("the serializer tripped")
        return check(position, raw, received)

    monkeypatch.setattr(sync_module, "_check", failing)
    return broken


@pytest.fixture
def batch(rimbart, stand):
    """Three field entries of the same stand, sent together."""
    return [entry(rimbart, evenement=stand.pk) for _ in range(3)]


def stored_traces() -> dict[str, int]:
    """What the database holds of every expression: rows, steps and audit entries."""
    return {
        "expressions": Expression.objects.count(),
        "steps": ExpressionStep.objects.count(),
        "audit": AuditEntry.objects.filter(target_type="consultations.expression").count(),
    }


def assert_logged(caplog, position, mediator):
    failures = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert failures[0].getMessage() == f"Field sync: entry {position} of {mediator.pk} failed"
    assert failures[0].exc_info and failures[0].exc_info[0] is Fault


def send_again(client, batch, *, already_received: list[bool]) -> dict:
    """The same batch sent once the fault is gone: every entry sent, each stored once."""
    again = sync(client, batch).json()
    assert [r["etat"] for r in again["resultats"]] == ["envoyee"] * len(batch)
    assert [r["deja_recue"] for r in again["resultats"]] == already_received
    keys = sorted(str(e.idempotency_key) for e in Expression.objects.all())
    assert keys == sorted(typed["uuid"] for typed in batch)
    assert AuditEntry.objects.filter(action="expression.soumise").count() == len(batch)
    return again


@pytest.mark.django_db
def test_an_entry_failing_unexpectedly_while_stored_is_to_be_retried_and_the_others_are_stored(
    api_for, mediateur, batch, broken_storing, caplog
):
    client = api_for(mediateur)
    failing = batch[1]
    broken_storing.add(uuid.UUID(failing["uuid"]))

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        response = sync(client, batch)

    assert response.status_code == 200
    body = response.json()
    assert (body["envoyees"], body["refusees"], body["a_reessayer"]) == (2, 0, 1)
    assert [r["etat"] for r in body["resultats"]] == ["envoyee", "reessayer", "envoyee"]
    retry = body["resultats"][1]
    assert (retry["uuid"], retry["position"], retry["expression"]) == (failing["uuid"], 1, None)
    assert "erreur inattendue" in retry["raison"]
    assert retry["deja_recue"] is False
    # The others are stored; nothing of the failing one is left half-stored.
    assert sorted(str(e.idempotency_key) for e in Expression.objects.all()) == sorted(
        [batch[0]["uuid"], batch[2]["uuid"]]
    )
    # Two entries' worth of rows, steps and audit entries: none of the failing one's.
    assert stored_traces() == {"expressions": 2, "steps": 2, "audit": 2}
    assert_logged(caplog, 1, mediateur)

    # The fault is gone: the same batch, sent again, stores the failing entry once.
    broken_storing.clear()
    again = send_again(client, batch, already_received=[True, False, True])

    assert again["resultats"][0]["expression"] == body["resultats"][0]["expression"]
    assert again["resultats"][2]["expression"] == body["resultats"][2]["expression"]
    assert stored_traces() == {"expressions": 3, "steps": 3, "audit": 3}


@pytest.mark.django_db
def test_an_entry_failing_unexpectedly_while_read_is_to_be_retried_and_the_others_are_stored(
    api_for, mediateur, batch, broken_reading, caplog
):
    client = api_for(mediateur)
    failing = batch[0]
    broken_reading.add(failing["uuid"])

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        body = sync(client, batch).json()

    assert [r["etat"] for r in body["resultats"]] == ["reessayer", "envoyee", "envoyee"]
    assert body["a_reessayer"] == 1
    assert (body["resultats"][0]["uuid"], body["resultats"][0]["position"]) == (failing["uuid"], 0)
    assert "erreur inattendue" in body["resultats"][0]["raison"]
    assert stored_traces() == {"expressions": 2, "steps": 2, "audit": 2}
    assert_logged(caplog, 0, mediateur)

    broken_reading.clear()
    send_again(client, batch, already_received=[False, True, True])


def photo_files() -> list[str]:
    """The expression photos on the disk, as their storage names."""
    root = private_root()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.jpg") if p.is_file())


@pytest.mark.django_db
def test_an_entry_failing_unexpectedly_after_its_photo_was_written_leaves_no_file_behind(
    api_for, mediateur, rimbart, broken_storing
):
    client = api_for(mediateur)
    with_photo = entry(rimbart, photo=jpeg_base64(), photo_description="Le square")
    broken_storing.add(uuid.UUID(with_photo["uuid"]))

    body = sync(client, [with_photo]).json()

    assert body["resultats"][0]["etat"] == "reessayer"
    assert not Expression.objects.exists()
    # The row was taken back by the savepoint: its photo must not stay on the disk either.
    assert photo_files() == []

    broken_storing.clear()
    sync(client, [with_photo])

    # Sent again, the entry leaves one photo: its expression's.
    assert photo_files() == [Expression.objects.get().photo.name]
