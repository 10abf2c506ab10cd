"""Counting a page's SQL queries the way the budget means it (bench/budgets.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url) -> int:
    """The queries of one reading of ``url``, once what every page shares is warm (the cached
    second-factor check of staff accounts, Django's content types…)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)
