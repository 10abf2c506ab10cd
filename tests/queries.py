"""Counting a page's SQL queries the way the budget means it (bench/budgets.py)."""

import json
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

# What a signed-in page reads from the cache when it is warm, and from the database when it
# is not: the session, the staff's second-factor check, the moderation count, the unread count.
COLD_EXTRA = 4


class PageQueries(NamedTuple):
    """A page's queries read cold (every cache emptied: rows, shared drawings, counts) and
    warm (read again at once). Both must stay the same whatever the amount of data: a cache
    must never be what keeps a page's query count constant."""

    cold: int
    warm: int

    # A budget (an int) bounds the warm reading; the cold one may add, at most, the values
    # each signed-in page keeps in the cache (COLD_EXTRA).
    def __gt__(self, other):
        if isinstance(other, int):
            return self.warm > other or self.cold > other + COLD_EXTRA
        return tuple.__gt__(self, other)

    def __le__(self, other):
        return not self > other if isinstance(other, int) else tuple.__le__(self, other)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def page_queries(client, url) -> PageQueries:
    """The queries of one reading of ``url`` with every cache empty, then of the next one.

    What belongs to the process and not to the cache (Django's content types…) is warmed by
    a first reading; sessions outlive the emptied cache (they are kept in the database too).
    """
    client.get(url)
    cache.clear()
    cold = _count(client, url)
    return PageQueries(cold=cold, warm=_count(client, url))


# --- Rows read, from PostgreSQL's own plans ------------------------------------------------


def _scanned(node) -> int:
    """Rows a plan node and its children read from tables and indexes: what every scan
    returned or threw away (filter, recheck), times the loops it ran."""
    rows = 0
    if "Scan" in node["Node Type"]:
        kept = node.get("Actual Rows", 0)
        thrown = node.get("Rows Removed by Filter", 0) + node.get(
            "Rows Removed by Index Recheck", 0
        )
        rows = (kept + thrown) * node.get("Actual Loops", 1)
    return rows + sum(_scanned(child) for child in node.get("Plans", ()))


PLAN_SETTINGS = ("enable_sort", "enable_indexscan", "enable_bitmapscan")
PLAN_VARIANTS = (
    (),
    ("enable_sort",),
    ("enable_indexscan",),
    ("enable_bitmapscan",),
    ("enable_sort", "enable_bitmapscan"),
)


def rows_read(client, url) -> int:
    """The rows the queries of one reading of ``url`` read, as PostgreSQL's plans say
    (``EXPLAIN ANALYZE`` of each query, run again after the page).

    Test tables are tiny: left to itself, the planner reads them whole (a sequential scan
    costs less than an index below a few pages), which says nothing of 200,000 rows. The
    plans are taken as at scale: statistics gathered (``ANALYZE``) and sequential scans
    priced out (``enable_seqscan = off``), so a query that has no index to serve it still
    reads its whole table, and shows it. Each query is then planned as is, with sorts priced
    out, with plain index scans priced out, with bitmap scans priced out (with and without
    sorts), and its smallest reading counts: on a few dozen
    rows, and with the dead rows and statistics earlier tests left, the planner may prefer to
    read a quartier's every row and sort them rather than walk the index that holds them in
    order, or walk that index rather than look the words up in the text index: plans it does
    not take at scale. What is checked is that an index serves each query at any size; a
    COUNT of the table, a full pagination count or a search without its index reads more in
    every plan.

    JIT is off for these plans: with sequential scans priced out, every plan costs more than
    ``jit_above_cost`` and PostgreSQL compiled each one with LLVM (about 45 ms per ``EXPLAIN
    ANALYZE`` on this machine, two thirds of the guard's time); it changes no plan and no
    row count.
    """
    client.get(url)  # what a first reading computes once (counts of a quartier never counted)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    selects = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")
    ]
    total = 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL jit = off")
        for sql in selects:
            readings = []
            for priced_out in PLAN_VARIANTS:
                for setting in PLAN_SETTINGS:
                    state = "off" if setting in priced_out else "on"
                    cursor.execute(f"SET LOCAL {setting} = {state}")
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                readings.append(_scanned(plan[0]["Plan"]))
            total += min(readings)
        for setting in PLAN_SETTINGS:
            cursor.execute(f"SET LOCAL {setting} = on")
        cursor.execute("SET LOCAL enable_seqscan = on")
    return total
