"""Fixtures shared by the fault tests and the load test (registered by tests/conftest.py).

* ``private_postgres`` (session): a PostgreSQL cluster of its own on a free port;
* ``prepared`` (session): its template database (migrated, demo content) and static files;
* ``platform_factory``: ``platform_factory(name, env=..., processes=...)`` starts the
  production processes against a fresh private Redis and a copy of the template; every
  process, the Redis and the database are stopped and dropped at the end, even on failure.

Skipped, with the reason, when the binaries are missing; failed instead when
``REQUIRE_ALL_TESTS`` (set by ``.ci/run``) is set (tests/requirements.py).
"""

from __future__ import annotations

import contextlib
import os
import re

import pytest

from tests.e2e.server import Unavailable
from tests.requirements import missing

from . import platform as platforms
from . import report as report_lines
from .stores import PrivatePostgres, check_binaries


@pytest.fixture(scope="session")
def faults_requirements():
    try:
        check_binaries()
    except Unavailable as exc:
        missing(f"fault and load tests need redis-server and PostgreSQL 15 binaries: {exc}")


@pytest.fixture(scope="session")
def private_postgres(faults_requirements):
    cluster = PrivatePostgres.create()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def prepared(private_postgres, tmp_path_factory):
    return platforms.prepare(private_postgres, tmp_path_factory.mktemp("faults-prepared"))


@pytest.fixture
def platform_factory(prepared, tmp_path_factory, request):
    started: list[platforms.Platform] = []

    def start(name: str = "", **options) -> platforms.Platform:
        slug = re.sub(r"\W+", "_", name or request.node.name).lower()[:40]
        database = f"faults_{slug}_{len(prepared.databases)}"
        workdir = tmp_path_factory.mktemp(slug)
        platform = platforms.start(prepared, workdir, name=database, **options)
        started.append(platform)
        return platform

    yield start
    for platform in started:
        with contextlib.ExitStack() as cleanup:
            # Run in reverse order, each even if the one before failed.
            cleanup.callback(
                prepared.postgres.execute,
                f'DROP DATABASE IF EXISTS "{platform.database}" WITH (FORCE)',
            )
            cleanup.callback(platform.redis.stop)
            cleanup.callback(platform.stop)
            if request.node.stash.get(_failed, False):
                print(platform.live.tail_logs(12_000))
                print(prepared.postgres.log.read_text(errors="replace")[-3000:])


_failed = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report_lines.hand_over(report)
    if report.failed:
        item.stash[_failed] = True


def mark_folder(items, folder: str, mark) -> None:
    """Give every test under ``tests/<folder>/`` its marker, and ``slow``."""
    for item in items:
        if f"/tests/{folder}/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(mark)
            item.add_marker(pytest.mark.slow)
