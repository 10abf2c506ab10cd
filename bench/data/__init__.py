"""Agglomeration-scale data for the performance bench: ``python -m bench.data``.

    python -m bench.data --seed 42 --scale 1      # 25 quartiers, 50,000 accounts…
    python -m bench.data --scale 0.01 --replace   # a quick run, on a fresh generation

The same seed and the same anchor day give the same rows (primary keys included on a fresh
database): every step draws from its own random stream, seeded by the seed and the step's
name, so adding a step never changes what the others make. Rows are written in chunks
(``bulk.py``): no model ``save()``, no signals, no audit entries, no emails.

The bench sits above every app, as ``tests/`` does: each module imports the models and the
rules of the tables it fills (``territory``, ``accounts``, ``evenements``,
``consultations``), and ``driver`` runs them in order. Adding data for a new model is one
function and one line in ``driver.STEPS``. This module needs no Django: what it holds is
shared by the steps and read by the rest of the bench before Django is set up.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

# The scale-1 volumes: one agglomeration (issue 9).
VOLUMES = {
    "accounts": 50_000,
    "mediateurs": 60,
    "comite": 40,
    "referents": 5,
    "events": 5_000,
    "registrations": 50_000,
    "consultations": 40,
    "expressions": 200_000,
    "supports": 300_000,
    "signalements": 1_000,
    "answers": 2_000,
}
EMAIL_DOMAIN = "bench.invalid"  # a reserved top-level domain: no email can ever be delivered
BENCH_PASSWORD = "banc-essai-auchel-2030"  # noqa: S105 - generated bench databases only


class GenerationError(Exception):
    """The database is not ready for generation (not a bench one, data already there)."""


def volume(name: str, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(VOLUMES[name] * scale))


@dataclass
class Generator:
    """The state shared by the steps: what earlier steps made, as plain ids."""

    seed: int
    scale: float
    anchor: dt.datetime  # midnight of the anchor day; every generated date is relative to it
    write: Callable[[str], None] = print
    counts: dict[str, int] = field(default_factory=dict)
    quartier_ids: list[int] = field(default_factory=list)
    quartier_codes: dict[int, str] = field(default_factory=dict)
    objectifs: dict[int, list[int]] = field(default_factory=dict)  # quartier id → objectif ids
    residents: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    habitants: list[int] = field(default_factory=list)
    mediateurs: list[int] = field(default_factory=list)
    comite: list[int] = field(default_factory=list)
    referents: list[int] = field(default_factory=list)
    events_by_quartier: dict[int, list[tuple[int, dt.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    registration_events: list[tuple[int, dt.datetime, int | None]] = field(default_factory=list)
    consultations_by_quartier: dict[int, list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    quartier_names: dict[int, str] = field(default_factory=dict)
    # Expressions that anyone can read in lists: (pk, author id or 0, published_at, supports).
    listed: list[tuple[int, int, dt.datetime, int]] = field(default_factory=list)
    moderated: list[int] = field(default_factory=list)  # read by a mediator (not soumise)
    # Routed to instances: (pk, quartier id, status, moments of the path's steps).
    routed: list[tuple[int, int, str, list[dt.datetime]]] = field(default_factory=list)
    instances: list[int] = field(default_factory=list)
    members: dict[int, list[int]] = field(default_factory=dict)  # instance → comité members
    transmissions: dict[int, list[int]] = field(default_factory=dict)  # expression → instances

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")

    def days_ago(self, rng: random.Random, max_days: int) -> dt.datetime:
        """A moment in the ``max_days`` before the anchor, to the second."""
        return self.anchor - dt.timedelta(seconds=rng.randrange(1, max_days * 86_400))

    def count(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + value
