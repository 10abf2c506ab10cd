"""Full-text search of expressions, and the likely duplicates of one.

On PostgreSQL: French stemming after accents are removed (the ``french_unaccent``
configuration made by migration 0001), so « mediation » finds « médiation » and
« médiations », through a GIN index on the same expression. On SQLite (embedded mode): every word must appear in the
text, ignoring case.
"""

import math
import re
import unicodedata
from itertools import combinations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, migrations
from django.db.models import BigIntegerField, F, Value, Window
from django.db.models.functions import RowNumber

from .models.expression import LISTED_STATUSES, SEARCH_CONFIG, Expression, listed_q


def search_expressions(queryset, text: str, *, rank: bool = False):
    text = " ".join(text.split())
    if not text:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        vector = SearchVector("text", config=SEARCH_CONFIG)
        # alias, not annotate: the vector is the GIN index's expression, never a column the
        # page would fetch (computing it for every row shown).
        queryset = queryset.alias(search=vector).filter(search=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(vector, query)).order_by("-rank", "-pk")
        return queryset
    for word in text.split()[:10]:
        queryset = queryset.filter(text__icontains=word)
    return queryset


# --- Likely duplicates --------------------------------------------------------------------

# Words that say nothing of what an expression is about (compared without accents).
_STOP_WORDS_TEXT = """
    alors au aucun aussi autre aux avec avoir bien car ce ceci cela ces cet cette chez comme
    dans de des deja donc du elle elles en encore est et etait etre eu fait faire faut faudrait
    il ils je la le les leur leurs lui ma mais me meme mes moi mon ne ni nos notre nous on ont
    ou par pas peu peut plus pour quand que quel quelle qui quartier rien sa sans se ses si son
    sont sur ta te tes toi ton tous tout toute toutes tres trop tu un une vos votre vous
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# A likely duplicate shares at least this many words with the expression (fewer only when
# one of the two has fewer words to share).
MIN_SHARED_WORDS = 2
# The words of a long text the PostgreSQL search looks for: its longest, most telling ones
# (any two of them: 45 pairs).
QUERY_WORDS = 10
# How many candidates are compared word by word: the best ranked by PostgreSQL's search, or
# on SQLite (embedded mode, a few hundred expressions) the latest of the quartier.
CANDIDATES = 50
CANDIDATES_EMBEDDED = 500


def _plain(word: str) -> str:
    """A word without accents nor case, and without the plural's final s or x."""
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(c for c in word if not unicodedata.combining(c))
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


_STOP_PLAIN = frozenset(_plain(word) for word in STOP_WORDS)


def _words(text: str) -> list[str]:
    """The telling words of ``text``, as written, each once, in order."""
    seen, words = set(), []
    for word in re.findall(r"[^\W\d_]+", text):
        plain = _plain(word)
        if len(plain) > 2 and plain not in _STOP_PLAIN and plain not in seen:
            seen.add(plain)
            words.append(word)
    return words


def _word_set(text: str) -> set[str]:
    return {_plain(word) for word in _words(text)}


def closeness(words: set[str], other: set[str]) -> tuple[int, float]:
    """How close two sets of words (``_word_set``) are: how many they share, and their
    cosine (1 for the same words, 0 for none in common)."""
    if not words or not other:
        return 0, 0.0
    shared = len(words & other)
    return shared, shared / math.sqrt(len(words) * len(other))


def likely_duplicates(
    expression: Expression, *, limit: int = 5, statuses=LISTED_STATUSES, queryset=None
) -> list[Expression]:
    """The expressions of ``expression``'s quartier that likely say the same thing, closest
    first (at most ``limit``, in one query): never ``expression`` itself nor another
    quartier's, only those of ``statuses`` (by default those anyone may list: published,
    routed, examined, answered), taken from ``queryset`` (every expression by default: the
    caller decides who may read them).

    Close means at least ``MIN_SHARED_WORDS`` telling words in common, compared without
    accents, case nor plural, and ranked by the cosine of the two sets of words. On
    PostgreSQL the candidates are those the full-text search (French stemming, its GIN
    index) ranks best for the expression's words; on SQLite the quartier's latest ones.
    Each one returned carries ``closeness`` (0 to 1).
    """
    words = _words(expression.text)
    if not words:
        return []
    candidates = _of_quartier(expression, statuses, queryset)
    if connections[candidates.db].vendor == "postgresql":
        candidates = _ranked(candidates, words)[:CANDIDATES]
    else:
        candidates = candidates.order_by("-pk")[:CANDIDATES_EMBEDDED]
    return _closest(expression, candidates, limit)


