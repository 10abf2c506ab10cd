"""Full-text search of expressions.

On PostgreSQL: French stemming after accents are removed (the ``french_unaccent``
configuration made by migration 0001), so « mediation » finds « médiation » and
« médiations », through a GIN index on the same expression. On SQLite (embedded mode): every word must appear in the
text, ignoring case.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, migrations

from .models.expression import SEARCH_CONFIG


def search_expressions(queryset, text: str, *, rank: bool = False):
    text = " ".join(text.split())
    if not text:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        vector = SearchVector("text", config=SEARCH_CONFIG)
        queryset = queryset.annotate(search=vector).filter(search=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(vector, query)).order_by("-rank", "-pk")
        return queryset
    for word in text.split()[:10]:
        queryset = queryset.filter(text__icontains=word)
    return queryset


# --- Used by migration 0001 (PostgreSQL only; SQLite migrations skip them) ---------


class CreateSearchConfiguration(migrations.RunSQL):
    """The ``french_unaccent`` text search configuration (``SEARCH_CONFIG``; needs unaccent)."""

    def __init__(self):
        super().__init__(
            sql="""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
                CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
                ALTER TEXT SEARCH CONFIGURATION french_unaccent
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
              END IF;
            END $$;
            """,
            reverse_sql="DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;",
        )

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def text_search_index():
    """The GIN index over the very expression ``search_expressions`` filters on."""
    return GinIndex(SearchVector("text", config=SEARCH_CONFIG), name="expression_text_search")


def create_text_search_index(apps, schema_editor):
    # Kept out of the model state on purpose: SQLite rebuilds tables with every index of
    # the state and cannot build a GIN index.
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("consultations", "Expression")
        schema_editor.execute(text_search_index().create_sql(model, schema_editor))


def drop_text_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("consultations", "Expression")
        schema_editor.execute(text_search_index().remove_sql(model, schema_editor))
