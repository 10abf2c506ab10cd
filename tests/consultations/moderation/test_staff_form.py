"""The staff page of an expression is one form in the order of the work: read, remove
personal data, classify, then decide. A decision saves it whole, or nothing of it; the page
comes back to the place of the action (``#resultat``) with its message or its error."""

import re

import pytest
from django.urls import reverse

from consultations.models import Redaction, Status
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from participation.audit.models import AuditEntry
from participation.audit.services import entries_for
from participation.notifications.models import Notification
from tests.consultations.factories import ExpressionFactory

from .factories import EtiquetteFactory, InstanceFactory
from .staff_form import post_staff_form, shown_fields

NAMED = "M. Dupont, au 12 rue Pasteur, laisse ses poubelles dehors."
REDACTED = "Un voisin laisse ses poubelles dehors."


@pytest.fixture
def named(alice, rimbart):
    return ExpressionFactory(author=alice, quartier=rimbart, text=NAMED)


def staff_url(expression) -> str:
    return reverse("consultations:moderation_expression", args=[expression.pk])


def actions_on(expression) -> list[str]:
    return [entry.action for entry in entries_for(expression).order_by("pk")]


# --- A decision saves the whole page ----------------------------------------------------


@pytest.mark.django_db
def test_publishing_keeps_the_redaction_the_tags_and_the_objectives_made_on_the_same_page(
    client_for, mediateur, named, mediation_rimbart
):
    tag = EtiquetteFactory(name="propreté")

    response = post_staff_form(
        client_for(mediateur),
        named,
        "publier",
        caviardage__text=REDACTED,
        caviardage__reason="nom et adresse d'un voisin",
        etiquettes__etiquettes=[tag.pk],
        etiquettes__new="Poubelles",
        objectifs__objectifs=[mediation_rimbart.pk],
    )

    assert response.status_code == 302
    named.refresh_from_db()
    assert named.status == Status.PUBLIEE
    assert named.text == REDACTED
    assert Redaction.objects.get(expression=named).previous_text == NAMED
    assert sorted(e.name for e in named.etiquettes.all()) == ["Poubelles", "propreté"]
    assert list(named.objectifs.all()) == [mediation_rimbart]
    assert not named.objectifs_unknown
    # Each part by its service, audited as always, in the order of the work.
    assert actions_on(named)[-4:] == [
        "expression.caviardee",
        "expression.etiquetee",
        "expression.objectifs",
        "expression.publiee",
    ]


@pytest.mark.django_db
def test_the_public_page_never_shows_the_words_removed_in_the_same_post(
    client, client_for, mediateur, named
):
    post_staff_form(client_for(mediateur), named, "publier", caviardage__text=REDACTED)

    page = client.get(named.get_absolute_url()).content.decode()

    assert REDACTED in page
    assert "Dupont" not in page


@pytest.mark.django_db
def test_routing_saves_the_classification_and_comes_back_to_the_decision(
    client_for, mediateur, alice, rimbart
):
    expression = ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
    instance = InstanceFactory(name="Bailleur social")
    tag = EtiquetteFactory(name="logement")
    client = client_for(mediateur)

    response = post_staff_form(
        client,
        expression,
        "transmettre",
        etiquettes__etiquettes=[tag.pk],
        transmission__instances=[instance.pk],
    )

    assert response["Location"] == f"{staff_url(expression)}#resultat"
    expression.refresh_from_db()
    assert expression.status == Status.TRANSMISE
    assert list(expression.etiquettes.all()) == [tag]


# --- Refused: nothing is decided, everything typed is kept -----------------------------


@pytest.mark.django_db
def test_an_invalid_redaction_decides_nothing_and_keeps_the_tags_ticked(
    client_for, mediateur, named, mediation_rimbart
):
    tag = EtiquetteFactory(name="propreté")

    response = post_staff_form(
        client_for(mediateur),
        named,
        "publier",
        caviardage__text="   ",
        etiquettes__etiquettes=[tag.pk],
        etiquettes__new="Poubelles",
        objectifs__objectifs=[mediation_rimbart.pk],
    )

    assert response.status_code == 400
    html = response.content.decode()
    # The error at its field, where the page is anchored; the rest as it was typed.
    assert re.search(
        r'class="form-errors" role="alert" id="resultat"[^>]*>.*Texte publié', html, re.S
    )
    assert 'id="champ-caviardage-text"' in html
    assert f'value="{tag.pk}" id="id_etiquettes-etiquettes_0" checked' in html
    assert 'value="Poubelles"' in html
    assert f'value="{mediation_rimbart.pk}" id="id_objectifs-objectifs_0" checked' in html
    assert "data-unsaved" in html  # leaving would lose it: the script warns
    named.refresh_from_db()
    assert named.status == Status.SOUMISE
    assert named.text == NAMED
    assert not named.etiquettes.exists() and not named.objectifs.exists()