def likely_duplicates_of(
    expressions, *, limit: int = 3, statuses=LISTED_STATUSES, queryset=None
) -> dict[int, list[Expression]]:
    """``likely_duplicates`` of each of ``expressions`` (by pk; [] for one without telling
    words), in one query whatever their number: for the pages that list expressions.

    On PostgreSQL, one UNION ALL of each expression's best-ranked candidates; on SQLite, the
    latest ``CANDIDATES_EMBEDDED`` of each quartier, compared with each expression of it.
    """
    expressions = list(expressions)
    found: dict[int, list[Expression]] = {e.pk: [] for e in expressions}
    telling = [(e, _words(e.text)) for e in expressions]
    telling = [(e, words) for e, words in telling if words]
    if not telling:
        return found
    base = Expression.objects.all() if queryset is None else queryset
    if connections[base.db].vendor == "postgresql":
        parts = [
            _ranked(_of_quartier(e, statuses, base), words).annotate(
                duplicate_of=Value(e.pk, output_field=BigIntegerField())
            )[:CANDIDATES]
            for e, words in telling
        ]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        candidates: dict[int, list[Expression]] = {}
        for row in rows:
            candidates.setdefault(row.duplicate_of, []).append(row)
        for e, _words_of_e in telling:
            found[e.pk] = _closest(e, candidates.get(e.pk, []), limit)
        return found
    latest = (
        base.filter(quartier_id__in={e.quartier_id for e, _ in telling}, status__in=statuses)
        .annotate(
            newest=Window(RowNumber(), partition_by=F("quartier_id"), order_by=F("pk").desc())
        )
        .filter(newest__lte=CANDIDATES_EMBEDDED)
    )
    by_quartier: dict[int, list[Expression]] = {}
    for row in latest:
        by_quartier.setdefault(row.quartier_id, []).append(row)
    for e, _words_of_e in telling:
        others = [c for c in by_quartier.get(e.quartier_id, []) if c.pk != e.pk]
        found[e.pk] = _closest(e, others, limit)
    return found


def _of_quartier(expression: Expression, statuses, queryset):
    """The other expressions of ``expression``'s quartier and ``statuses``, in ``queryset``."""
    candidates = (Expression.objects.all() if queryset is None else queryset).filter(
        quartier_id=expression.quartier_id, status__in=statuses
    )
    return candidates.exclude(pk=expression.pk)


def _ranked(candidates, words: list[str]):
    """``candidates`` that the full-text search finds for ``words``, best ranked first
    (PostgreSQL only)."""
    telling = sorted(words, key=len, reverse=True)[:QUERY_WORDS]
    # Texts with two of these words at least (« a b or a c or … »: AND binds first; no word
    # is « or », each has 3 letters or more), found through the GIN index: ranking every
    # text that shares a single word would compute a quartier's worth of to_tsvector. The
    # websearch syntax never fails on what residents write.
    pairs = [" ".join(pair) for pair in combinations(telling, MIN_SHARED_WORDS)] or telling
    query = SearchQuery(" or ".join(pairs), config=SEARCH_CONFIG, search_type="websearch")
    vector = SearchVector("text", config=SEARCH_CONFIG)
    return (
        candidates.alias(search=vector)
        .filter(search=query)
        .alias(rank=SearchRank(vector, query))
        .order_by("-rank", "-pk")
    )


def _closest(expression: Expression, candidates, limit: int) -> list[Expression]:
    """Those of ``candidates`` close enough to ``expression``, closest first, each with its
    ``closeness``."""
    mine, close = _word_set(expression.text), []
    for candidate in candidates:
        theirs = _word_set(candidate.text)
        shared, cosine = closeness(mine, theirs)
        if shared and shared >= min(MIN_SHARED_WORDS, len(mine), len(theirs)):
            candidate.closeness = cosine
            close.append(candidate)
    close.sort(key=lambda e: (-e.closeness, -e.pk))
    return close[:limit]


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


def listed_text_search_index():
    """A search in one quartier's public list (the expression list's « quartier » filter with
    words), served by one index: GIN over the quartier and the same vector, restricted to the
    listed expressions. GIN intersects the two keys inside the index, skipping through the
    longer posting list, instead of two bitmaps (every listed expression of the quartier, and
    every expression anywhere with the word) joined afterwards. ``btree_gin`` gives GIN its
    operator class for the quartier's id."""
    return GinIndex(
        F("quartier"),
        SearchVector("text", config=SEARCH_CONFIG),
        condition=listed_q(),
        name="expression_listed_quartier_text",
    )


def create_listed_text_search_index(apps, schema_editor):
    # Out of the model state, as the index above: SQLite cannot build a GIN index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        model = apps.get_model("consultations", "Expression")
        schema_editor.execute(listed_text_search_index().create_sql(model, schema_editor))


def drop_listed_text_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("consultations", "Expression")
        schema_editor.execute(listed_text_search_index().remove_sql(model, schema_editor))
