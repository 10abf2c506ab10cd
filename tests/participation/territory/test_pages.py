"""The public quartier and pilotage pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.budgets import MAX_QUERIES_PER_PAGE
from participation.core import hooks
from participation.territory.models import Finding, Objectif, Quartier
from tests.factories import EnjeuFactory, ObjectifFactory, QuartierFactory, UserFactory
from tests.queries import page_queries

from .factories import FindingFactory, IndicatorFactory

NBSP = "\u00a0"


def test_the_quartier_page_shows_what_the_convention_says(client, referentiel):
    response = client.get("/quartiers/centre-ville/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Centre-ville</h1>" in html
    assert "Quartier prioritaire de la politique de la ville" in html
    assert "QP 06 20 04" in html
    assert f"environ 2{NBSP}300 habitants" in html
    assert "stable depuis 2015" in html
    assert "48 hectares" in html
    assert "Des turn-over d&#x27;habitants nombreux" in html
    assert "Un lieu de formation récemment implanté : l&#x27;AFP21" in html
    assert "Raccrocher la population à l&#x27;existant" in html


def test_the_portrait_is_an_svg_chart_with_a_table_for_screen_readers(client, referentiel):
    html = client.get("/quartiers/centre-ville/").content.decode()
    svg = re.search(r"<svg [^>]*chart-title chart-desc[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg
    # One quartier bar and one agglomeration bar per indicator, labelled with their figure.
    assert svg.count('class="bar-quartier"') == 7
    assert svg.count('class="bar-agglo"') == 7
    assert f">45,4{NBSP}%</text>" in svg
    assert f">18,8{NBSP}%</text>" in svg
    # Bars are proportional: 45,4 % of the full width against 18,8 %.
    widths = re.findall(
        r'class="bar-(?:quartier|agglo)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg
    )
    assert float(widths[0]) / float(widths[1]) == pytest.approx(45.4 / 18.8, rel=0.01)
    table = re.search(r'<table class="portrait-table">.*?</table>', html, re.S).group(0)
    assert "<caption>" in table
    assert '<th scope="row">Taux de pauvreté</th>' in table
    assert f'<td class="number">45,4{NBSP}%</td>' in table
    assert '<td class="number">78</td>' in table  # the IPS has no unit


def test_quartiers_without_a_line_of_the_portrait_show_fewer_bars(client, referentiel):
    html = client.get("/quartiers/cite-5/").content.decode()
    assert html.count('class="bar-quartier"') == 6
    assert "familles monoparentales" not in html
    assert f"84,2{NBSP}%" in html


def test_objectives_are_grouped_by_enjeu_then_orientation(client, referentiel):
    html = client.get("/quartiers/provinces-longues-trinques/").content.decode()
    enjeux = re.findall(r'<h3 id="titre-enjeu-\d">(.*?)</h3>', html)
    assert enjeux == [
        "Enjeu 1 : Des quartiers attentifs aux habitants des plus fragiles",
        "Enjeu 2 : Des quartiers d&#x27;émancipation pour tous",
        "Enjeu 3 : Des quartiers à l&#x27;épreuve des transitions",
    ]
    orientations = re.findall(r'<h4 class="orientation">(.*?)</h4>', html)
    assert len(orientations) == 2 + 4 + 2
    assert orientations[3] == (
        "Accompagner l&#x27;accès à l&#x27;autonomie et à l&#x27;emploi des habitants des quartiers"
    )
    assert html.count('class="objectif"') == 17
    assert "Informer et accompagner les habitants" in html


def test_rows_without_an_operational_objective_say_so(client, referentiel):
    html = client.get("/quartiers/centre-ville/").content.decode()
    assert html.count("Pas d'objectif propre au quartier pour cette ligne.") == 2


def test_other_apps_can_show_a_count_per_objective(client, referentiel):
    quartier = Quartier.objects.get(slug="rimbart")
    first = quartier.objectifs.first()

    def counts(request, quartier):
        return {"objectif_expression_counts": {first.pk: 3, first.pk + 1: 1}}

    hooks.register("quartier", counts)
    try:
        html = client.get("/quartiers/rimbart/").content.decode()
    finally:
        hooks._providers["quartier"].remove(counts)
    assert "3 expressions citoyennes" in html
    assert "1 expression citoyenne<" in html
    # Objectives nobody spoke about yet say nothing rather than « 0 ».
    assert html.count('class="objectif-expressions"') == 2


def test_without_counts_the_page_shows_none(client, referentiel):
    response = client.get("/quartiers/rimbart/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Rimbart" in html
    assert "expression citoyenne<" not in html


def test_an_unknown_quartier_is_a_french_404(client, referentiel):
    response = client.get("/quartiers/quartier-inconnu/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def make_quartier(objectives: int):
    quartier = QuartierFactory()
    enjeux = [EnjeuFactory(number=n, title=f"Enjeu {n}") for n in (1, 2, 3)]
    for i in range(objectives):
        ObjectifFactory(
            quartier=quartier,
            enjeu=enjeux[i % 3],
            orientation=f"Orientation {i // 4}",
            position=i,
        )
    for i in range(objectives // 2):
        IndicatorFactory(quartier=quartier, position=i)
        FindingFactory(quartier=quartier, kind=Finding.Kind.values[i % 3], position=i)
    return quartier


def count_queries(client, quartier):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(quartier.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_quartier_page_makes_as_many_queries_for_3_or_60_objectives(
    client, db, django_assert_max_num_queries
):
    small, large = make_quartier(3), make_quartier(60)
    assert Objectif.objects.filter(quartier=large).count() == 60
    count_queries(client, small)  # warm the caches shared by every page
    small_count = count_queries(client, small)
    with django_assert_max_num_queries(small_count):
        count_queries(client, large)
    assert count_queries(client, large) == small_count


# PostgreSQL reads the communes and findings with the quartier; the embedded SQLite spends
# a query on each.
@pytest.mark.needs("postgresql")
def test_the_quartier_page_keeps_to_the_budget_for_a_signed_in_resident_cold(client, db):
    quartier = make_quartier(12)
    client.force_login(UserFactory(quartier=quartier))

    queries = page_queries(client, quartier.get_absolute_url())

    # Cold: the session, the account and the unread count come from the database too.
    assert queries.cold <= MAX_QUERIES_PER_PAGE, queries
    html = client.get(quartier.get_absolute_url()).content.decode()
    assert quartier.commune.name in html
    for finding in Finding.objects.filter(quartier=quartier):
        assert finding.text in html


def test_the_pilotage_page_tells_how_the_contract_is_steered(client, referentiel):
    response = client.get("/pilotage/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "l'adjoint(e) à la cohésion sociale",
        "agent référent(e) Politique de la Ville",
        "Le Comité de Pilotage Cohésion Sociale",
        "Conseil Consultatif du Programme de Réussite Éducative",
        "médiation sociale",
        "table ronde",
        "Nos Quartiers d'Été",
        "Déposez votre expression citoyenne",
    ]:
        assert text in html, text
    figures = re.findall(r"<li><strong>(\d+)</strong>", html)
    assert figures == ["25", "16", "9", "4", "6"]
    assert 'href="/quartiers/rimbart/"' in html


def test_comment_ca_marche_answers_how_the_platform_works_first(client, db):
    """Reached by « Comment ça marche »: the five steps of the platform come before the
    contract's governance (UX review #12), and the way to a mediator is in them."""
    html = client.get("/pilotage/").content.decode()

    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html)
    assert headings[0] == "Sur cette plateforme, en cinq étapes"
    steps = html[
        html.index('id="titre-plateforme"') : html.index(
            "</section>", html.index('id="titre-plateforme"')
        )
    ]
    assert steps.count("<li>") == 5
    assert 'href="/mediation/"' in steps


def test_the_pilotage_page_works_before_the_referential_is_loaded(client, db):
    assert client.get("/pilotage/").status_code == 200


def test_home_cards_introduce_each_quartier(client, referentiel):
    html = client.get("/").content.decode()
    assert "Un quartier à l&#x27;identité forte" in html
    assert f"Environ 1{NBSP}300 habitants" in html
    assert f"1{NBSP}100 habitants" in html and f"Environ 1{NBSP}100" not in html
