"""The HTTP service loads the application once, before it forks its workers (``--preload``).

What the host sees: each worker shares the loaded application's memory with the others
instead of importing its own copy, and a worker that dies is replaced by a fork, not by a
second start of Django. Measured on the unit's own command (bench/servers.py), as systemd
starts it: without ``--preload`` a worker shares about 3.5 MB of written memory with its
master, with it 40 to 60 MB.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench import servers
from tests.requirements import missing

SHARED_AT_LEAST_KB = 20_000
PRODUCTION_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}


def shared_dirty_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Shared_Dirty:"):
            return int(line.split()[1])
    raise AssertionError(f"no Shared_Dirty in /proc/{pid}/smaps_rollup")


@pytest.fixture
def http_service(tmp_path):
    """The HTTP unit's own command with two workers, started and awaited as the harnesses
    start it (``bench.servers.Platform``): its master's pid, then its workers'. In the
    embedded mode, on a database of its own: how gunicorn forks does not depend on the
    services, and its health page answers 200 without them."""
    if not Path("/proc/self/smaps_rollup").exists():
        missing("reading how much memory processes share needs Linux's /proc")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in PRODUCTION_SETTINGS
    }
    env.update(
        DJANGO_SETTINGS_MODULE="participation.settings",
        SQLITE_PATH=str(tmp_path / "participation.sqlite3"),
    )
    platform = servers.Platform(env, tmp_path, websockets=0, beat=False, http_workers=2)
    platform.start(["http"], timeout=60)
    try:
        master = platform.processes["http"].pid
        deadline = time.monotonic() + 10
        while len(pids := platform.group_pids("http")) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield master, [pid for pid in pids if pid != master]
    finally:
        platform.stop()


def test_the_http_workers_share_the_application_loaded_once_by_their_master(http_service):
    master, workers = http_service
    master_kb = shared_dirty_kb(master)
    workers_kb = [shared_dirty_kb(worker) for worker in workers]

    assert len(workers) == 2, workers
    assert master_kb >= SHARED_AT_LEAST_KB, (master_kb, workers_kb)
    assert all(kb >= SHARED_AT_LEAST_KB for kb in workers_kb), (master_kb, workers_kb)
