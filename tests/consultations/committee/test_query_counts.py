"""Every committee page runs a fixed number of SQL queries, whatever the amount of data."""

import pytest
from django.urls import reverse

from consultations.committee import services as committee
from consultations.models import Decision, Source, Support, Visibility
from tests.consultations.factories import ConsultationFactory
from tests.factories import EnjeuFactory, ObjectifFactory, UserFactory
from tests.queries import page_queries as queries

from .factories import EtiquetteFactory, SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db
DASHBOARD_BUDGET = 12


def grow(instance, quartiers, count, comite, seance, supporters=()):
    """``count`` more routed expressions of every kind, on the séance, some answered."""
    enjeu = EnjeuFactory(number=2, title="Des quartiers où il fait bon grandir")
    objectifs = [ObjectifFactory(quartier=q, enjeu=enjeu) for q in quartiers]
    consultation = ConsultationFactory(quartiers=quartiers)
    etiquette = EtiquetteFactory()
    sources = list(Source)
    for index in range(count):
        quartier = quartiers[index % len(quartiers)]
        expression = routed(
            instance,
            quartier=quartier,
            objectifs=[objectifs[index % len(objectifs)]] if index % 3 else [],
            source=sources[index % len(sources)],
            consultation=consultation if index % 2 else None,
            visibility=list(Visibility)[index % 3],
            supports_count=index,
        )
        etiquette.expressions.add(expression)
        Support.objects.bulk_create(Support(expression=expression, user=u) for u in supporters)
        item = on_agenda(seance, expression)
        if index % 2:
            committee.record_answer(
                item, actor=comite, decision=list(Decision)[index % 4], text="Réponse."
            )


@pytest.mark.parametrize("role", ["comite", "referent"])
def test_the_dashboard_runs_a_constant_number_of_queries(
    request, client_for, role, instance_a, rimbart, cite5, comite
):
    browser = client_for(request.getfixturevalue(role))
    seance = SeanceFactory(instance=instance_a)
    url = reverse("consultations:committee_dashboard")
    filtered = url + "?quartier=rimbart&enjeu=2&source=stand&du=2020-01-01"
    grow(instance_a, [rimbart, cite5], 3, comite, seance)
    few = queries(browser, url)
    few_filtered = queries(browser, filtered)

    grow(instance_a, [rimbart, cite5], 30, comite, seance, [UserFactory() for _ in range(3)])
    many = queries(browser, url)
    many_filtered = queries(browser, filtered)

    assert few == many <= DASHBOARD_BUDGET
    assert few_filtered == many_filtered <= DASHBOARD_BUDGET


@pytest.mark.parametrize(
    "page",
    ["seance_detail", "seance_dossier", "seance_list", "bilan", "retours", "retours_quartier"],
)
def test_committee_and_public_pages_run_a_constant_number_of_queries(
    client_for, client, comite, instance_a, rimbart, cite5, page
):
    seance = SeanceFactory(instance=instance_a)
    urls = {
        "seance_detail": seance.get_absolute_url(),
        "seance_dossier": reverse("consultations:seance_dossier", args=[seance.pk]),
        "seance_list": reverse("consultations:seance_list"),
        "bilan": reverse("consultations:bilan"),
        "retours": reverse("consultations:retours"),
        "retours_quartier": reverse("consultations:retours_quartier", args=["rimbart"]),
    }
    browser = client if page.startswith("retours") else client_for(comite)
    grow(instance_a, [rimbart, cite5], 2, comite, seance)
    for _ in range(2):
        routed(instance_a)  # waiting to be put on an agenda
    few = queries(browser, urls[page])
    grow(instance_a, [rimbart, cite5], 25, comite, seance)
    for _ in range(10):
        routed(instance_a)
        SeanceFactory(instance=instance_a)
    many = queries(browser, urls[page])
    assert few == many


def test_the_quartier_page_block_runs_a_constant_number_of_queries(
    client, comite, instance_a, rimbart
):
    seance = SeanceFactory(instance=instance_a)
    grow(instance_a, [rimbart], 2, comite, seance)
    few = queries(client, rimbart.get_absolute_url())
    grow(instance_a, [rimbart], 20, comite, seance)
    assert queries(client, rimbart.get_absolute_url()) == few


@pytest.mark.parametrize(
    "url", ["/api/donnees-ouvertes/expressions/", "/api/donnees-ouvertes/comptes/"]
)
def test_the_open_data_runs_a_constant_number_of_queries(client, comite, instance_a, rimbart, url):
    seance = SeanceFactory(instance=instance_a)
    grow(instance_a, [rimbart], 2, comite, seance)
    few = queries(client, url)
    grow(instance_a, [rimbart], 20, comite, seance)
    assert queries(client, url) == few
