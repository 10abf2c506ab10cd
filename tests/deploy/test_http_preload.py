"""The HTTP service loads the application once, before it forks its workers (``--preload``).

What the host sees: each worker shares the loaded application's memory with the others
instead of importing its own copy, and a worker that dies is replaced by a fork, not by a
second start of Django. Measured on the unit's own command (bench/servers.py), as systemd
starts it: without ``--preload`` a worker shares about 3.5 MB of written memory with its
master, with it 40 to 60 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import servers
from tests.requirements import missing

SHARED_AT_LEAST_KB = 20_000
PRODUCTION_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}


FIRST_REQUEST = """
import json, sys
import participation.wsgi
from django.db import connections
from django.test import Client
connected = [alias for alias in connections if connections[alias].connection is not None]
loaded = set(sys.modules)
status = Client().get("/sante/").status_code
own = ("participation", "consultations", "evenements")
imported = sorted(m for m in set(sys.modules) - loaded if m.split(".")[0] in own)
print(json.dumps({"connected": connected, "status": status, "imported": imported}))
"""


def embedded_env(tmp_path: Path) -> dict[str, str]:
    """This environment without the production settings: the embedded mode, on a database
    of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in PRODUCTION_SETTINGS
    }
    env.update(
        DJANGO_SETTINGS_MODULE="participation.settings",
        SQLITE_PATH=str(tmp_path / "participation.sqlite3"),
    )
    return env


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
    env = embedded_env(tmp_path)
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


def test_a_worker_first_request_finds_the_views_and_templates_already_loaded(tmp_path):
    """What gunicorn's master loads before forking (participation/wsgi.py) includes the
    URLconf, every view and the template tag libraries, so that no worker's first visitor
    waits while they load; and it opens no connection a fork would share."""
    env = embedded_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.splitlines()[-1])

    assert seen["connected"] == [], seen
    assert seen["status"] == 200, seen
    assert seen["imported"] == [], seen
