"""Pagination that never counts a whole table, or counts it with the page.

Django's ``Paginator`` counts every row its list may show, on every page: on a list of
200,000 expressions that count reads them all. ``CappedPaginator`` takes the count when the
caller already knows it (a counter kept up to date), and otherwise counts at most
``cap + 1`` rows: beyond ``cap`` the page says « plus de … » (``count_is_capped``) and its
last pages are not reached by « suivante » (a search that broad is refined, not read to the
end).

``page_counted_along`` reads a page and the count of its list in one query, for lists short
enough to count (a quartier's answers, the events to come): the count rides on each row
(``COUNT(*) OVER ()``), where ``Paginator`` builds and runs a second query for it.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

# Rows counted at most when the count is not known: 50 pages of 20.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count=None, cap=COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1): reads at most cap + 1 rows, in
        # whatever order they come (sorting every match first only to count them cost a
        # search of 1,230 matches a third of its time).
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.known_count is None and self.count > self.cap


_TOTAL = "_counted_along"
# Beyond this page, Django's pagination (its count, then its last page): a page number can
# be any string of digits, and a large one makes an offset PostgreSQL refuses.
PAGES_COUNTED_ALONG = 1000


def page_counted_along(queryset, per_page: int, number) -> Page:
    """``Paginator(queryset, per_page).get_page(number)``, in one query when the page asked
    exists: what is not a number gives the first page; before the first, past the end or
    beyond ``PAGES_COUNTED_ALONG``, Django's answer (the last page), counted apart."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = (
        list(queryset.annotate(**{_TOTAL: Window(Count("pk"))})[start : start + per_page])
        if 1 <= number <= PAGES_COUNTED_ALONG
        else []
    )
    if not rows and number != 1:
        return Paginator(queryset, per_page).get_page(number)
    # Not part of the row: its drawings are keyed by what they show (fragments.state).
    count = rows[0].__dict__.pop(_TOTAL) if rows else 0
    for row in rows[1:]:
        del row.__dict__[_TOTAL]
    return Page(rows, number, CappedPaginator(queryset, per_page, count=count))
