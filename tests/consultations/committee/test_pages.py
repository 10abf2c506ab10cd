"""What the committee's pages and « Vous avez dit, nous avons fait » show, and what never."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consultations.committee import bilan
from consultations.committee import services as committee
from consultations.models import Decision, Status, Visibility

from .conftest import SECRET_EMAIL, SECRET_NAME
from .factories import SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def assert_no_secret(text: str):
    for secret in (SECRET_NAME, SECRET_EMAIL, "06 99 88 77 66"):
        assert secret not in text


def test_the_public_page_lists_answers_with_what_they_answer_newest_first(client, answered):
    text = page(client.get(reverse("consultations:retours")))
    assert text.index("Le terrain est étudié.") < text.index("Deux médiateurs le soir dès mars.")
    assert "Des médiateurs le soir, s'il vous plaît." in text
    assert "Josiane" in text  # chose to show her name
    assert "On ne voit personne le soir." in text
    assert "un·e habitant·e de Rimbart" in text
    assert "3 habitant·es de Cité 5" in text
    assert "Mon voisin du 12" not in text  # private: never shown
    assert_no_secret(text)


def test_each_answer_says_its_point_its_instance_and_its_seance(client, answered):
    text = page(client.get(reverse("consultations:retours")))
    seance = answered["seance"]
    day = date_format(timezone.localtime(seance.starts_at), "j F Y")
    # The point of the agenda it answers, after its decision; a point without a title of
    # its own: the decision alone.
    assert '<span class="decision decision-retenue">Retenue</span> — Présence le soir</h3>' in text
    assert '<span class="decision decision-a_l_etude">À l\'étude</span></h3>' in text
    assert text.count(f"Comité de Pilotage Cohésion Sociale (test), séance du {day} —") == 2


def test_the_quartier_page_of_answers_keeps_that_quartier(client, answered):
    text = page(client.get(reverse("consultations:retours_quartier", args=["cite-5"])))
    assert "Le terrain est étudié." in text
    assert "Deux médiateurs le soir" not in text


def test_the_menu_of_quartiers_follows_the_quartiers_and_marks_the_one_shown(
    client, rimbart, cite5
):
    rimbart_url = reverse("consultations:retours_quartier", args=["rimbart"])
    everywhere = page(client.get(reverse("consultations:retours")))
    assert f'<a href="{rimbart_url}">Rimbart</a>' in everywhere
    assert 'aria-current="page">Toute la commune</a>' in everywhere

    # Renamed without ``save()`` (an import): the menu drawn once follows what is read.
    type(rimbart).objects.filter(pk=rimbart.pk).update(short_name="Rimbart-Nord")
    shown = page(client.get(rimbart_url))
    assert f'<a href="{rimbart_url}" aria-current="page">Rimbart-Nord</a>' in shown
    assert "Toute la commune</a>" in shown and 'aria-current="page">Toute' not in shown

    unknown = client.get(reverse("consultations:retours_quartier", args=["atlantide"]))
    assert unknown.status_code == 404


def test_an_answer_shows_its_three_most_supported_expressions_and_counts_the_others(
    client, instance_a, comite, rimbart
):
    said = [
        routed(instance_a, quartier=rimbart, text=f"Avis numéro {n}.", supports_count=n)
        for n in range(6)
    ]
    secret = routed(instance_a, quartier=rimbart, visibility=Visibility.PRIVATE, text="Privé.")
    item = on_agenda(SeanceFactory(instance=instance_a), *said, secret, title="Six avis")
    committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="C'est lancé.")

    text = page(client.get(reverse("consultations:retours")))

    assert "Vous avez dit (6 expressions)" in text  # the private one is not counted
    assert [n for n in range(6) if f"Avis numéro {n}." in text] == [3, 4, 5]
    assert "… et 3 autres expressions" in text
    assert "Privé." not in text


def test_private_answers_are_not_listed(client, answered, instance_a, comite, rimbart):
    item = on_agenda(SeanceFactory(instance=instance_a), routed(instance_a, quartier=rimbart))
    committee.record_answer(
        item, actor=comite, decision=Decision.NON_RETENUE, text="Réponse interne.", public=False
    )
    assert "Réponse interne." not in page(client.get(reverse("consultations:retours")))


def test_the_answer_shows_on_the_expressions_timeline(client, answered):
    text = page(client.get(answered["anonymous"].get_absolute_url()))
    assert "Décision : retenue." in text and "Deux médiateurs le soir dès mars." in text
    assert_no_secret(text)


def test_the_quartier_page_links_to_its_answers(client, answered, rimbart):
    text = page(client.get(rimbart.get_absolute_url()))
    assert "Vous avez dit, nous avons fait" in text
    assert reverse("consultations:retours_quartier", args=["rimbart"]) in text
    assert "Deux médiateurs le soir dès mars." in text


def test_the_committee_pages_never_show_a_hidden_author(client_for, comite, answered):
    browser = client_for(comite)
    seance = answered["seance"]
    for url in (
        reverse("consultations:committee_dashboard"),
        seance.get_absolute_url(),
        reverse("consultations:seance_dossier", args=[seance.pk]),
        reverse("consultations:bilan") + "?annee=" + str(timezone.localdate().year),
    ):
        assert_no_secret(page(browser.get(url)))


def test_the_dossier_groups_what_was_said_by_quartier_and_objective(client_for, comite, answered):
    text = page(
        client_for(comite).get(
            reverse("consultations:seance_dossier", args=[answered["seance"].pk])
        )
    )
    assert text.index("Rimbart") < text.index("Renforcer la médiation sociale")
    assert "2 expressions · 2 personnes · 9 « moi aussi »" in text
    assert "Sans objectif relié" in text
    assert "Mon voisin du 12 me menace." in text  # staff read private expressions routed to them
    assert "css/committee." in text  # its print stylesheet


SEANCE_PAGES = ["consultations:seance_dossier", "consultations:seance_detail"]


@pytest.mark.parametrize("name", SEANCE_PAGES)
def test_the_seance_and_its_dossier_show_the_photo_sent_with_an_expression(
    client_for, comite, answered, name
):
    from django.core.files.base import ContentFile

    from tests.consultations.conftest import image_bytes

    named = answered["seance"].items.first().expressions.first()
    named.photo.save("photo.jpg", ContentFile(image_bytes("JPEG")))

    text = page(client_for(comite).get(reverse(name, args=[answered["seance"].pk])))

    assert reverse("consultations:expression_photo", args=[named.pk]) in text
    assert reverse("consultations:expression_thumbnail", args=[named.pk]) in text


@pytest.mark.parametrize("name", SEANCE_PAGES)
def test_the_seance_and_its_dossier_show_the_mediators_note_to_this_instance_only(
    client_for, comite, answered, instance_b, name
):
    from consultations.models import Transmission

    named, field = answered["named"], answered["field"]
    Transmission.objects.filter(expression=named, instance=answered["seance"].instance).update(
        note="Deux habitants signalent la même chose au local, photo jointe."
    )
    Transmission.objects.create(
        expression=named, instance=instance_b, note="Pour le bailleur seulement : la cage B."
    )

    text = page(client_for(comite).get(reverse(name, args=[answered["seance"].pk])))

    said = text[text.index(named.text) :]
    said = said[: said.index("</li>")]
    assert "Note de la médiation, transmise le" in said
    assert "Deux habitants signalent la même chose au local, photo jointe." in said
    assert "Pour le bailleur seulement" not in text  # another instance's note
    assert text.count("Note de la médiation") == 1  # routed without a note: nothing printed
    assert field.text in text


def test_the_dossier_spreadsheet_has_the_three_sheets(client_for, comite, answered):
    import io

    from openpyxl import load_workbook

    response = client_for(comite).get(
        reverse("consultations:seance_dossier_xlsx", args=[answered["seance"].pk])
    )
    data = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == [
        "Ordre du jour",
        "Par quartier et objectif",
        "Ce que disent les habitants",
    ]
    groups = list(workbook["Par quartier et objectif"].iter_rows(values_only=True))
    assert ("Rimbart", 1, "Renforcer la médiation sociale", 2, 2, 9) in groups
    said = repr(list(workbook["Ce que disent les habitants"].iter_rows(values_only=True)))
    assert "un·e habitant·e de Rimbart" in said and "Josiane" in said
    assert_no_secret(said)


def test_the_seance_page_adds_points_alone_or_grouped(client_for, comite, instance_a):
    seance = SeanceFactory(instance=instance_a)
    first, second, third = (routed(instance_a) for _ in range(3))
    browser = client_for(comite)
    url = reverse("consultations:seance_agenda_add", args=[seance.pk])
    response = browser.post(url, {"expressions": [first.pk], "mode": "seules"})
    assert response.status_code == 302
    response = browser.post(url, {"expressions": [second.pk, third.pk], "mode": "groupe"})
    assert response.status_code == 400
    assert "Donnez un intitulé au groupe" in page_any(response)
    assert f'value="{second.pk}" id="ajouter-{second.pk}" checked' in page_any(response)
    browser.post(
        url, {"expressions": [second.pk, third.pk], "mode": "groupe", "group_title": "Bancs"}
    )
    assert [item.expressions.count() for item in seance.items.order_by("position")] == [1, 2]
    text = page(browser.get(seance.get_absolute_url()))
    assert "Bancs" in text and "0 expressions transmises" in text


def page_any(response) -> str:
    return html.unescape(response.content.decode())


def test_the_seance_page_marks_the_seance_held(client_for, comite, instance_a):
    seance = SeanceFactory(instance=instance_a, starts_at=timezone.now() - dt.timedelta(hours=3))
    expression = routed(instance_a)
    on_agenda(seance, expression)
    browser = client_for(comite)
    assert "les marquer « examinées »" in page(browser.get(seance.get_absolute_url()))
    browser.post(reverse("consultations:seance_examined", args=[seance.pk]))
    expression.refresh_from_db()
    assert expression.status == Status.EXAMINEE


def test_a_seance_to_come_offers_neither_to_mark_it_held_nor_to_answer(
    client_for, comite, instance_a
):
    coming = SeanceFactory(instance=instance_a, starts_at=timezone.now() + dt.timedelta(days=18))
    expression = routed(instance_a)
    item = on_agenda(coming, expression)
    browser = client_for(comite)

    shown = page(browser.get(coming.get_absolute_url()))
    browser.post(reverse("consultations:seance_examined", args=[coming.pk]), follow=True)
    refused = page_any(
        browser.post(
            reverse("consultations:seance_answer", args=[coming.pk, item.pk]),
            {"decision": Decision.RETENUE, "text": "Les bancs arrivent en avril.", "public": "on"},
        )
    )

    assert "les marquer « examinées »" not in shown and "Écrire la réponse" not in shown
    assert "pourront être marquées « examinées »" in shown
    assert "n'a pas encore eu lieu" in refused
    expression.refresh_from_db()
    assert expression.status == Status.TRANSMISE


def test_the_bilan_counts_per_quartier_and_objective(client_for, comite, answered, rimbart):
    year = timezone.localdate().year
    blocks = {block.total.quartier.slug: block for block in bilan.build(year, comite)}
    rimbart_block = blocks["rimbart"]
    assert rimbart_block.total.expressions == 3
    assert rimbart_block.total.answered == 3
    assert rimbart_block.total.decisions == {"retenue": 3}
    by_objectif = {str(row.objectif): row for row in rimbart_block.rows if row.objectif}
    mediation = by_objectif["Renforcer la médiation sociale"]
    assert (mediation.expressions, mediation.supports, mediation.decisions) == (
        2,
        9,
        {"retenue": 2},
    )
    without = rimbart_block.rows[-1]
    assert without.objectif is None and without.expressions == 1
    assert blocks["cite-5"].total.people == 3
    assert blocks["cite-5"].total.decisions == {"a_l_etude": 1}
    text = page(client_for(comite).get(reverse("consultations:bilan") + f"?annee={year}"))
    assert f"Bilan {year} du contrat de ville" in text


def test_the_bilan_refuses_a_nonsense_year(client_for, comite):
    response = client_for(comite).get(reverse("consultations:bilan") + "?annee=deux-mille")
    assert response.status_code == 400
    assert "Écrivez une année" in page_any(response)


def test_the_bilan_spreadsheet_has_a_row_per_objective_and_the_totals(client_for, comite, answered):
    import io

    from openpyxl import load_workbook

    year = timezone.localdate().year
    response = client_for(comite).get(reverse("consultations:bilan") + f"?annee={year}&format=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Quartier", "Enjeu", "Objectif") and "déjà en cours" in rows[0]
    assert ("Rimbart", 1, "Renforcer la médiation sociale", 2, 2, 9, 2, 2, 2, 0, 0, 0) in rows
    assert any(row[:3] == ("Rimbart", None, "Total du quartier") for row in rows)


def test_a_new_seance_is_for_her_one_instance_already_chosen(
    client_for, comite, referent, instance_a, instance_b
):
    url = reverse("consultations:seance_create")

    hers = client_for(comite).get(url).context["form"]
    assert hers["instance"].value() == instance_a.pk
    assert (
        f'<option value="{instance_a.pk}" selected>' in client_for(comite).get(url).content.decode()
    )
    # The référent runs both: she chooses.
    assert client_for(referent).get(url).context["form"]["instance"].value() is None
