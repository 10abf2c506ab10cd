"""The committee's side of several communes on one platform (issue 18, point 4).

A référent given communes reviews, answers, counts and exports only what concerns them;
members of instances keep seeing what was routed to their instances; a séance of an
instance outside her communes does not exist for her. Two communes, Auchel and Lozinghem,
share Cité 5 (an intercommunal quartier, visible to both); the agglomeration's instance
reviews for every commune; the platform's référent (no commune) still sees everything.
"""

import csv
import html
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from consultations.committee import dashboard, export_jobs, exports
from consultations.committee import services as committee
from consultations.committee.consumers import CommitteeConsumer
from consultations.models import ExportJob, Reponse, Transmission
from participation.accounts.models import Role
from tests.factories import CommuneFactory, ObjectifFactory, QuartierFactory, UserFactory
from tests.queries import page_queries

from .factories import InstanceFactory, SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db
DASHBOARD_URL = reverse("consultations:committee_dashboard")
WAITING_URL = reverse("consultations:committee_waiting")
CSV_URL = reverse("consultations:committee_export", args=["csv"])
XLSX_URL = reverse("consultations:committee_export", args=["xlsx"])
REVUE_URL = reverse("consultations:revue_annuelle")
BILAN_URL = reverse("consultations:bilan")
DASHBOARD_BUDGET = 12

SAID_IN_AUCHEL = "Le trottoir de la rue Jaurès à Auchel est défoncé."
SAID_IN_LOZINGHEM = "Il manque un abri au terrain de pétanque de Lozinghem."
SAID_IN_CITE5 = "Les poubelles de la Cité 5 débordent le lundi."


@pytest.fixture
def town(db):
    """Everything of both communes: quartiers, instances, people, what was said and routed."""
    auchel = CommuneFactory(name="Auchel", slug="auchel")
    lozinghem = CommuneFactory(name="Lozinghem", slug="lozinghem")
    rimbart = QuartierFactory(
        name="Rimbart", short_name="Rimbart", slug="rimbart", commune=auchel, position=1
    )
    centre = QuartierFactory(
        name="Centre de Lozinghem", short_name="Lozinghem centre", slug="lozinghem-centre",
        commune=lozinghem, position=2,
    )  # fmt: skip
    cite5 = QuartierFactory(
        name="Cité 5", short_name="Cité 5", slug="cite-5", commune=auchel,
        communes=[auchel, lozinghem], position=3,
    )  # fmt: skip
    people = {
        "ref_auchel": UserFactory(
            email="ref-auchel@example.org", role=Role.REFERENT, communes=[auchel]
        ),
        "ref_lozinghem": UserFactory(
            email="ref-lozinghem@example.org", role=Role.REFERENT, communes=[lozinghem]
        ),
        "ref_platform": UserFactory(email="ref-agglo@example.org", role=Role.REFERENT),
        "member_auchel": UserFactory(email="membre-auchel@example.org", role=Role.COMITE),
        "member_lozinghem": UserFactory(email="membre-lozinghem@example.org", role=Role.COMITE),
    }
    instance_auchel = InstanceFactory(
        name="Comité d'Auchel", slug="comite-auchel", communes=[auchel],
        members=[people["member_auchel"]],
    )  # fmt: skip
    instance_lozinghem = InstanceFactory(
        name="Comité de Lozinghem", slug="comite-lozinghem", communes=[lozinghem],
        members=[people["member_lozinghem"]],
    )  # fmt: skip
    agglo = InstanceFactory(name="Conseil de l'agglomération", slug="agglo")  # every commune
    objectif_rimbart = ObjectifFactory(quartier=rimbart, operationnel="Refaire les trottoirs")
    ObjectifFactory(quartier=cite5, operationnel="Ramasser les encombrants")
    said = {
        "auchel": routed(
            instance_auchel, quartier=rimbart, text=SAID_IN_AUCHEL, supports_count=3,
            objectifs=[objectif_rimbart],
        ),
        "lozinghem": routed(
            instance_lozinghem, quartier=centre, text=SAID_IN_LOZINGHEM, supports_count=2
        ),
        "cite5": routed(instance_auchel, quartier=cite5, text=SAID_IN_CITE5, supports_count=1),
    }  # fmt: skip
    # The agglomeration's instance also got Auchel's: it is still Auchel's only.
    Transmission.objects.create(expression=said["auchel"], instance=agglo)
    seance = SeanceFactory(instance=instance_auchel, title="Séance d'Auchel de printemps")
    item = on_agenda(seance, said["auchel"])
    return {
        "auchel": auchel,
        "lozinghem": lozinghem,
        "rimbart": rimbart,
        "cite5": cite5,
        "instance_auchel": instance_auchel,
        "instance_lozinghem": instance_lozinghem,
        "agglo": agglo,
        "said": said,
        "seance": seance,
        "item": item,
        **people,
    }


