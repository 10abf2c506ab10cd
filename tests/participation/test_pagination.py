"""The one pagination (templates/partials/pagination.html), as the event list and the public
expressions show it: where one is, and links to the neighbouring pages that keep the search."""

import re

import pytest

from consultations.models import Status
from evenements.models import Evenement
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
