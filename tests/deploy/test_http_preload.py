"""The HTTP service loads the application once, before it forks its workers (``--preload``).

What the host sees: each worker shares the loaded application's memory with the others
instead of importing its own copy, and a worker that dies is replaced by a fork, not by a
second start of Django. Measured on the unit's own command (bench/servers.py), as systemd
starts it: without ``--preload`` a worker shares about 3.5 MB of written memory with its
master, with it 40 to 60 MB.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench import servers
from tests.requirements import missing

BASE_DIR = Path(__file__).resolve().parents[2]
SHARED_AT_LEAST_KB = 20_000


def shared_dirty_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Shared_Dirty:"):
            return int(line.split()[1])
    raise AssertionError(f"no Shared_Dirty in /proc/{pid}/smaps_rollup")


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # a worker answered (the health page may say a service is missing)
    except OSError:
        return False
    return True


@pytest.fixture
def http_service():
    if not Path("/proc/self/smaps_rollup").exists():
        missing("reading how much memory processes share needs Linux's /proc")
    port = servers.free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    process = subprocess.Popen(
        servers.gunicorn_command(port, workers=2, threads=1),
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (
            answers(f"http://{servers.HOST}:{port}/sante/") and len(children(process.pid)) == 2
        ):
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def test_the_http_workers_share_the_application_loaded_once_by_their_master(http_service):
    master_kb = shared_dirty_kb(http_service.pid)
    workers_kb = [shared_dirty_kb(worker) for worker in children(http_service.pid)]

    assert master_kb >= SHARED_AT_LEAST_KB, (master_kb, workers_kb)
    assert all(kb >= SHARED_AT_LEAST_KB for kb in workers_kb), (master_kb, workers_kb)