def shown(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def numbers(table) -> set[int]:
    return {int(row[0]) for row in table[1:]}


def ids(town, *names) -> set[int]:
    return {town["said"][name].pk for name in names}


# --- The dashboard -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("ref_auchel", {"auchel", "cite5"}),
        ("ref_lozinghem", {"lozinghem", "cite5"}),
        ("ref_platform", {"auchel", "lozinghem", "cite5"}),
        ("member_auchel", {"auchel", "cite5"}),
        ("member_lozinghem", {"lozinghem"}),
    ],
)
def test_the_dashboard_counts_what_concerns_each_ones_communes_or_instances(town, person, expected):
    board = dashboard.build(town[person], QueryDict())

    assert board.total == len(expected)
    supports = {"auchel": 3, "lozinghem": 2, "cite5": 1}
    assert board.supports == sum(supports[name] for name in expected)
    assert {e.pk for e in board.top_supported} == ids(town, *expected)
    assert sum(count for _month, count in board.months) == len(expected)


def test_a_referent_given_communes_is_offered_only_their_quartiers_and_instances(town, client_for):
    page = shown(client_for(town["ref_lozinghem"]).get(DASHBOARD_URL))

    assert SAID_IN_LOZINGHEM in page and SAID_IN_CITE5 in page
    assert "Lozinghem centre" in page and "Cité 5" in page
    assert "Comité de Lozinghem" in page and "Conseil de l'agglomération" in page
    for of_auchel in (SAID_IN_AUCHEL, "Rimbart", "Comité d'Auchel", "Refaire les trottoirs"):
        assert of_auchel not in page


def test_the_platform_referent_still_sees_every_commune(town, client_for):
    page = shown(client_for(town["ref_platform"]).get(DASHBOARD_URL))

    for everything in (SAID_IN_AUCHEL, SAID_IN_LOZINGHEM, SAID_IN_CITE5, "Rimbart"):
        assert everything in page
    assert "Comité d'Auchel" in page and "Comité de Lozinghem" in page


def test_two_referents_of_different_communes_never_share_the_kept_figures(town, client_for):
    browser = client_for(town["ref_auchel"])
    assert SAID_IN_AUCHEL in shown(browser.get(DASHBOARD_URL))

    browser.force_login(town["ref_lozinghem"])
    assert SAID_IN_AUCHEL not in shown(browser.get(DASHBOARD_URL))


def test_a_filter_naming_another_communes_quartier_or_instance_finds_nothing(town):
    referent = town["ref_lozinghem"]

    for name, value in (("quartier", "rimbart"), ("instance", "comite-auchel")):
        board = dashboard.build(referent, QueryDict(f"{name}={value}"))
        assert board.total == 0 and board.problems, name
        assert value not in [choice for choice, _label in board.form.fields[name].widget.choices]


def test_the_objectives_offered_are_those_of_her_communes(town):
    auchel = dashboard.build(town["ref_auchel"], QueryDict())
    lozinghem = dashboard.build(town["ref_lozinghem"], QueryDict())

    def offered(board):
        return {label for _group, options in board.form.fields["objectif"].widget.choices[1:]
                for _pk, label in options}  # fmt: skip

    assert any("Refaire les trottoirs" in label for label in offered(auchel))
    assert not any("Refaire les trottoirs" in label for label in offered(lozinghem))


def test_the_dashboard_runs_as_many_queries_for_a_referent_given_communes(town, client_for):
    browser = client_for(town["ref_lozinghem"])
    filtered = DASHBOARD_URL + "?quartier=cite-5&source=stand"
    few, few_filtered = page_queries(browser, DASHBOARD_URL), page_queries(browser, filtered)
    for index in range(15):
        quartier = [town["cite5"], town["rimbart"]][index % 2]
        routed(town["instance_lozinghem"], quartier=quartier, supports_count=index)
        ObjectifFactory(quartier=quartier)

    assert page_queries(browser, DASHBOARD_URL) == few <= DASHBOARD_BUDGET
    assert page_queries(browser, filtered) == few_filtered <= DASHBOARD_BUDGET


