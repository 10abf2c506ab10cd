"""The dashboard's counts equal counts made by hand on a fixture with known numbers."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from consultations.committee import dashboard
from consultations.models import Source, Status, Transmission, Visibility
from tests.consultations.factories import ConsultationFactory, ExpressionFactory
from tests.factories import EnjeuFactory, ObjectifFactory

from .factories import EtiquetteFactory, routed


def at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 10, 0))


@pytest.fixture
def known(rimbart, cite5, instance_a, instance_b):
    """Six expressions routed to A (one also to B), one to B only, one not routed at all."""
    enjeu1 = EnjeuFactory(number=1)
    enjeu2 = EnjeuFactory(number=2, title="Des quartiers où il fait bon grandir")
    enjeu3 = EnjeuFactory(number=3, title="Des quartiers où il fait bon vivre")
    mediation = ObjectifFactory(quartier=rimbart, enjeu=enjeu1, operationnel="Médiation sociale")
    jeunesse = ObjectifFactory(quartier=rimbart, enjeu=enjeu2, operationnel="Accueil des jeunes")
    jardin = ObjectifFactory(quartier=cite5, enjeu=enjeu1, operationnel="Jardin partagé")
    eclairage_rue = ObjectifFactory(quartier=cite5, enjeu=enjeu3, operationnel="Éclairage public")
    bilan = ConsultationFactory(
        title="Bilan de l'été", slug="bilan-ete", quartiers=[rimbart, cite5]
    )

    e1 = routed(instance_a, quartier=rimbart, objectifs=[mediation], source=Source.EN_LIGNE,
                created_at=at(2026, 1, 15), supports_count=3, consultation=bilan)  # fmt: skip
    e2 = routed(instance_a, quartier=rimbart, objectifs=[mediation, jeunesse], source=Source.STAND,
                status=Status.EXAMINEE, created_at=at(2026, 1, 20), people_count=2)  # fmt: skip
    e3 = routed(instance_a, quartier=cite5, objectifs=[jardin], source=Source.TABLE_RONDE,
                status=Status.REPONDUE, created_at=at(2026, 2, 10), supports_count=5,
                people_count=4)  # fmt: skip
    e4 = routed(instance_a, quartier=cite5, source=Source.EN_LIGNE, created_at=at(2026, 3, 5),
                supports_count=1, visibility=Visibility.PRIVATE, consultation=bilan)  # fmt: skip
    e5 = routed(instance_a, quartier=rimbart, objectifs=[jeunesse],
                source=Source.NOS_QUARTIERS_ETE, created_at=at(2026, 3, 6))  # fmt: skip
    e7 = routed(instance_a, quartier=cite5, objectifs=[jardin], created_at=at(2026, 3, 20))
    Transmission.objects.create(expression=e7, instance=instance_b)
    e6 = routed(instance_b, quartier=rimbart, objectifs=[mediation], supports_count=40,
                created_at=at(2026, 2, 1))  # fmt: skip
    ExpressionFactory(quartier=rimbart, objectifs=[mediation], status=Status.PUBLIEE)
    EtiquetteFactory(name="éclairage", expressions=[e1, e2, e6])
    EtiquetteFactory(name="propreté", expressions=[e2])
    return {
        "expressions": [e1, e2, e3, e4, e5, e6, e7],
        "objectifs": {
            "mediation": mediation,
            "jeunesse": jeunesse,
            "jardin": jardin,
            "eclairage": eclairage_rue,
        },
        "consultation": bilan,
    }


def counts(board, name):
    return {row.label: row.count for row in board.section(name).rows}


def test_every_grouping_matches_the_hand_count(known, comite, rimbart, cite5):
    board = dashboard.build(comite, QueryDict())
    assert board.valid and not board.problems
    assert board.total == 6
    assert board.supports == 3 + 0 + 5 + 1 + 0 + 0
    assert board.people == 1 + 2 + 4 + 1 + 1 + 1
    assert counts(board, "quartier") == {"Rimbart": 3, "Cité 5": 3}
    assert counts(board, "enjeu") == {
        "Enjeu 1 : Des quartiers attentifs aux habitants des plus fragiles": 4,
        "Enjeu 2 : Des quartiers où il fait bon grandir": 2,
        "Enjeu 3 : Des quartiers où il fait bon vivre": 0,
        "Sans objectif relié": 1,
    }
    assert counts(board, "objectif") == {
        "Rimbart — Médiation sociale": 2,
        "Rimbart — Accueil des jeunes": 2,
        "Cité 5 — Jardin partagé": 2,
        "Sans objectif relié": 1,
    }
    assert counts(board, "etiquette") == {"éclairage": 2, "propreté": 1}
    assert counts(board, "source") == {
        "en ligne": 3,
        "stand": 1,
        "table ronde": 1,
        "Nos Quartiers d'Été": 1,
        "permanence de médiation": 0,
        "temps d'information": 0,
        "autre rencontre": 0,
    }
    assert counts(board, "consultation") == {"Bilan de l'été": 2, "Hors consultation": 4}
    assert counts(board, "etape") == {"transmise": 4, "examinée": 1, "répondue": 1}
    assert counts(board, "instance") == {"Comité de Pilotage Cohésion Sociale (test)": 6}
    months = dict(board.months)
    assert months[dt.date(2026, 1, 1)] == 2
    assert months[dt.date(2026, 2, 1)] == 1
    assert months[dt.date(2026, 3, 1)] == 3
    assert sum(months.values()) == 6
    e1, _e2, e3, e4, *_rest = known["expressions"]
    assert [e.pk for e in board.top_supported] == [e3.pk, e1.pk, e4.pk]
    assert [o.pk for o in board.unreached] == [known["objectifs"]["eclairage"].pk]


def test_the_referent_counts_every_instance(known, referent):
    board = dashboard.build(referent, QueryDict())
    assert board.total == 7
    routed_counts = {label: n for label, n in counts(board, "instance").items() if n}
    assert routed_counts == {
        "Bailleur Maisons & Cités": 2,
        "Comité de Pilotage Cohésion Sociale (test)": 6,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quartier=rimbart", 3),
        ("quartier=cite-5&source=en_ligne", 2),
        ("enjeu=1", 4),
        ("enjeu=3", 0),
        ("etiquette={eclairage}", 2),
        ("consultation=bilan-ete", 2),
        ("etape=transmise", 4),
        ("du=2026-02-01&au=2026-03-05", 2),
        ("du=2026-03-01", 3),
        ("instance=copil-test", 6),
        ("objectif={jardin}", 2),
    ],
)
def test_filters_count_what_they_say(known, comite, query, expected):
    from consultations.models import Etiquette

    query = query.format(
        eclairage=Etiquette.objects.get(name="éclairage").pk,
        jardin=known["objectifs"]["jardin"].pk,
    )
    board = dashboard.build(comite, QueryDict(query))
    assert board.valid and not board.problems
    assert board.total == expected
    assert sum(row.count for row in board.section("quartier").rows) == expected


@pytest.mark.parametrize(
    "query",
    [
        "du=2026-13-45",
        "du=demain",
        "enjeu=un",
        "objectif=-4",
        "objectif=99999999999999999999999",
        "source=par-pigeon",
        "etape=rejetee",
        "quartier=../../etc",
        "du=2026-03-01&au=2026-01-01",
    ],
)
def test_nonsense_filters_give_an_empty_result_and_a_message(known, comite, client_for, query):
    board = dashboard.build(comite, QueryDict(query))
    assert not board.valid
    assert board.total == 0
    response = client_for(comite).get(reverse("consultations:committee_dashboard") + "?" + query)
    assert response.status_code == 200
    assert "Ces filtres ne sont pas valables" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("quartier=atlantide", "Ce quartier n'existe pas."),
        ("instance=bailleur", "Cette instance n'est pas une des vôtres."),
        ("enjeu=9", "Cet enjeu n'existe pas."),
        ("consultation=inconnue", "Cette consultation n'existe pas."),
    ],
)
def test_well_formed_but_unknown_values_match_nothing_and_say_so(known, comite, query, message):
    board = dashboard.build(comite, QueryDict(query))
    assert board.total == 0
    assert any(message in problem for problem in board.problems)


def test_the_page_shows_the_figures_and_a_table_for_each_chart(known, comite, client_for):
    response = client_for(comite).get(reverse("consultations:committee_dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg aria-hidden="true"') >= 8
    assert html.count('<table class="visually-hidden">') >= 9
    assert "Éclairage public" in html  # the objective nobody spoke about yet
    assert "Bailleur" not in html  # nothing of instance B


def objective_select(page: str) -> str:
    return page.split('name="objectif"', 1)[1].split("</select>", 1)[0]


@pytest.mark.django_db
def test_beyond_twenty_objectives_the_others_are_one_row_until_a_quartier_is_chosen(
    client_for, comite, instance_a, rimbart
):
    objectifs = [
        ObjectifFactory(quartier=rimbart, operationnel=f"Objectif n°{n}") for n in range(25)
    ]
    for objectif in objectifs:
        routed(instance_a, quartier=rimbart, objectifs=[objectif])
    client = client_for(comite)

    board = dashboard.build(comite, QueryDict(""))
    rows = board.section("objectif").rows
    assert len(rows) == 22  # twenty objectives, the others, « sans objectif »
    assert rows[20].label.startswith("5 autres objectifs") and rows[20].count == 5
    # The objective filter offers them from the first load (issue 17): no submit needed.
    page = client.get(reverse("consultations:committee_dashboard")).content.decode()
    assert "Choisissez d&#x27;abord un quartier" not in page
    assert "Objectif n°0" in objective_select(page)

    board = dashboard.build(comite, QueryDict("quartier=rimbart"))
    assert len(board.section("objectif").rows) == 26
    page = client.get(reverse("consultations:committee_dashboard"), {"quartier": "rimbart"})
    assert "Objectif n°0" in objective_select(page.content.decode())
