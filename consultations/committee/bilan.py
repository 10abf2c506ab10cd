"""The annual bilan: what was said, routed and answered, per quartier, for one year."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from participation.territory.models import Objectif, Quartier

from .. import rules
from ..models import (
    ROUTED_STATUSES,
    Decision,
    Expression,
    Reponse,
    Status,
)

# Steps counted in the bilan: what went past moderation (rejected and merged ones aside).
BILAN_STATUSES = (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE, Status.REPONDUE)


@dataclass
class BilanRow:
    quartier: object
    objectif: object | None
    expressions: int = 0
    people: int = 0
    supports: int = 0
    routed: int = 0
    answered: int = 0
    decisions: dict = field(default_factory=dict)

    def decision_counts(self) -> list[int]:
        return [self.decisions.get(value, 0) for value in Decision.values]

    def add(self, *, status, n, people, supports):
        self.expressions += n
        self.people += people or 0
        self.supports += supports or 0
        if status in ROUTED_STATUSES:
            self.routed += n
        if status == Status.REPONDUE:
            self.answered += n


@dataclass
class BilanQuartier:
    total: BilanRow
    rows: list[BilanRow]


def bilan_years() -> list[int]:
    first = (
        Expression.objects.filter(status__in=BILAN_STATUSES)
        .with_said_or_created()
        .order_by("said_or_created")
        .values_list("said_or_created", flat=True)
        .first()
    )
    this_year = timezone.localdate().year
    start = timezone.localtime(first).year if first else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of ``year`` and of the next one, in Paris."""
    return (
        timezone.make_aware(dt.datetime(year, 1, 1)),
        timezone.make_aware(dt.datetime(year + 1, 1, 1)),
    )


def said_in(year: int, statuses=BILAN_STATUSES):
    """The expressions said in ``year`` (``said_or_created``) in one of ``statuses``."""
    return Expression.objects.filter(status__in=statuses).said_between(*year_bounds(year))


def counts_by_objectif(scope, objectifs=None):
    """Rows ``{objectif_id, expression__status, n, people, supports}`` of ``scope``, one
    query; ``objectifs`` (ids or a queryset) narrows them."""
    rows = Expression.objectifs.through.objects.filter(expression__in=scope)
    if objectifs is not None:
        rows = rows.filter(objectif__in=objectifs)
    return (
        rows.values("objectif_id", "expression__status")
        .annotate(
            n=Count("expression_id"),
            people=Sum("expression__people_count"),
            supports=Sum("expression__supports_count"),
        )
        .order_by()
    )


def decisions_by_objectif(scope, objectifs=None):
    """Rows ``{objectif_id, expression__reponses__decision, n}``: how many expressions of
    ``scope`` got each decision, per objective; one query."""
    rows = Expression.objectifs.through.objects.filter(
        expression__in=scope, expression__reponses__isnull=False
    )
    if objectifs is not None:
        rows = rows.filter(objectif__in=objectifs)
    return (
        rows.values("objectif_id", "expression__reponses__decision")
        .annotate(n=Count("expression_id", distinct=True))
        .order_by()
    )


def build(year: int, user) -> list[BilanQuartier]:
    """Per quartier and objective, what was said in ``year`` (``said_or_created``) and what
    became of it.

    Counts only (no text, no name): everything that went past moderation in the year,
    whichever instance it went to; for a référent given communes, in her communes'
    quartiers only (``rules.in_review_scope``). A fixed number of queries.
    """
    scope = rules.in_review_scope(user, said_in(year))
    through = Expression.objectifs.through
    reponses = Reponse.expressions.through
    quartiers = list(
        rules.in_review_scope(user, Quartier.objects.all(), "pk").order_by("position", "name")
    )
    objectifs = list(
        rules.in_review_scope(user, Objectif.objects.select_related("enjeu")).order_by(
            "quartier_id", "enjeu__number", "position"
        )
    )
    by_objectif = counts_by_objectif(scope)
    by_quartier = (
        scope.annotate(has_objectif=Exists(through.objects.filter(expression=OuterRef("pk"))))
        .values("quartier_id", "status", "has_objectif")
        .annotate(n=Count("pk"), people=Sum("people_count"), supports=Sum("supports_count"))
        .order_by()
    )
    decisions_per_objectif = decisions_by_objectif(scope)
    decisions_by_quartier = (
        reponses.objects.filter(expression__in=scope)
        .annotate(
            has_objectif=Exists(through.objects.filter(expression_id=OuterRef("expression_id")))
        )
        .values("expression__quartier_id", "reponse__decision", "has_objectif")
        .annotate(n=Count("expression_id", distinct=True))
        .order_by()
    )

    rows: dict[int, BilanRow] = {}
    blocks: dict[int, BilanQuartier] = {}
    without_rows: dict[int, BilanRow] = {}
    quartier_by_pk = {q.pk: q for q in quartiers}
    for q in quartiers:
        blocks[q.pk] = BilanQuartier(total=BilanRow(quartier=q, objectif=None), rows=[])
        without_rows[q.pk] = BilanRow(quartier=q, objectif=None)
    for o in objectifs:
        row = rows[o.pk] = BilanRow(quartier=quartier_by_pk.get(o.quartier_id), objectif=o)
        if o.quartier_id in blocks:
            blocks[o.quartier_id].rows.append(row)
    for entry in by_objectif:
        row = rows.get(entry["objectif_id"])
        if row is not None:
            row.add(
                status=entry["expression__status"],
                n=entry["n"],
                people=entry["people"],
                supports=entry["supports"],
            )
    for entry in by_quartier:
        block = blocks.get(entry["quartier_id"])
        if block is None:
            continue
        kwargs = {
            "status": entry["status"],
            "n": entry["n"],
            "people": entry["people"],
            "supports": entry["supports"],
        }
        block.total.add(**kwargs)
        if not entry["has_objectif"]:
            without_rows[entry["quartier_id"]].add(**kwargs)
    for entry in decisions_per_objectif:
        row = rows.get(entry["objectif_id"])
        decision = entry["expression__reponses__decision"]
        if row is not None and decision:
            row.decisions[decision] = row.decisions.get(decision, 0) + entry["n"]
    for entry in decisions_by_quartier:
        block = blocks.get(entry["expression__quartier_id"])
        if block is None:
            continue
        decision = entry["reponse__decision"]
        block.total.decisions[decision] = block.total.decisions.get(decision, 0) + entry["n"]
        if not entry["has_objectif"]:
            target = without_rows[entry["expression__quartier_id"]]
            target.decisions[decision] = target.decisions.get(decision, 0) + entry["n"]
    for pk, block in blocks.items():
        block.rows.append(without_rows[pk])
    return [blocks[q.pk] for q in quartiers]
