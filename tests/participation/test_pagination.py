"""The one pagination (templates/partials/pagination.html), as the event list and the public
expressions show it: where one is, and links to the neighbouring pages that keep the search."""

import re

import pytest
from django.core.paginator import Paginator

from consultations.models import Status
from evenements.models import Evenement
from participation.core.pagination import PAGES_COUNTED_ALONG, page_counted_along
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory, in_days


def pagination(html: str) -> str:
    match = re.search(r'<nav class="pagination" aria-label="Pages">.*?</nav>', html, re.S)
    assert match, "no pagination"
    return match.group(0)


@pytest.mark.django_db
def test_the_event_list_says_which_page_and_keeps_the_filter_in_its_links(client):
    for day in range(25):
        EvenementFactory(
            kind=Evenement.Kind.STAND, starts_at=in_days(day + 1), ends_at=in_days(day + 1, 18)
        )

    html = client.get("/evenements/?type=stand&page=2").content.decode()

    nav = pagination(html)
    assert '<li aria-current="page">Page 2 sur 2</li>' in nav
    assert 'href="?type=stand&amp;page=1" rel="prev"' in nav
    assert 'rel="next"' not in nav


@pytest.mark.django_db
def test_the_public_expressions_use_the_same_pagination(client):
    ExpressionFactory.create_batch(21, status=Status.PUBLIEE)

    nav = pagination(client.get("/expressions/").content.decode())

    assert '<li aria-current="page">Page 1 sur 2</li>' in nav
    assert 'href="?page=2" rel="next"' in nav


@pytest.mark.django_db
def test_a_single_page_has_no_pagination(client):
    EvenementFactory(starts_at=in_days(1), ends_at=in_days(1, 18))

    assert 'class="pagination"' not in client.get("/evenements/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2, 3, "3", 4, 99, 0, -1, "abc", "2.0", None, "1" + "0" * 24])
def test_a_page_counted_along_is_djangos_page_in_one_query(number, django_assert_num_queries):
    """The same page and count as Django's ``Paginator`` (the last page before the first or
    past the end, the first for what is not a number), one query when the page exists."""
    for day in range(45):
        EvenementFactory(starts_at=in_days(day + 1), ends_at=in_days(day + 1, 18))
    events = Evenement.objects.order_by("starts_at", "pk")
    django = Paginator(events, 20).get_page(number)

    exists = str(number) in {"1", "2", "3"} or number is None or number in ("abc", "2.0")
    # Else Django's count, then its page (after an empty page when it could be one).
    queries = 1 if exists else 3 if 1 <= int(number) <= PAGES_COUNTED_ALONG else 2
    with django_assert_num_queries(queries):
        page = page_counted_along(events, 20, number)
        rows = list(page.object_list)

    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        django.number,
        45,
        3,
    )
    assert rows == list(django.object_list)
    # The count is not left on the rows: a row's drawing is keyed by what it shows.
    assert not any("_counted_along" in vars(row) for row in rows)


@pytest.mark.django_db
def test_a_page_counted_along_of_an_empty_list_is_its_first_page(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_counted_along(Evenement.objects.order_by("pk"), 20, 1)

    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
