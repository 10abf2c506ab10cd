"""PostgreSQL restarted under a crowd of residents: no acknowledged submission is lost.

The database is stopped the hard way (``pg_ctl stop -m immediate``: no checkpoint, as after
a crash; WAL replay at the next start) in the middle of a run of residents posting and
registering. Requests during the gap fail; a resident whose form failed sends it again, with
the same idempotency key, as the browser's form does. Afterwards, every expression the
server acknowledged is in the database exactly once, under the id it was acknowledged with,
and so is every registration; the server recovers without being restarted.
"""

from __future__ import annotations

import os
import threading
import time

from .crowd import Crowd, prepare_people
from .report import Tally
from .residents import Resident

RESIDENTS = 20
DURATION = float(os.environ.get("FAULTS_PG_DURATION", "24"))
RESTART_AT = DURATION / 3


def test_no_acknowledged_submission_is_lost_when_postgresql_restarts(platform_factory):
    platform = platform_factory(processes=("http", "celery-worker"))
    people, events = prepare_people(platform, RESIDENTS, prefix="pg-restart-", events=3)
    crowd = Crowd(
        platform,
        people,
        events,
        marker="[pg-restart]",
        think=(0.2, 1.0),
        max_posts=5,
        post_share=0.3,
        register_share=0.15,
        retry=True,
    )
    gap: dict[str, float] = {}

    def restart():
        time.sleep(RESTART_AT)
        gap["from"] = time.monotonic() - crowd.outcome.started
        gap["seconds"] = platform.postgres.restart(mode="immediate")
        gap["to"] = time.monotonic() - crowd.outcome.started

    restarter = threading.Thread(target=restart, daemon=True)
    restarter.start()
    outcome = crowd.run(DURATION)
    restarter.join(timeout=120)
    assert "to" in gap, "PostgreSQL did not come back"

    title = (
        f"PostgreSQL redémarré (immediate) sous {RESIDENTS} habitant·es pendant {DURATION:.0f} s"
    )
    with Tally("faults", title, total=5) as tally:
        # Pages fail while the database is away (and a moment after): never before, never later.
        outside = [f for f in outcome.failures if not gap["from"] - 1 < f.at < gap["to"] + 10]
        assert not outside, outside[:10]
        retried = sum(1 for f in outcome.failures if f.what.startswith("(retried)"))
        tally.passed(
            f"{gap['seconds']:.1f} s d'absence à t={gap['from']:.0f} s : {len(outcome.failures)} "
            f"requêtes sur {outcome.total_requests} en échec pendant la coupure seulement, "
            f"{retried} envois refaits"
        )

        stored = crowd.count_stored()
        acknowledged = outcome.expressions
        assert acknowledged, "nothing was acknowledged"
        assert stored["duplicated"] == []
        missing = set(acknowledged) - set(stored["expressions"])
        assert not missing, sorted(missing)
        wrong_ids = {k: v for k, v in acknowledged.items() if stored["expressions"].get(k) != v}
        assert not wrong_ids, wrong_ids
        tally.passed(
            f"{len(acknowledged)}/{len(acknowledged)} expressions acquittées stockées une fois"
        )

        # Nothing stored that no resident sent, and nothing a resident sent left unanswered.
        assert set(stored["expressions"]) <= outcome.attempted
        assert set(stored["expressions"]) == set(acknowledged)
        tally.passed("rien de stocké sans accusé de réception")

        registrations = {(email, event) for email, event in stored["registrations"]}
        assert outcome.registrations <= registrations
        assert len(stored["registrations"]) == len(registrations)
        tally.passed(f"{len(outcome.registrations)} inscriptions acquittées stockées une fois")

        # Every failed page was the platform's own French error page, never the server's bare one.
        assert "Error handling request" not in platform.live.logs["http"].read_text(
            errors="replace"
        )
        assert Resident(base_url=platform.url, email="").get("/sante/").status == 200
        tally.passed("page d'erreur de la plateforme pendant la coupure, /sante/ 200 après")
