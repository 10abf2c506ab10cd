"""The order of the steps, and what ``python -m bench.data`` does around them."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from participation.territory.models import Quartier

from . import GenerationError, Generator, accounts, consultations, evenements, territory

# A database that may receive 50,000 accounts sharing one known password.
SAFE_DATABASE_WORDS = ("bench", "test")


@dataclass(frozen=True)
class Step:
    """One kind of generated data: ``make`` fills its tables and says how many rows."""

    name: str
    make: Callable[[Generator], int]


STEPS = (
    Step("quartiers", territory.make_quartiers),
    Step("comptes", accounts.make_accounts),
    Step("événements", evenements.make_events),
    Step("inscriptions", evenements.make_registrations),
    Step("consultations", consultations.make_consultations),
    Step("expressions", consultations.make_expressions),
    Step("« moi aussi »", consultations.make_supports),
    Step("signalements", consultations.make_signalements),
    Step("instances", consultations.make_instances),
    Step("transmissions", consultations.make_transmissions),
    Step("étiquettes", consultations.make_etiquettes),
    Step("réponses", consultations.make_reponses),
)


def generate(
    *, seed: int, scale: float, anchor: dt.date, write: Callable[[str], None] = print
) -> Generator:
    """Fill the database; the caller wraps it in a transaction."""
    if accounts.generated_users().exists():
        raise GenerationError(
            "Des données générées sont déjà là : utilisez une base neuve (ou --replace)."
        )
    tz = timezone.get_current_timezone()
    gen = Generator(
        seed=seed,
        scale=scale,
        anchor=dt.datetime.combine(anchor, dt.time(), tzinfo=tz),
        write=write,
    )
    for step in STEPS:
        started = timezone.now()
        made = step.make(gen)
        gen.count(step.name, made)
        seconds = (timezone.now() - started).total_seconds()
        write(f"- {step.name} : {made} lignes en {seconds:.1f} s")
    return gen


def analyze() -> None:
    """What autovacuum would do after a bulk load (PostgreSQL): planner statistics, and the
    visibility map that lets a count read an index alone (the moderation queue's).

    Inside a transaction (a test's), where VACUUM cannot run, the statistics alone: ANALYZE
    sees the transaction's own rows. Without them the planner takes the tables for what an
    earlier reading found (empty, or bloated by rolled-back tests) and may loop over
    subqueries a hash would serve once (a page of 920 expressions ran past the test's time
    limit, CI of 6 December 2026).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def delete_generated() -> None:
    """Remove what ``generate`` made (the referential stays), children first."""
    consultations.delete_generated()
    evenements.delete_generated()
    accounts.delete_generated()
    territory.delete_generated()


def check_database(*, force: bool = False) -> None:
    """Refuse a database whose name does not say it is a bench or test one (SQLite aside)."""
    name = str(connection.settings_dict["NAME"])
    if (
        connection.vendor != "sqlite"
        and not force
        and not any(word in name for word in SAFE_DATABASE_WORDS)
    ):
        raise GenerationError(
            f"Base « {name} » : les données générées (dont 50 000 comptes au mot de passe "
            "connu) ne vont que dans une base de banc d'essai ou de test. Utilisez une base "
            "dont le nom contient « bench », ou --force."
        )


def run(
    *,
    seed: int = 42,
    scale: float = 1.0,
    today: dt.date | None = None,
    replace: bool = False,
    force: bool = False,
    write: Callable[[str], None] = print,
) -> Generator:
    """Everything ``python -m bench.data`` does; raises GenerationError when it refuses."""
    if not 0 < scale <= 10:
        raise GenerationError("L'échelle doit être comprise entre 0 (exclu) et 10.")
    check_database(force=force)
    started = time.monotonic()
    if not Quartier.objects.exists():
        out = io.StringIO()
        call_command("load_referentiel", stdout=out)
        for line in out.getvalue().splitlines():
            write(line)
    anchor = today or timezone.localdate()
    write(f"Génération : graine {seed}, échelle {scale}, jour de référence {anchor}")
    with transaction.atomic():
        if replace:
            delete_generated()
        gen = generate(seed=seed, scale=scale, anchor=anchor, write=write)
    analyze()
    write(
        f"Données générées en {time.monotonic() - started:.0f} s : "
        + ", ".join(f"{count} {name}" for name, count in gen.counts.items())
    )
    return gen


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.data",
        description=(
            "Génère des données à l'échelle d'une agglomération pour le banc d'essai de "
            "performance (25 quartiers, 50 000 comptes, 200 000 expressions… à l'échelle 1), "
            "toujours les mêmes pour une même graine et un même jour de référence. Jamais sur "
            "une base de production."
        ),
    )
    parser.add_argument("--seed", type=int, default=42, help="Graine (42 par défaut).")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Échelle : 1 = une agglomération, 0.01 = essai rapide (1 par défaut).",
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="Jour de référence AAAA-MM-JJ des dates générées (aujourd'hui par défaut).",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="Effacer d'abord les données générées (et toutes les expressions et événements).",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="Accepter une base dont le nom ne contient ni « bench » ni « test ».",
    )
    return parser


def main(argv: list[str] | None = None, write: Callable[[str], None] = print) -> int:
    args = parser().parse_args(argv)
    try:
        run(
            seed=args.seed,
            scale=args.scale,
            today=args.today,
            replace=args.replace,
            force=args.force,
            write=write,
        )
    except GenerationError as error:
        print(error, file=sys.stderr)
        return 1
    return 0
