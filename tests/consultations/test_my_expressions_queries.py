"""« Mes expressions » reads her own expressions only, and counts them only when they fill
more than one page (issue 19: a signed-in page within 5 ms of CPU)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.expressions.views import PAGE_SIZE
from consultations.models import ExpressionStep, Status
from tests.factories import UserFactory
from tests.queries import page_queries, rows_read

from .factories import ExpressionFactory

pytestmark = pytest.mark.django_db

URL = "/mes-expressions/"


def write(author, quartier, count, status=Status.PUBLIEE):
    for _ in range(count):
        expression = ExpressionFactory(author=author, quartier=quartier, status=status)
        ExpressionStep.objects.create(expression=expression, status=status, actor=author)


def expression_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "consultations_expression" in q["sql"]]


def test_her_cards_and_their_count_are_read_in_one_query(client_for, alice, rimbart):
    client = client_for(alice)
    write(alice, rimbart, 2)
    few = page_queries(client, URL)
    assert len(expression_queries(client)) == 1

    write(alice, rimbart, PAGE_SIZE * 2)

    assert page_queries(client, URL) == few
    sql = expression_queries(client)
    assert len(sql) == 1
    # Her cards show neither the date of the last step nor the news: no step is read.
    assert "consultations_expressionstep" not in sql[0]
    assert "Page 1 sur 3" in client.get(URL).content.decode()


def test_every_page_of_a_long_list_says_where_it_is(client_for, alice, rimbart):
    client = client_for(alice)
    write(alice, rimbart, PAGE_SIZE * 2 + 1)

    last = client.get(URL + "?page=3").content.decode()
    past = client.get(URL + "?page=9").content.decode()
    wrong = client.get(URL + "?page=abc").content.decode()

    assert "Page 3 sur 3" in last and "Page 3 sur 3" in past
    assert "Page 1 sur 3" in wrong
    assert client_for(UserFactory()).get(URL).status_code == 200


@pytest.mark.needs("postgresql")  # rows read from PostgreSQL's own plans (tests/queries.py)
def test_other_residents_expressions_are_not_read(client_for, alice, rimbart):
    client = client_for(alice)
    write(alice, rimbart, 3)
    others = [UserFactory() for _ in range(3)]
    for other in others:
        write(other, rimbart, 2)
    before = rows_read(client, URL)

    for other in others:
        write(other, rimbart, 10, status=Status.TRANSMISE)

    # The plan may change with the statistics; what it reads never grows with others' rows.
    assert rows_read(client, URL) <= before
