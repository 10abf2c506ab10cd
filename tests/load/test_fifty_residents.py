"""Fifty residents browse, post and register for a minute: zero errors, nothing stored twice.

The platform runs as deploy/ says (Debian's nginx with the shipped site, gunicorn with
threaded workers, a Celery worker, Celery beat) on its own PostgreSQL and Redis. Each
resident pauses between actions as a person does; the machine of CI has two cores, so what
is checked is correctness under concurrency, not throughput: every request answered as
expected, every acknowledged expression stored exactly once (by counting in the database),
every registration stored, every notification email sent exactly once.

``LOAD_DURATION`` (seconds, default 60) may shorten a local run; ``make test`` runs 60 s.
"""

from __future__ import annotations

import os
import time
from collections import Counter

from tests.faults.crowd import Crowd, prepare_people
from tests.faults.report import Tally

RESIDENTS = 50
DURATION = float(os.environ.get("LOAD_DURATION", "60"))


def _emails_sent(platform, prefix: str) -> Counter:
    counts: Counter = Counter()
    for message in platform.live.read_emails():
        to = str(message["To"])
        if to.startswith(prefix):
            counts[(to, str(message["Subject"]))] += 1
    return counts


def test_fifty_residents_for_a_minute_without_error_or_duplicate(platform_factory):
    platform = platform_factory()
    people, events = prepare_people(platform, RESIDENTS, prefix="charge-", events=4)
    crowd = Crowd(
        platform,
        people,
        events,
        marker="[charge]",
        think=(0.5, 3.0),
        max_posts=4,
        post_share=0.12,
        register_share=0.08,
    )

    outcome = crowd.run(DURATION)

    title = (
        f"{RESIDENTS} habitant·es pendant {DURATION:.0f} s (nginx, gunicorn 4×2 fils, worker, beat)"
    )
    with Tally("load", title, total=4) as tally:
        assert not outcome.failures, [f"{f.at:.1f} s: {f.what}" for f in outcome.failures[:20]]
        # Fifty people at once on a two-core machine that runs the rest of the suite beside
        # them: 1.4 to 3.3 s at the 95th percentile in CI (7 December, a slow machine). Ten
        # seconds is far past when a resident on a phone gives up: over it, requests queue
        # behind something that should not hold them (a lock, a worker stuck, a timeout).
        assert outcome.percentile(0.95) < 10.0, f"95e centile {outcome.percentile(0.95):.1f} s"
        tally.passed(
            f"{outcome.total_requests} requêtes ({outcome.requests['page']} pages, "
            f"{outcome.requests['post']} envois), 0 erreur ; temps de réponse médian "
            f"{outcome.percentile(0.5) * 1000:.0f} ms, 95e centile "
            f"{outcome.percentile(0.95) * 1000:.0f} ms"
        )

        assert outcome.expressions, "no expression was posted"
        stored = crowd.count_stored()
        assert stored["duplicated"] == []
        assert stored["rows"] == len(outcome.expressions)
        assert stored["expressions"] == outcome.expressions
        count = len(outcome.expressions)
        tally.passed(f"{count}/{count} expressions acquittées stockées une fois")

        registrations = {(email, event) for email, event in stored["registrations"]}
        assert registrations == outcome.registrations
        assert len(stored["registrations"]) == len(registrations)
        count = len(registrations)
        tally.passed(f"{count}/{count} inscriptions stockées une fois")

        # One email per acknowledged expression and registration, each sent once by the worker.
        expected = len(outcome.expressions) + len(outcome.registrations)
        deadline = time.monotonic() + 60
        while True:
            sent = _emails_sent(platform, "charge-")
            if sum(sent.values()) >= expected or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert sum(sent.values()) == expected, (sum(sent.values()), expected)
        assert set(sent.values()) == {1}, [key for key, count in sent.items() if count > 1]
        tally.passed(f"{expected}/{expected} courriels envoyés une fois")
