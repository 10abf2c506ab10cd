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
FIELDS = {
    "publier": ["next"],
    "rejeter": ["rejet-reason", "rejet-details", "next"],
    "caviarder": ["caviardage-text", "caviardage-version", "caviardage-reason"],
    "etiquettes": ["etiquettes-etiquettes", "etiquettes-new"],
    "objectifs": ["objectifs-objectifs"],
    "fusionner": ["fusion-target"],
    "transmettre": ["transmission-instances", "transmission-note"],
    "signalements": ["signalement-decision", "signalement-note"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(FIELDS))
def test_garbage_in_a_moderation_form_never_breaks_the_page(mediateur, alice, action):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    for status in (Status.SOUMISE, Status.PUBLIEE):
        expression = ExpressionFactory(author=alice, status=status, flagged_at="2026-01-01T00:00Z")
        url = f"/moderation/expressions/{expression.pk}/{action}/"
        for payload in PAYLOADS:
            data = dict.fromkeys(FIELDS[action], payload)
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400, 409), (action, payload)


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
