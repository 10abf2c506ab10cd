"""The platform's processes, started exactly as the README's production table says.

HTTP is served by gunicorn (WSGI, threaded workers), WebSocket by Daphne (ASGI) behind the
same reverse proxy, and Celery runs its worker and beat beside them (docs/performance.md
tells why). Every process gets its own session (process group), so that stopping it stops
its children too, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# The production settings of the HTTP server (README « Production », docs/performance.md).
# Two processes per core: a threaded worker takes every connection it can accept, and with
# one worker per core a burst of keep-alive connections could land on one of them and leave
# the other core idle (docs/performance.md, « Two workers per core »).
HTTP_WORKERS = 4
HTTP_THREADS = 2


def gunicorn_command(port: int, workers: int = HTTP_WORKERS, threads: int = HTTP_THREADS):
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "participation.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
    ]


def daphne_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        HOST,
        "-p",
        str(port),
        "participation.asgi:application",
    ]


def celery_worker_command() -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "participation", "worker", "--loglevel", "INFO"]


def celery_beat_command(schedule: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "participation",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(schedule),
    ]


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Platform:
    """HTTP server, two WebSocket servers, Celery worker and beat, on free loopback ports."""

    env: dict[str, str]
    workdir: Path
    http_port: int = field(default_factory=free_port)
    ws_ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def commands(self) -> dict[str, list[str]]:
        return {
            "http": gunicorn_command(self.http_port),
            "ws-1": daphne_command(self.ws_ports[0]),
            "ws-2": daphne_command(self.ws_ports[1]),
            "celery-worker": celery_worker_command(),
            "celery-beat": celery_beat_command(self.workdir / "celerybeat-schedule"),
        }

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start(self, timeout: float = 90) -> None:
        for name, command in self.commands().items():
            with self.log_path(name).open("wb") as log:
                self.processes[name] = subprocess.Popen(
                    command,
                    cwd=BASE_DIR,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {f"http://{HOST}:{port}/sante/" for port in (self.http_port, *self.ws_ports)}
        worker_ready = False
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} s'est arrêté au démarrage ({process.returncode})\n"
                        + self.tail(name)
                    )
            for url in list(pending):
                with (
                    contextlib.suppress(OSError, urllib.error.URLError),
                    urllib.request.urlopen(url, timeout=5) as response,
                ):
                    if response.status == 200:
                        pending.discard(url)
            log = self.log_path("celery-worker").read_text(encoding="utf-8", errors="replace")
            worker_ready = worker_ready or " ready." in log
            if not pending and worker_ready:
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"La plateforme n'a pas démarré en {timeout:.0f} s (en attente : {sorted(pending)}, "
            f"worker prêt : {worker_ready})\n" + "\n".join(self.tail(n) for n in self.processes)
        )

    def tail(self, name: str, limit: int = 3000) -> str:
        path = self.log_path(name)
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return f"----- {name} -----\n{text[-limit:]}"

    def group_pids(self, name: str) -> list[int]:
        """Every process of a server: its master and its workers (its process group)."""
        group = self.processes[name].pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == group:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self, name: str = "http") -> float:
        """CPU time used so far by a server and its workers (its whole process group).

        Unlike throughput, the CPU a request costs hardly depends on what else the machine
        runs: the bench reports both.
        """
        group = self.processes[name].pid
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group:  # pgrp
                    ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, name: str = "http", timeout: float = 60) -> float:
        """Wait until a server has finished the requests a previous measurement left queued.

        Returns the seconds waited. Without it, the work wrk left in flight when it stopped
        would be counted against the next page.
        """
        started = time.monotonic()
        before = self.cpu_seconds(name)
        while time.monotonic() - started < timeout:
            time.sleep(0.25)
            now = self.cpu_seconds(name)
            if now - before < 0.02:
                break
            before = now
        return time.monotonic() - started

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # A worker left behind by a master killed hard would still hold its group.
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
