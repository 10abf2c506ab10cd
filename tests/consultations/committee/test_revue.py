"""The annual review of the convention for the Comité de Pilotage: for one year and one
commune, every objective in force, what was said, published, routed, answered and decided
about it, the events held, and the objectives nobody spoke about; as a page and as a
spreadsheet with the same numbers."""

import csv
import datetime as dt
import html
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations.committee import revue
from consultations.models import AgendaEntry, AgendaItem, Reponse, Status, Visibility
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory
from tests.factories import CommuneFactory, EnjeuFactory, ObjectifFactory, QuartierFactory
from tests.queries import page_queries

from .factories import SeanceFactory, routed

pytestmark = pytest.mark.django_db
URL = reverse("consultations:revue_annuelle")
YEAR = 2025
PRIVATE_TEXT = "Mon voisin du 12 me menace, je ne veux pas que ça se sache."
PUBLIC_TEXT = "Il faudrait une médiatrice le soir près de la salle de sport."


def paris(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def answer(seance, expression, decision):
    item = AgendaItem.objects.create(seance=seance, position=seance.items.count() + 1)
    AgendaEntry.objects.create(item=item, seance=seance, expression=expression)
    reponse = Reponse.objects.create(
        item=item, seance=seance, instance=seance.instance, decision=decision, text="Réponse."
    )
    reponse.expressions.add(expression)


def held(objectif, title, ends_at, **kwargs):
    event = EvenementFactory(
        title=title,
        starts_at=ends_at - dt.timedelta(hours=2),
        ends_at=ends_at,
        quartiers=[objectif.quartier],
        **kwargs,
    )
    event.objectifs.add(objectif)
    return event


@pytest.fixture
def auchel(db):
    return CommuneFactory(name="Auchel", slug="auchel")


@pytest.fixture
def world(auchel, instance_a, instance_b, mediateur):
    """Auchel's Rimbart in 2025, and a quartier of another commune."""
    rimbart = QuartierFactory(name="Rimbart", short_name="Rimbart", commune=auchel, position=1)
    calonne = QuartierFactory(name="Calonne centre", short_name="Calonne")
    enjeu1 = EnjeuFactory(number=1, title="Des quartiers où il fait bon vivre")
    enjeu2 = EnjeuFactory(number=2, title="Des quartiers où il fait bon grandir")
    mediation = ObjectifFactory(
        quartier=rimbart, enjeu=enjeu1, operationnel="Renforcer la médiation sociale"
    )
    retired_in_june = ObjectifFactory(
        quartier=rimbart,
        enjeu=enjeu1,
        operationnel="Ouvrir un point jeunes",
        retired_on=dt.date(YEAR, 6, 1),
    )
    retired_before = ObjectifFactory(
        quartier=rimbart,
        enjeu=enjeu1,
        operationnel="Créer une ludothèque",
        retired_on=dt.date(YEAR, 1, 1),
    )
    silent = ObjectifFactory(
        quartier=rimbart, enjeu=enjeu2, operationnel="Accompagner la parentalité"
    )
    elsewhere = ObjectifFactory(
        quartier=calonne, enjeu=enjeu1, operationnel="Rénover la place de Calonne"
    )
    seance = SeanceFactory(instance=instance_a, starts_at=paris(YEAR, 4, 1))

    answered = routed(
        instance_a,
        quartier=rimbart,
        objectifs=[mediation],
        text=PUBLIC_TEXT,
        status=Status.REPONDUE,
        supports_count=4,
        created_at=paris(YEAR, 3, 10),
    )
    answer(seance, answered, "retenue")
    # Said at a stand on 31 December in the evening, synced on 2 January: counts in YEAR.
    routed(
        instance_b,
        quartier=rimbart,
        objectifs=[mediation],
        text=PRIVATE_TEXT,
        visibility=Visibility.PRIVATE,
        author=None,
        recorded_by=mediateur,
        source="stand",
        said_at=paris(YEAR, 12, 31, 19),
        created_at=paris(YEAR + 1, 1, 2, 9),
    )
    for objectif, status, said_on in [
        (mediation, Status.SOUMISE, paris(YEAR, 5, 2)),  # said, awaiting moderation
        (mediation, Status.REJETEE, paris(YEAR, 5, 3)),  # turned down: not counted
        (mediation, Status.PUBLIEE, paris(YEAR - 1, 6, 1)),  # the year before
        (retired_in_june, Status.PUBLIEE, paris(YEAR, 2, 1)),
        (retired_before, Status.PUBLIEE, paris(YEAR, 2, 1)),
        (elsewhere, Status.PUBLIEE, paris(YEAR, 2, 1)),
    ]:
        ExpressionFactory(
            quartier=objectif.quartier, objectifs=[objectif], status=status, created_at=said_on
        )

    held(mediation, "Table ronde de la médiation", paris(YEAR, 4, 12))
    held(mediation, "Stand annulé", paris(YEAR, 5, 12), status="annule")
    held(mediation, "Brouillon de stand", paris(YEAR, 5, 13), status="brouillon")
    held(mediation, "Stand de l'an prochain", paris(YEAR + 1, 2, 12))
    held(silent, "Café des parents", paris(YEAR, 9, 20))
    return {
        "commune": auchel,
        "mediation": mediation,
        "retired_in_june": retired_in_june,
        "retired_before": retired_before,
        "silent": silent,
        "elsewhere": elsewhere,
    }


def rows_by_title(review):
    return {str(row.objectif): row for block in review.quartiers for row in block.every}


def test_the_review_counts_what_was_said_in_the_year_per_objective_in_force(world, referent):
    review = revue.build(YEAR, world["commune"], referent)
    rows = rows_by_title(review)

    mediation = rows["Renforcer la médiation sociale"]
    # Said: the answered one, the private one synced in January, the one awaiting moderation.
    assert (mediation.said, mediation.published, mediation.routed, mediation.answered) == (
        3,
        2,
        2,
        1,
    )
    assert mediation.decisions == {"retenue": 1}
    assert [event.title for event in mediation.events] == ["Table ronde de la médiation"]
    assert rows["Ouvrir un point jeunes"].said == 1
    assert "Créer une ludothèque" not in rows
    assert "Rénover la place de Calonne" not in rows
    assert [str(row.objectif) for row in review.silent] == ["Accompagner la parentalité"]
    assert [event.title for event in rows["Accompagner la parentalité"].events] == [
        "Café des parents"
    ]


def test_an_expression_synced_in_january_counts_in_the_year_it_was_said(world, referent):
    next_year = rows_by_title(revue.build(YEAR + 1, world["commune"], referent))

    assert next_year["Renforcer la médiation sociale"].said == 0


def test_the_page_lists_objectives_and_those_nobody_spoke_about(client_for, referent, world):
    text = page(client_for(referent).get(URL + f"?annee={YEAR}&commune=auchel"))

    assert f"Revue {YEAR} de la convention — Auchel" in text
    assert "Renforcer la médiation sociale" in text
    assert "Ouvrir un point jeunes" in text and "(retiré le 1 juin 2025)" in text
    assert "Créer une ludothèque" not in text
    assert "Rénover la place de Calonne" not in text
    silent_part = text.split("Objectifs dont personne n'a parlé")[1]
    assert "Accompagner la parentalité" in silent_part
    assert "Renforcer la médiation sociale" not in silent_part
    assert "retenue : 1" in text
    assert "Table ronde de la médiation" in text
    assert "Stand annulé" not in text and "Brouillon de stand" not in text


def test_a_committee_member_of_another_instance_does_not_read_a_private_text(
    client_for, comite, claire, world
):
    url = URL + f"?annee={YEAR}&commune=auchel"
    for_paul = page(client_for(comite).get(url))
    for_claire = page(client_for(claire).get(url))

    assert PUBLIC_TEXT in for_paul and PRIVATE_TEXT not in for_paul
    assert "<strong>3</strong> expressions dites" in for_paul  # counted all the same
    assert PRIVATE_TEXT in for_claire


def test_the_referent_reads_every_text(client_for, referent, world):
    assert PRIVATE_TEXT in page(client_for(referent).get(URL + f"?annee={YEAR}"))


def test_the_commune_chooser_offers_the_communes_of_the_database(client_for, referent, world):
    other = CommuneFactory(name="Calonne-Ricouart", slug="calonne-ricouart")
    world["elsewhere"].quartier.communes.add(other)
    text = page(client_for(referent).get(URL + f"?annee={YEAR}&commune=calonne-ricouart"))

    assert '<option value="auchel">Auchel</option>' in text
    assert "Rénover la place de Calonne" in text
    assert "Renforcer la médiation sociale" not in text


def test_an_unknown_commune_is_refused_with_a_french_message(client_for, referent, world):
    response = client_for(referent).get(URL + "?annee=2025&commune=atlantis")

    assert response.status_code == 400
    assert "Choisissez une commune de la liste." in html.unescape(response.content.decode())


def test_the_spreadsheet_has_the_numbers_of_the_page(client_for, referent, world):
    response = client_for(referent).get(URL + f"?annee={YEAR}&commune=auchel&format=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_title = {row[2]: dict(zip(header, row, strict=True)) for row in rows}

    assert response.status_code == 200
    mediation = by_title["Renforcer la médiation sociale"]
    assert (mediation["Dites"], mediation["Publiées"], mediation["Transmises"]) == (3, 2, 2)
    assert (mediation["Répondues"], mediation["retenue"], mediation["Événements tenus"]) == (
        1,
        1,
        1,
    )
    assert set(by_title) == {
        "Renforcer la médiation sociale",
        "Ouvrir un point jeunes",
        "Accompagner la parentalité",
    }
    silent = [row[2] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert silent == ["Accompagner la parentalité"]
    assert PRIVATE_TEXT not in str(rows)


def test_the_csv_has_a_line_per_objective(client_for, referent, world):
    response = client_for(referent).get(URL + f"?annee={YEAR}&commune=auchel&format=csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))

    assert len(lines) == 1 + 3
    assert lines[1][2] == "Renforcer la médiation sociale" and lines[1][4] == "3"


def test_the_committee_menu_and_the_referent_space_link_to_the_review(client_for, referent):
    browser = client_for(referent)
    assert URL in page(browser.get(reverse("consultations:bilan")))
    assert URL in page(browser.get(reverse("referent_space")))


def grow(world, instance, count):
    """``count`` more expressions and events on every objective of the commune."""
    objectifs = [world["mediation"], world["retired_in_june"], world["silent"]]
    for index in range(count):
        objectif = objectifs[index % len(objectifs)]
        routed(
            instance,
            quartier=objectif.quartier,
            objectifs=[objectif],
            visibility=list(Visibility)[index % 3],
            status=[Status.TRANSMISE, Status.REPONDUE][index % 2],
            created_at=paris(YEAR, 1 + index % 12, 5),
        )
        held(objectif, f"Stand n° {index}", paris(YEAR, 1 + index % 12, 8))
        ObjectifFactory(quartier=objectif.quartier, enjeu=objectif.enjeu)


@pytest.mark.parametrize("role", ["comite", "referent"])
def test_the_review_runs_a_constant_number_of_queries(request, client_for, role, world, instance_a):
    browser = client_for(request.getfixturevalue(role))
    url = URL + f"?annee={YEAR}&commune=auchel"
    grow(world, instance_a, 2)
    few = page_queries(browser, url)
    grow(world, instance_a, 20)
    many = page_queries(browser, url)

    assert few == many
