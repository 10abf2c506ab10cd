"""Garbage posted to every moderation form gives a message, never a server error."""

import pytest
from django.test import Client

from consultations.models import Status
from tests.consultations.factories import ExpressionFactory

PAYLOADS = [
    "",
    "\x00",
    "<script>alert(1)</script>",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "a b",
    "//ailleurs.example/",
    "é" * 6000,
]
# The staff page's one form: the edits, posted by every decision, and each decision's own.
EDITS = [
    "caviardage-text",
    "caviardage-version",
    "caviardage-reason",
    "etiquettes-etiquettes",
    "initial-etiquettes-etiquettes",
    "etiquettes-new",
    "objectifs-objectifs",
    "initial-objectifs-objectifs",
    "next",
]
DECISIONS = {
    "enregistrer": [],
    "publier": [],
    "rejeter": ["rejet-reason", "rejet-details"],
    "fusionner": ["fusion-suggestion", "fusion-target"],
    "transmettre": ["transmission-instances", "transmission-note"],
    "signalements": ["signalement-decision", "signalement-note"],
    "n'importe quoi": [],  # the button's value itself is garbage
}


@pytest.mark.django_db
@pytest.mark.parametrize("decision", list(DECISIONS))
def test_garbage_in_the_staff_form_never_breaks_the_page(mediateur, alice, decision):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    for status in (Status.SOUMISE, Status.PUBLIEE):
        expression = ExpressionFactory(author=alice, status=status, flagged_at="2026-01-01T00:00Z")
        url = f"/moderation/expressions/{expression.pk}/"
        for payload in PAYLOADS:
            data = dict.fromkeys([*EDITS, *DECISIONS[decision]], payload)
            response = client.post(url, {**data, "decision": decision})
            assert response.status_code in (302, 400, 409), (decision, payload)


@pytest.mark.django_db
def test_garbage_sent_with_a_publication_from_the_queue_never_breaks_it(mediateur, alice):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    for payload in PAYLOADS:
        expression = ExpressionFactory(author=alice)
        url = f"/moderation/expressions/{expression.pk}/publier/"
        assert client.post(url, {"next": payload}).status_code == 302, payload


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_garbage_in_the_bulk_form_and_the_filters_never_breaks_the_queue(mediateur, payload):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    data = {"ids": [payload], "action": payload, "etiquette": payload, "instances": [payload]}

    assert client.post("/moderation/lot/", data).status_code in (302, 400)
    for name in ("quartier", "source", "consultation", "etiquette", "vue", "page"):
        assert client.get("/moderation/", {name: payload}).status_code == 200
    assert client.get("/moderation/ligne/1/", {"etiquette": payload}).status_code in (200, 204)
    assert client.post("/moderation/etiquettes/", {"etiquette": payload}).status_code in (
        302,
        400,
        404,
    )
