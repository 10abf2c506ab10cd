"""The public pages read as much with 300 expressions as with 30 (issue 19).

What grows with the data is counted, never milliseconds: the page's SQL queries, and the
rows those queries read, from PostgreSQL's own plans (tests/queries.py's ``rows_read``).
A page that counted the whole table, or paginated with a full COUNT, or searched without
its index, reads ten times more rows at the larger size.
"""

import itertools

import pytest
from django.urls import reverse

from consultations.committee import services as committee
from consultations.models import Decision, Source, Status, Transmission, Visibility
from tests.factories import UserFactory
from tests.queries import page_queries, rows_read

from .committee.factories import InstanceFactory, SeanceFactory, on_agenda
from .factories import ExpressionFactory, ObjectifFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 30, 300
# Between the two sizes a page may read a few more rows (a page of 20 cards full instead of
# half full, with their objectives, and for a resident her « moi aussi » on each): never one
# per added expression. Before issue 19 the home page read 324 more, the quartier page 744,
# a quartier's list 286.
MORE_ROWS = 60
SEARCH = "expressions: filter + search"
STATUSES = itertools.cycle(
    [Status.PUBLIEE, Status.TRANSMISE, Status.SOUMISE, Status.REPONDUE, Status.REJETEE]
)


def grow(count, *, quartiers, objectifs):
    """``count`` expressions over the quartiers, every status, none saying « éclairage »."""
    for index in range(count):
        quartier = quartiers[index % len(quartiers)]
        ExpressionFactory(
            quartier=quartier,
            status=next(STATUSES),
            text=f"Des bancs au square, numéro {index}.",
            source=Source.STAND if index % 4 == 0 else Source.EN_LIGNE,
            visibility=Visibility.PRIVATE if index % 7 == 0 else Visibility.PUBLIC_ANONYMOUS,
            objectifs=objectifs[quartier.pk],
        )


@pytest.fixture
def world(rimbart, cite5, comite):
    """Rimbart with a few expressions about lighting, one answered in public."""
    objectifs = {
        rimbart.pk: [ObjectifFactory(quartier=rimbart)],
        cite5.pk: [ObjectifFactory(quartier=cite5)],
    }
    lighting = [
        ExpressionFactory(
            quartier=rimbart, status=Status.TRANSMISE, objectifs=objectifs[rimbart.pk]
        )
        for _ in range(3)
    ]
    instance = InstanceFactory(members=[comite])
    for expression in lighting:
        Transmission.objects.create(expression=expression, instance=instance)
    item = on_agenda(SeanceFactory(instance=instance), *lighting, title="Éclairage")
    committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Dès mars.")
    return {"quartiers": [rimbart, cite5], "objectifs": objectifs, "lighting": lighting}


def urls(world) -> dict[str, str]:
    rimbart = world["quartiers"][0]
    return {
        "home": reverse("core:home"),
        "quartier": reverse("territory:quartier", kwargs={"slug": rimbart.slug}),
        "expressions": reverse("consultations:expression_list"),
        "expressions of a quartier": reverse("consultations:expression_list")
        + f"?quartier={rimbart.slug}",
        SEARCH: reverse("consultations:expression_list")
        + f"?quartier={rimbart.slug}&q=%C3%A9clairage",
        "expression": world["lighting"][0].get_absolute_url(),
        "vous avez dit, nous avons fait": reverse(
            "consultations:retours_quartier", kwargs={"slug": rimbart.slug}
        ),
    }


@pytest.fixture(params=["anonymous", "resident"])
def reader(request, client, rimbart):
    if request.param == "resident":
        client.force_login(UserFactory(quartier=rimbart))
    return client


def test_public_pages_make_as_many_queries_for_300_expressions_as_for_30(settings, world, reader):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    grow(SMALL, **world_args(world))
    small = {name: page_queries(reader, url) for name, url in urls(world).items()}
    grow(LARGE - SMALL, **world_args(world))
    large = {name: page_queries(reader, url) for name, url in urls(world).items()}
    assert large == small


@pytest.mark.needs("postgresql")
def test_public_pages_read_as_many_rows_for_300_expressions_as_for_30(settings, world, reader):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    # Not the search: on these few rows, and with what earlier tests left in the database,
    # the planner may walk the quartier's ordered index rather than look the word up in the
    # text index, whatever plan is priced out, so its reading says more of the statistics
    # than of the page (the old search did not read more here either). Its queries are
    # counted above; its index by tests/consultations/test_reading.py.
    pages = {name: url for name, url in urls(world).items() if name != SEARCH}
    grow(SMALL, **world_args(world))
    small = {name: rows_read(reader, url) for name, url in pages.items()}
    grow(LARGE - SMALL, **world_args(world))
    large = {name: rows_read(reader, url) for name, url in pages.items()}
    grown = {
        name: (small[name], large[name]) for name in small if large[name] - small[name] > MORE_ROWS
    }
    assert not grown, f"rows read (30 expressions, 300 expressions): {grown}"


def world_args(world) -> dict:
    return {"quartiers": world["quartiers"], "objectifs": world["objectifs"]}
