"""Garbage posted to every moderation form gives a message, never a server error, and
changes nothing: not the expression, not the tags, not the audit log."""

import re

import pytest
from django.test import Client

from consultations.models import Etiquette, Expression, Status
from participation.audit.models import AuditEntry
from tests.consultations.factories import ExpressionFactory

KEPT = "À corriger — ce que vous avez écrit est gardé"

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


def assert_refused_with_its_reasons(response, *context) -> None:
    """A 400 with the form's errors, each linked to a place of the page that exists."""
    assert response.status_code == 400, context
    html = response.content.decode()
    assert KEPT in html, context
    targets = re.findall(r'<a href="#(champ-[^"]+)"', html)
    assert targets, context
    for target in targets:
        assert f'id="{target}"' in html, (target, *context)


def state(expression: Expression) -> dict:
    """Everything a moderation decision can change on an expression, read afresh."""
    expression = Expression.objects.get(pk=expression.pk)
    return {
        **{
            field.attname: getattr(expression, field.attname)
            for field in Expression._meta.concrete_fields
        },
        **{
            field.name: sorted(getattr(expression, field.name).values_list("pk", flat=True))
            for field in Expression._meta.many_to_many
        },
    }


@pytest.mark.django_db
@pytest.mark.parametrize("decision", list(DECISIONS))
def test_garbage_in_the_staff_form_is_refused_with_a_message_and_changes_nothing(
    mediateur, alice, decision
):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    for status in (Status.SOUMISE, Status.PUBLIEE):
        expression = ExpressionFactory(author=alice, status=status, flagged_at="2026-01-01T00:00Z")
        url = f"/moderation/expressions/{expression.pk}/"
        before, audited, tags = (
            state(expression),
            AuditEntry.objects.count(),
            Etiquette.objects.count(),
        )
        for payload in PAYLOADS:
            data = dict.fromkeys([*EDITS, *DECISIONS[decision]], payload)
            response = client.post(url, {**data, "decision": decision})
            assert_refused_with_its_reasons(response, decision, payload)
            assert state(expression) == before, (decision, payload)
        assert AuditEntry.objects.count() == audited
        assert Etiquette.objects.count() == tags


@pytest.mark.django_db
def test_garbage_sent_with_a_publication_from_the_queue_never_leads_off_the_site(mediateur, alice):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    for payload in PAYLOADS:
        expression = ExpressionFactory(author=alice)
        audited = AuditEntry.objects.count()
        response = client.post(
            f"/moderation/expressions/{expression.pk}/publier/", {"next": payload}
        )
        # The publication is done, audited once, and the page sent to is the platform's own.
        assert response.status_code == 302, payload
        assert response["Location"] == f"/moderation/expressions/{expression.pk}/", payload
        assert Expression.objects.get(pk=expression.pk).status == Status.PUBLIEE
        assert AuditEntry.objects.count() == audited + 1


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_garbage_in_the_bulk_form_and_the_filters_never_breaks_the_queue(mediateur, alice, payload):
    client = Client(raise_request_exception=True)
    client.force_login(mediateur)
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    before, audited, tags = state(expression), AuditEntry.objects.count(), Etiquette.objects.count()
    data = {"ids": [payload], "action": payload, "etiquette": payload, "instances": [payload]}

    assert_refused_with_its_reasons(client.post("/moderation/lot/", data))
    for name in ("quartier", "source", "consultation", "etiquette", "vue", "page"):
        queue = client.get("/moderation/", {name: payload})
        assert queue.status_code == 200
        assert ">File de modération</h1>" in queue.content.decode()
    # No such row in the queue: nothing to draw.
    row = f"/moderation/ligne/{expression.pk + 1000}/"
    assert client.get(row, {"etiquette": payload}).status_code == 204
    # Renaming a tag that does not exist; without a tag, creating one with no name.
    renamed = client.post("/moderation/etiquettes/", {"etiquette": payload})
    assert renamed.status_code == (400 if payload == "" else 404)

    assert state(expression) == before
    assert AuditEntry.objects.count() == audited
    assert Etiquette.objects.count() == tags