@pytest.mark.django_db
def test_once_the_redaction_is_corrected_the_ticks_kept_are_saved(
    client_for, mediateur, named, mediation_rimbart
):
    client = client_for(mediateur)
    tag = EtiquetteFactory(name="propreté")
    refused = post_staff_form(
        client,
        named,
        "publier",
        caviardage__text="",
        etiquettes__etiquettes=[tag.pk],
        objectifs__objectifs=[mediation_rimbart.pk],
    )

    # The mediator corrects the text on the page sent back, and publishes.
    fields = shown_fields(refused.content.decode())
    fields["caviardage-text"] = [REDACTED]
    response = client.post(staff_url(named), {**fields, "decision": "publier"})

    assert response.status_code == 302
    named.refresh_from_db()
    assert (named.status, named.text) == (Status.PUBLIEE, REDACTED)
    assert list(named.etiquettes.all()) == [tag]
    assert list(named.objectifs.all()) == [mediation_rimbart]


@pytest.mark.django_db
def test_a_refusal_by_the_decisions_service_undoes_the_redaction_and_the_tags(
    client_for, mediateur, alice, named
):
    tag = EtiquetteFactory(name="propreté")
    before = AuditEntry.objects.count()

    # « Autre » needs words for the author: the service says so, after the edits were written.
    response = post_staff_form(
        client_for(mediateur),
        named,
        "rejeter",
        caviardage__text=REDACTED,
        etiquettes__etiquettes=[tag.pk],
        rejet__reason="autre",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="resultat"[^>]*>.*Explication pour l', html, re.S)
    assert REDACTED in html  # still in the text box
    named.refresh_from_db()
    assert (named.status, named.text) == (Status.SOUMISE, NAMED)
    assert not named.etiquettes.exists()
    assert not Redaction.objects.exists()
    assert AuditEntry.objects.count() == before
    assert not Notification.objects.filter(user=alice).exists()


# --- What the mediator did not touch is not written --------------------------------------


@pytest.mark.django_db
def test_a_text_left_as_shown_is_no_redaction_even_with_the_browsers_line_breaks(
    client_for, mediateur, alice, rimbart
):
    expression = ExpressionFactory(author=alice, quartier=rimbart, text="Ligne un.\nLigne deux.")

    post_staff_form(
        client_for(mediateur), expression, "publier", caviardage__text="Ligne un.\r\nLigne deux."
    )

    expression.refresh_from_db()
    assert expression.status == Status.PUBLIEE
    assert not Redaction.objects.exists()
    assert "expression.caviardee" not in actions_on(expression)


@pytest.mark.django_db
def test_a_decision_never_undoes_what_a_colleague_did_meanwhile(
    client_for, mediateur, referent, named
):
    client = client_for(mediateur)
    shown = shown_fields(client.get(staff_url(named)).content.decode())
    tag = EtiquetteFactory(name="propreté")
    moderation.redact(
        named, actor=referent, text=REDACTED, version=moderation_queue.text_version(named)
    )
    moderation.set_etiquettes(named, actor=referent, etiquettes=[tag])

    response = client.post(staff_url(named), {**shown, "decision": "publier"})

    assert response.status_code == 302
    named.refresh_from_db()
    assert named.status == Status.PUBLIEE
    assert named.text == REDACTED  # the name stays out
    assert list(named.etiquettes.all()) == [tag]


# --- The page: the order of the work, the place of the action ----------------------------


@pytest.mark.django_db
def test_the_page_follows_the_order_of_the_work_and_enter_never_decides(
    client_for, mediateur, named
):
    html = client_for(mediateur).get(staff_url(named)).content.decode()

    form = html[html.index('class="form moderation-form"') :]
    headings = [
        "1. Lire le message",
        "2. Retirer des informations personnelles",
        "3. Classer",
        "4. Décider",
    ]
    positions = [form.index(heading) for heading in headings]
    assert positions == sorted(positions)
    buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)"', form)
    assert buttons == ["enregistrer", "publier", "rejeter"]  # the first is the Enter key's
    assert form.index('value="publier"') > positions[-1]
    assert f'action="{staff_url(named)}#resultat"' in html
    assert "data-unsaved-warning" in html and "data-unsaved " not in html
    assert "js/unsaved-changes." in html


@pytest.mark.django_db
def test_saving_without_deciding_comes_back_to_the_decision_with_its_message_there(
    client_for, mediateur, named
):
    client = client_for(mediateur)

    response = post_staff_form(client, named, etiquettes__new="Poubelles")

    assert response["Location"] == f"{staff_url(named)}#resultat"
    html = client.get(response["Location"]).content.decode()
    place = html.index('class="result" id="resultat"')
    assert html.index("4. Décider") < place < html.index("Enregistrer sans décider")
    assert html.count("Les étiquettes sont enregistrées.") == 1  # there, not at the top
    named.refresh_from_db()
    assert named.status == Status.SOUMISE
    assert [e.name for e in named.etiquettes.all()] == ["Poubelles"]


@pytest.mark.django_db
def test_publishing_from_the_staff_page_goes_back_to_the_queue_with_its_message(
    client_for, mediateur, named
):
    client = client_for(mediateur)

    response = post_staff_form(client, named, "publier")

    assert response["Location"] == "/moderation/#contenu"
    html = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert f"L'expression n° {named.pk} est publiée." in html