# --- « Transmis à notre instance » -----------------------------------------------------


def test_what_waits_for_the_agglomeration_is_listed_to_the_referent_of_its_commune_only(
    town, client_for
):
    auchel = shown(client_for(town["ref_auchel"]).get(WAITING_URL))
    lozinghem = shown(client_for(town["ref_lozinghem"]).get(WAITING_URL))

    assert SAID_IN_AUCHEL in auchel and "Conseil de l'agglomération" in auchel
    assert SAID_IN_LOZINGHEM in lozinghem
    assert SAID_IN_AUCHEL not in lozinghem and "Rimbart" not in lozinghem


def test_a_member_of_an_instance_keeps_seeing_what_was_routed_to_it(town, client_for):
    page = shown(client_for(town["member_auchel"]).get(WAITING_URL))

    assert SAID_IN_AUCHEL in page and SAID_IN_CITE5 in page
    assert SAID_IN_LOZINGHEM not in page


# --- Exports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("ref_auchel", {"auchel", "cite5"}),
        ("ref_lozinghem", {"lozinghem", "cite5"}),
        ("ref_platform", {"auchel", "lozinghem", "cite5"}),
        ("member_lozinghem", {"lozinghem"}),
    ],
)
def test_the_csv_and_xlsx_hold_the_rows_of_her_communes(town, client_for, person, expected):
    browser = client_for(town[person])

    table = read_csv(browser.get(CSV_URL))
    spreadsheet = b"".join(browser.get(XLSX_URL).streaming_content)
    workbook = load_workbook(io.BytesIO(spreadsheet), read_only=True)
    sheet = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]

    assert table[0] == exports.header()
    assert numbers(table) == ids(town, *expected)
    assert {int(row[0]) for row in sheet[1:]} == ids(town, *expected)


def test_an_export_built_in_the_background_applies_the_scope_of_its_requester(town):
    job = export_jobs.request_job(user=town["ref_lozinghem"], format="csv", query="", total=2)
    job = export_jobs.build_job(job.pk)

    assert job.state == ExportJob.State.READY and job.total == 2
    with job.file.open("rb") as handle:
        table = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert numbers(table) == ids(town, "lozinghem", "cite5")
    assert SAID_IN_AUCHEL not in str(table)


def test_an_export_is_built_with_the_communes_the_requester_has_when_it_is_built(town):
    referent = town["ref_platform"]
    job = export_jobs.request_job(user=referent, format="csv", query="", total=3)
    referent.communes.set([town["lozinghem"]])  # narrowed while the job waited

    job = export_jobs.build_job(job.pk)

    with job.file.open("rb") as handle:
        table = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert numbers(table) == ids(town, "lozinghem", "cite5")


def test_a_referent_whose_communes_have_nothing_routed_is_told_there_is_nothing(town, client_for):
    """Why B's référent gets 200, not 302, in the matrix: nothing to export, no job."""
    empty = CommuneFactory(name="Burbure", slug="burbure")
    QuartierFactory(commune=empty)
    referent = UserFactory(role=Role.REFERENT, communes=[empty])

    response = client_for(referent).post(CSV_URL)

    assert response.status_code == 200 and not ExportJob.objects.exists()
    assert client_for(town["ref_lozinghem"]).post(CSV_URL).status_code == 302


# --- Séances and answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("ref_auchel", 200),
        ("ref_platform", 200),
        ("member_auchel", 200),
        ("ref_lozinghem", 404),
        ("member_lozinghem", 404),
    ],
)
def test_a_seance_of_an_instance_outside_her_communes_does_not_exist_for_her(
    town, client_for, person, status
):
    browser = client_for(town[person])
    seance, item = town["seance"], town["item"]

    for url in (
        seance.get_absolute_url(),
        reverse("consultations:seance_dossier", args=[seance.pk]),
        reverse("consultations:seance_dossier_xlsx", args=[seance.pk]),
        reverse("consultations:seance_answer", args=[seance.pk, item.pk]),
    ):
        response = browser.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end: the file is closed
        assert response.status_code == status, url


def test_the_seances_listed_and_offered_are_those_of_her_instances(town, client_for):
    browser = client_for(town["ref_lozinghem"])

    listed = shown(browser.get(reverse("consultations:seance_list")))
    form = shown(browser.get(reverse("consultations:seance_create")))

    assert "Séance d'Auchel de printemps" not in listed
    assert "Comité de Lozinghem" in form and "Comité d'Auchel" not in form


