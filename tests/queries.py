"""Counting a page's SQL queries the way the budget means it (bench/budgets.py)."""

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
