"""The platform's processes, started exactly as the systemd units of deploy/ start them.

The one launcher of every harness that runs the platform for real: the bench
(``bench.runner``, ``bench.compare_servers``), the browser tests (``tests/e2e/server.py``)
and the fault and load tests (``tests/faults/platform.py``). HTTP is served by gunicorn
(WSGI, threaded workers), WebSocket by Daphne (ASGI), and Celery runs its worker and beat
beside them (docs/performance.md tells why). Each command is its unit's ``ExecStart``.
A harness chooses how many gunicorn and Daphne processes run, whether beat does, and adds
options of its own to a command; what stands in front (Debian's nginx with the shipped
site: ``bench/nginx.py``) is given ``http_ports`` and ``ws_ports`` and started beside the
processes with ``start_process``.

Every process gets its own session (process group), so that stopping it stops its children
too, and nothing else. Its output goes to ``<workdir>/<name>.log``, emptied when the
platform first starts it and appended to when it is started again.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# The production processes are those of the systemd units a host installs (deploy/systemd/):
# their ExecStart lines are the commands run here, with this machine's Python for the
# virtualenv's scripts, the instance (%i) as port and the units' ${VARIABLES} filled in.
DEPLOY_DIR = BASE_DIR / "deploy"
UNITS_DIR = DEPLOY_DIR / "systemd"
# Where the units expect the platform (its virtualenv and its var/ folder).
DEPLOYED_ROOT = "/srv/participation"


def unit_settings(unit: str) -> dict[str, str]:
    """The ``[Service]`` settings of a unit file, by name (the last one wins, as in systemd)."""
    found: dict[str, str] = {}
    section = ""
    for raw in (UNITS_DIR / unit).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def unit_command(
    unit: str, *, instance: str = "", variables: dict[str, str] | None = None, var_dir: Path
) -> list[str]:
    """A unit's ExecStart as an argument list for this machine.

    ``variables`` override the unit's ``Environment=`` defaults (as the environment file does
    under systemd); a path under the deployed ``var/`` is moved into ``var_dir``.
    """
    settings = unit_settings(unit)
    values = dict(
        item.split("=", 1) for item in shlex.split(settings.get("Environment", "")) if "=" in item
    )
    values.update(variables or {})
    command = []
    for word in shlex.split(settings["ExecStart"]):
        word = word.replace("%i", instance)
        word = re.sub(r"\$\{(\w+)\}", lambda match: values[match.group(1)], word)
        if word.startswith(f"{DEPLOYED_ROOT}/.venv/bin/"):
            command += [sys.executable, "-m", word.rsplit("/", 1)[1]]
        elif word.startswith(f"{DEPLOYED_ROOT}/var/"):
            command.append(str(var_dir / word.removeprefix(f"{DEPLOYED_ROOT}/var/")))
        else:
            command.append(word)
    return command


# The production settings of the HTTP server, as the unit sets them (docs/performance.md).
# Two processes per core: a threaded worker takes every connection it can accept, and with
# one worker per core a burst of keep-alive connections could land on one of them and leave
# the other core idle (docs/performance.md, « Two workers per core »).
_HTTP_DEFAULTS = dict(
    item.split("=", 1)
    for item in shlex.split(unit_settings("participation-http@.service")["Environment"])
)
HTTP_WORKERS = int(_HTTP_DEFAULTS["GUNICORN_WORKERS"])
HTTP_THREADS = int(_HTTP_DEFAULTS["GUNICORN_THREADS"])

# For a worker alone on its broker (the tests'): no peers to greet, watch or wait for at
# start, which saves a second or more each time one starts.
SOLITARY_WORKER = ("--without-gossip", "--without-mingle", "--without-heartbeat")


def gunicorn_command(
    port: int,
    workers: int = HTTP_WORKERS,
    threads: int = HTTP_THREADS,
    *,
    options: Iterable[str] = (),
) -> list[str]:
    variables = {
        "BIND_ADDRESS": HOST,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    command = unit_command(
        "participation-http@.service", instance=str(port), variables=variables, var_dir=BASE_DIR
    )
    return [*command, *options]


def daphne_command(port: int) -> list[str]:
    return unit_command(
        "participation-ws@.service",
        instance=str(port),
        variables={"BIND_ADDRESS": HOST},
        var_dir=BASE_DIR,
    )


def celery_worker_command(options: Iterable[str] = ()) -> list[str]:
    return [*unit_command("participation-worker.service", var_dir=BASE_DIR), *options]


def celery_beat_command(var_dir: Path) -> list[str]:
    return unit_command("participation-beat.service", var_dir=var_dir)


class CollectStaticFailed(RuntimeError):
    """``manage.py collectstatic`` failed; the message holds the end of its output."""


@contextlib.contextmanager
def collecting_static(env: dict[str, str], timeout: float = 300):
    """``manage.py collectstatic`` in ``env``, run beside the block (it needs no database: the
    block migrates meanwhile); waited for at its end, ``CollectStaticFailed`` if it failed."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield
        output, _ = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    if process.returncode != 0:
        raise CollectStaticFailed(output[-3000:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_environment(
    *, database_url: str, redis_url: str, site_url: str, workdir: Path, **settings: str
) -> dict[str, str]:
    """Production mode, as the README configures it, for processes on 127.0.0.1 (no TLS).

    The caller's environment, without what pytest sets for its own process, then ``settings``
    (an email backend at least: production mode wants one).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC", "COV_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="participation.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=site_url,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


@dataclass
class Platform:
    """gunicorn (``http_servers`` processes), Daphne (``websockets`` processes), a Celery
    worker and beat, on free ports.

    ``http_options`` and ``worker_options`` are added to the units' command lines.
    ``process_env`` adds settings to one process's environment (a second HTTP server
    configured otherwise).
    Processes are named ``http`` (then ``http-2``…), ``ws-1``…, ``celery-worker`` and
    ``celery-beat``.
    """

    env: dict[str, str]
    workdir: Path
    websockets: int = 2
    beat: bool = True
    http_servers: int = 1
    http_workers: int = HTTP_WORKERS
    http_options: tuple[str, ...] = ()
    worker_options: tuple[str, ...] = ()
    # settings of one process only, by name: {"http-2": {"ANONYMOUS_PAGE_CACHE_SECONDS": "0"}}
    process_env: dict[str, dict[str, str]] = field(default_factory=dict)
    http_port: int = field(default_factory=free_port)
    http_ports: tuple[int, ...] = field(init=False, default=())
    ws_ports: tuple[int, ...] = field(init=False, default=())
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)  # the running ones
    log_starts: dict[str, int] = field(default_factory=dict)  # where each last start's log begins

    def __post_init__(self) -> None:
        others = tuple(free_port() for _ in range(self.http_servers - 1))
        self.http_ports = (self.http_port, *others)
        self.ws_ports = tuple(free_port() for _ in range(self.websockets))

    def commands(self) -> dict[str, list[str]]:
        commands = {
            name: gunicorn_command(port, self.http_workers, options=self.http_options)
            for name, port in self.http_names().items()
        }
        for number, port in enumerate(self.ws_ports, start=1):
            commands[f"ws-{number}"] = daphne_command(port)
        commands["celery-worker"] = celery_worker_command(self.worker_options)
        if self.beat:
            commands["celery-beat"] = celery_beat_command(self.workdir)
        return commands

    def http_names(self) -> dict[str, int]:
        """The HTTP servers' ports, by process name: ``http``, ``http-2``…"""
        return {
            ("http" if number == 1 else f"http-{number}"): port
            for number, port in enumerate(self.http_ports, start=1)
        }

    def ports(self) -> dict[str, int]:
        """The servers' ports, by process name."""
        ws = {f"ws-{number}": port for number, port in enumerate(self.ws_ports, start=1)}
        return {**self.http_names(), **ws}

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    @property
    def logs(self) -> dict[str, Path]:
        """The log of every process started so far, running or not."""
        return {name: self.log_path(name) for name in self.log_starts}

    # --- starting -----------------------------------------------------------------------

    def start(
        self, names: Iterable[str] = (), *, timeout: float = 90, ready_urls: Iterable[str] = ()
    ) -> None:
        """Start the processes ``names`` (all by default) and wait until they serve.

        ``ready_urls`` must answer 200 too (a front's). On failure, everything is stopped.
        """
        names = list(names) or list(self.commands())
        try:
            for name in names:
                self.start_process(name)
            self.wait_ready(names, timeout=timeout, urls=ready_urls)
        except BaseException:
            self.stop()
            raise

    def start_process(self, name: str, command: list[str] | None = None) -> subprocess.Popen:
        """Start one of ``commands()``, or ``command`` under ``name`` (a front, a candidate)."""
        path = self.log_path(name)
        again = name in self.log_starts
        self.log_starts[name] = path.stat().st_size if again and path.exists() else 0
        with path.open("ab" if again else "wb") as log:
            process = subprocess.Popen(
                command or self.commands()[name],
                cwd=BASE_DIR,
                env={**self.env, **self.process_env.get(name, {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def log_since_start(self, name: str) -> str:
        """What a process wrote since it was last started."""
        path = self.log_path(name)
        if not path.exists():
            return ""
        with path.open("rb") as log:
            log.seek(self.log_starts.get(name, 0))
            return log.read().decode("utf-8", "replace")

    def wait_ready(
        self, names: Iterable[str] = (), *, timeout: float = 90, urls: Iterable[str] = ()
    ) -> None:
        """Until the servers among ``names`` answer ``/sante/`` and the worker says it is ready.

        Raises RuntimeError, with the logs, when a process exits meanwhile or time runs out.
        """
        names = list(names) or list(self.processes)
        ports = self.ports()
        pending = {f"http://{HOST}:{ports[name]}/sante/" for name in names if name in ports}
        pending.update(urls)
        worker_ready = "celery-worker" not in names
        deadline = time.monotonic() + timeout
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
            worker_ready = worker_ready or " ready." in self.log_since_start("celery-worker")
            if not pending and worker_ready:
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"La plateforme n'a pas démarré en {timeout:.0f} s (en attente : {sorted(pending)}, "
            f"worker prêt : {worker_ready})\n" + "\n".join(self.tail(n) for n in self.logs)
        )

    def tail(self, name: str, limit: int = 3000) -> str:
        path = self.log_path(name)
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return f"----- {name} -----\n{text[-limit:]}"

    # --- measuring ----------------------------------------------------------------------

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

    # --- stopping -----------------------------------------------------------------------

    def kill(self, name: str) -> None:
        """SIGKILL a process and every child in its group: no clean shutdown of anything."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

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
