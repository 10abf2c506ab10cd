"""PostgreSQL plans a statement a connection runs again once (participation/settings.py).

Parameters travel apart from the statement, so that the same page read again sends the same
statement text: psycopg prepares it at its sixth run on the connection, and PostgreSQL then
neither parses nor plans it again (docs/performance.md, « Prepared statements »).
"""

import pytest
from django.db import connection

from participation.territory.models import Quartier
from tests.consultations.factories import QuartierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.needs("postgresql")]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_read_again_with_other_values_is_prepared_once():
    rimbart, cite5 = QuartierFactory(slug="rimbart"), QuartierFactory(slug="cite-5")
    slugs = ["rimbart", "cite-5", "inconnu"] * 3

    found = [Quartier.objects.filter(slug=slug).first() for slug in slugs]

    assert found[:3] == [rimbart, cite5, None]  # each reading gets its own values
    lookups = [s for s in prepared_statements() if '"territory_quartier"."slug" = $1' in s]
    assert len(lookups) == 1, prepared_statements()
