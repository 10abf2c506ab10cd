"""The committee counts an expression at the time it was said: a field entry typed at a stand
on 30 November, kept offline and synced on 2 December, counts in November everywhere the
figures go by period (dashboard, its trend and date filters, exports, bilan, open data)."""

import csv
import datetime as dt
import io

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from consultations.committee import bilan, dashboard
from consultations.models import Source, Status
from tests.consultations.factories import ExpressionFactory

from .factories import routed

pytestmark = pytest.mark.django_db


def paris(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


@pytest.fixture
def synced_late(instance_a, rimbart, mediateur):
    """Said at a stand on 30 November in the evening, received on 2 December."""
    return routed(
        instance_a,
        quartier=rimbart,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        text="Le terrain de foot n'a plus de filets.",
        said_at=paris(2026, 11, 30, 19),
        created_at=paris(2026, 12, 2, 9),
    )


@pytest.fixture
def online(instance_a, rimbart):
    """Sent online on 1 December: said when received."""
    return routed(instance_a, quartier=rimbart, created_at=paris(2026, 12, 1))


def test_an_entry_said_on_30_november_and_synced_on_2_december_counts_in_november(
    synced_late, online, comite
):
    board = dashboard.build(comite, QueryDict("du=2026-11-01&au=2026-12-31"))
    months = dict(board.months)
    assert months[dt.date(2026, 11, 1)] == 1
    assert months[dt.date(2026, 12, 1)] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("du=2026-11-01&au=2026-11-30", {"synced_late"}),
        ("du=2026-11-30&au=2026-11-30", {"synced_late"}),
        ("du=2026-12-01", {"online"}),
        ("au=2026-12-01", {"synced_late", "online"}),
        ("du=2026-12-02&au=2026-12-02", set()),
    ],
)
def test_the_period_filters_go_by_the_day_it_was_said(synced_late, online, comite, query, expected):
    board = dashboard.build(comite, QueryDict(query))
    assert board.valid and not board.problems
    by_source = {row.key: row.count for row in board.section("source").rows}
    # The entry synced late is the stand's, the other was sent online.
    found = {
        name for name, key in [("synced_late", "stand"), ("online", "en_ligne")] if by_source[key]
    }
    assert (found, board.total) == (expected, len(expected))


def test_the_export_dates_a_row_when_it_was_said_and_follows_the_period_filter(
    synced_late, online, comite, client_for
):
    url = reverse("consultations:committee_export", args=["csv"]) + "?du=2026-11-01&au=2026-11-30"
    text = b"".join(client_for(comite).get(url).streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, rows = table[0], table[1:]
    assert [int(row[0]) for row in rows] == [synced_late.pk]
    assert dict(zip(header, rows[0], strict=True))["Dite le"] == "30/11/2026 19:00"


def test_the_bilan_of_a_year_counts_what_was_said_in_it(rimbart, mediateur):
    ExpressionFactory(
        quartier=rimbart,
        status=Status.PUBLIEE,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        said_at=paris(2025, 12, 31, 18),
        created_at=paris(2026, 1, 2),
    )

    def total(year):
        block = next(b for b in bilan.build(year, mediateur) if b.total.quartier == rimbart)
        return block.total.expressions

    assert (total(2025), total(2026)) == (1, 0)
    assert 2025 in bilan.bilan_years()


def test_open_data_says_the_day_each_expression_was_said(client, rimbart, mediateur):
    said = ExpressionFactory(
        quartier=rimbart,
        status=Status.PUBLIEE,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        said_at=paris(2026, 11, 30, 19),
        created_at=paris(2026, 12, 2),
    )
    body = client.get("/api/donnees-ouvertes/expressions/").json()
    assert next(r for r in body["results"] if r["id"] == said.pk)["said_on"] == "2026-11-30"
    text = b"".join(client.get("/api/donnees-ouvertes/expressions.csv").streaming_content).decode()
    row = next(r for r in csv.DictReader(io.StringIO(text)) if int(r["id"]) == said.pk)
    assert row["said_on"] == "2026-11-30"
