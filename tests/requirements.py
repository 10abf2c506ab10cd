"""What a test needs from the machine, and the one switch that makes every test run.

Locally, a test that needs what the machine lacks (PostgreSQL, Redis, Chromium, wrk, the
PostgreSQL and Redis server binaries of the fault tests) is skipped, with the reason, and
listed at the end of the run. Where every test must run — CI sets ``REQUIRE_ALL_TESTS=1``
in ``.ci/run`` — the same test fails instead: nothing goes quiet.

A test says what it needs with ``@pytest.mark.needs("postgresql")`` (or ``"redis"``,
``"wrk"``); fixtures that start servers call ``missing(reason)``.
"""

import os
import shutil

import pytest
from django.db import connection

SWITCH = "REQUIRE_ALL_TESTS"


def all_required() -> bool:
    return bool(os.environ.get(SWITCH))


def missing(reason: str):
    """Skip the test for what the machine lacks, or fail it where every test must run."""
    if all_required():
        pytest.fail(f"{reason} ({SWITCH} is set: every test must run here)", pytrace=False)
    pytest.skip(reason)


NEEDS = {
    "postgresql": (
        lambda: connection.vendor == "postgresql",
        "needs PostgreSQL (DATABASE_URL): row locks, French full-text search, GIN index",
    ),
    "redis": (
        lambda: bool(os.environ.get("REDIS_URL")),
        "needs Redis (REDIS_URL): the channel layer shared between processes",
    ),
    "wrk": (lambda: shutil.which("wrk") is not None, "needs wrk (apt-get install wrk)"),
}


def check_needs(item) -> None:
    for mark in item.iter_markers("needs"):
        for name in mark.args:
            available, reason = NEEDS[name]
            if not available():
                missing(reason)
