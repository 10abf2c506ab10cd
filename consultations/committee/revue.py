"""The annual review of the convention for the Comité de Pilotage: for one year and one
commune, every objective in force that year, what residents said about it, what was routed,
answered and decided, the events held for it, and the objectives nobody spoke about.

The counts come from the bilan's queries (``bilan.counts_by_objectif``,
``bilan.decisions_by_objectif``), narrowed to the commune's objectives; a fixed number of
queries whatever the data.
"""

from dataclasses import dataclass, field

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from evenements.public import events_held_by_objectif
from participation.territory.models import Objectif

from .. import rules
from ..models import Decision, Expression, Status
from .bilan import (
    BILAN_STATUSES,
    BilanRow,
    counts_by_objectif,
    decisions_by_objectif,
    said_in,
    year_bounds,
)

# What residents said: everything but what moderation turned down or merged into another
# expression (that one carries it).
SAID_STATUSES = (Status.SOUMISE, *BILAN_STATUSES)
# How many of the words said about an objective the page quotes (the most supported first).
VOICES_PER_OBJECTIF = 3


@dataclass
class ReviewRow(BilanRow):
    """The bilan's row of one objective (``expressions``: past moderation), with what was
    said before moderation, the events held and a few words quoted."""

    said: int = 0
    events: list = field(default_factory=list)
    voices: list = field(default_factory=list)

    def add(self, *, status, n, people, supports):
        self.said += n
        if status in BILAN_STATUSES:
            super().add(status=status, n=n, people=people, supports=supports)

    @property
    def published(self) -> int:
        return self.expressions

    def decisions_taken(self) -> list[tuple[str, int]]:
        """``[(label, count)]`` of the decisions rendered, in the order of ``Decision``."""
        return [
            (label, self.decisions[value])
            for value, label in Decision.choices
            if self.decisions.get(value)
        ]

    @property
    def nobody_spoke(self) -> bool:
        return self.said == 0


@dataclass
class ReviewEnjeu:
    enjeu: object
    rows: list = field(default_factory=list)


@dataclass
class ReviewQuartier:
    quartier: object
    enjeux: list = field(default_factory=list)
    silent: list = field(default_factory=list)
    every: list = field(default_factory=list)  # every row, in the order of the referential

    @property
    def rows(self) -> list:
        return [row for group in self.enjeux for row in group.rows]


@dataclass
class Review:
    year: int
    commune: object
    quartiers: list

    @property
    def rows(self) -> list:
        """Every objective in force, in the order of the referential."""
        return [row for block in self.quartiers for row in block.every]

    @property
    def silent(self) -> list:
        return [row for block in self.quartiers for row in block.silent]


def objectifs_in_force(year: int, commune):
    """The commune's objectives in force at some time in ``year``: not retired on its first
    day (an objective retired in the course of the year is reviewed for the months it ran)."""
    start, _end = year_bounds(year)
    return Objectif.objects.in_force(at=start.date()).filter(quartier__communes=commune)


def build(year: int, commune, user) -> Review:
    """The review of ``year`` for ``commune``. Counts cover every expression (private ones
    too, without a word of them); the words quoted are only those ``user`` may read
    (``rules.readable_expressions``)."""
    in_force = objectifs_in_force(year, commune)
    objectifs = list(
        in_force.select_related("quartier", "enjeu").order_by(
            "quartier__position", "quartier__name", "enjeu__number", "position", "pk"
        )
    )
    rows = {
        objectif.pk: ReviewRow(quartier=objectif.quartier, objectif=objectif)
        for objectif in objectifs
    }
    for entry in counts_by_objectif(said_in(year, SAID_STATUSES), in_force):
        rows[entry["objectif_id"]].add(
            status=entry["expression__status"],
            n=entry["n"],
            people=entry["people"],
            supports=entry["supports"],
        )
    for entry in decisions_by_objectif(said_in(year), in_force):
        row = rows[entry["objectif_id"]]
        decision = entry["expression__reponses__decision"]
        row.decisions[decision] = row.decisions.get(decision, 0) + entry["n"]
    for pk, events in events_held_by_objectif(in_force, *year_bounds(year)).items():
        rows[pk].events = events
    for link in _voices(user, year, in_force):
        rows[link.objectif_id].voices.append(link.expression)

    blocks: dict[int, ReviewQuartier] = {}
    for objectif in objectifs:
        block = blocks.setdefault(objectif.quartier_id, ReviewQuartier(quartier=objectif.quartier))
        row = rows[objectif.pk]
        block.every.append(row)
        if row.nobody_spoke:
            block.silent.append(row)
            continue
        if not block.enjeux or block.enjeux[-1].enjeu != objectif.enjeu:
            block.enjeux.append(ReviewEnjeu(enjeu=objectif.enjeu))
        block.enjeux[-1].rows.append(row)
    return Review(year=year, commune=commune, quartiers=list(blocks.values()))


def _voices(user, year, in_force):
    """The most supported words said about each objective in ``year`` that ``user`` may read
    (past moderation only), ``VOICES_PER_OBJECTIF`` at most each; one query."""
    readable = rules.readable_expressions(user, said_in(year))
    return (
        Expression.objectifs.through.objects.filter(objectif__in=in_force, expression__in=readable)
        .select_related("expression")
        .only(
            "objectif_id",
            "expression__text",
            "expression__visibility",
            "expression__supports_count",
            "expression__status",
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("objectif_id")],
                order_by=[F("expression__supports_count").desc(), F("expression_id").desc()],
            )
        )
        .filter(rank__lte=VOICES_PER_OBJECTIF)
        .order_by("objectif_id", "rank")
    )