def test_answering_outside_her_communes_is_refused(town, client_for):
    referent = town["ref_lozinghem"]
    url = reverse("consultations:seance_answer", args=[town["seance"].pk, town["item"].pk])

    response = client_for(referent).post(
        url, {"decision": "retenue", "text": "Nous refaisons le trottoir.", "public": "on"}
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        committee.record_answer(
            town["item"], actor=referent, decision="retenue", text="Nous refaisons le trottoir."
        )
    assert not Reponse.objects.exists()


def test_a_seance_of_the_agglomeration_stays_with_its_members_and_the_platforms_referent(
    town, client_for
):
    """Its agenda holds what every commune routed there: a référent given communes neither
    sees it, nor lists it, nor creates one for that instance."""
    seance = SeanceFactory(instance=town["agglo"], title="Séance de l'agglomération")
    routed(town["agglo"], quartier=town["cite5"], text=SAID_IN_CITE5 + " Encore.")
    lozinghem = client_for(town["ref_lozinghem"])

    assert lozinghem.get(seance.get_absolute_url()).status_code == 404
    assert "Séance de l'agglomération" not in shown(
        lozinghem.get(reverse("consultations:seance_list"))
    )
    form = shown(lozinghem.get(reverse("consultations:seance_create")))
    assert "Conseil de l'agglomération" not in form and "Comité de Lozinghem" in form
    platform = client_for(town["ref_platform"])
    assert platform.get(seance.get_absolute_url()).status_code == 200


# --- The live feed ---------------------------------------------------------------------


def test_the_live_feed_of_a_referent_given_communes_keeps_her_quartiers_answers(town):
    consumer = CommitteeConsumer()
    consumer.instances = {town["agglo"].pk}
    consumer.quartiers = frozenset({town["cite5"].pk})
    answered = {"type": "expression.answered", "instance": town["agglo"].pk}

    assert consumer._concerns_me({**answered, "quartiers": [town["cite5"].pk]})
    assert not consumer._concerns_me({**answered, "quartiers": [town["rimbart"].pk]})
    assert not consumer._concerns_me({**answered, "instance": town["instance_auchel"].pk})
    consumer.quartiers = None  # a member of the instance, or the platform's référent
    assert consumer._concerns_me({**answered, "quartiers": [town["rimbart"].pk]})


# --- The annual review and the bilan ---------------------------------------------------


def test_the_review_offers_her_communes_only_and_another_one_does_not_exist(town, client_for):
    browser = client_for(town["ref_lozinghem"])

    page = shown(browser.get(REVUE_URL))

    assert 'value="lozinghem"' in page and 'value="auchel"' not in page
    assert "Cité 5" in page and "Rimbart" not in page
    assert browser.get(REVUE_URL + "?commune=auchel").status_code == 404
    assert browser.get(REVUE_URL + "?commune=auchel&format=csv").status_code == 404
    assert browser.get(REVUE_URL + "?commune=nulle-part").status_code == 400


def test_members_and_the_platform_referent_may_review_every_commune(town, client_for):
    for person in ("ref_platform", "member_lozinghem"):
        page = shown(client_for(town[person]).get(REVUE_URL + "?commune=auchel"))
        assert 'value="lozinghem"' in page and 'value="auchel"' in page, person
        assert "Rimbart" in page, person


def test_the_review_runs_as_many_queries_for_a_referent_given_communes(town, client_for):
    browser = client_for(town["ref_lozinghem"])
    url = REVUE_URL + "?commune=lozinghem"
    few = page_queries(browser, url)
    for index in range(10):
        quartier = [town["cite5"], town["rimbart"]][index % 2]
        objectif = ObjectifFactory(quartier=quartier)
        routed(town["instance_lozinghem"], quartier=quartier, objectifs=[objectif])

    assert page_queries(browser, url) == few


def test_the_bilan_of_a_referent_given_communes_counts_her_quartiers(town, client_for):
    lozinghem = shown(client_for(town["ref_lozinghem"]).get(BILAN_URL))
    platform = shown(client_for(town["ref_platform"]).get(BILAN_URL))

    assert "Lozinghem centre" in lozinghem and "Cité 5" in lozinghem
    assert "Rimbart" not in lozinghem and "Refaire les trottoirs" not in lozinghem
    assert "Rimbart" in platform and "Lozinghem centre" in platform
