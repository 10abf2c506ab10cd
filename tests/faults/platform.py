"""The platform's production processes, run against a private Redis and PostgreSQL.

The processes are those of the README's production table: gunicorn (HTTP, threaded
workers), a Celery worker and Celery beat. They reuse the browser tests' ``LiveServer``
(environment, logs, mail outbox, ``manage``/``shell``) from ``tests/e2e/server.py``; what is
added here is what a fault test needs: a database copied from a template prepared once per
session, and processes that can be killed, stopped and started again one by one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e import server as e2e
from tests.e2e.server import LiveServer

from .stores import PrivatePostgres, PrivateRedis

TEMPLATE_DATABASE = "faults_template"
# The HTTP server of the README's production table (docs/performance.md tells why).
HTTP_WORKERS = 4
HTTP_THREADS = 2

# Loaded once into the template: the referential and the demo content, as the browser tests do.
_PREPARE = (
    "from django.core.management import call_command, get_commands\n"
    "if 'load_referentiel' in get_commands():\n"
    "    call_command('load_referentiel')\n"
    "call_command('load_demo', '--force')\n"
)


def _commands(port: int, workdir: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [
            python,
            "-m",
            "gunicorn",
            "participation.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(HTTP_WORKERS),
            "--threads",
            str(HTTP_THREADS),
            "--keep-alive",
            "5",
            "--graceful-timeout",
            "5",
        ],
        # Named "celery" so that LiveServer's readiness check finds the worker's log.
        "celery": [
            python,
            "-m",
            "celery",
            "-A",
            "participation",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "participation",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(workdir / "beat-schedule"),
        ],
    }


@dataclass
class Prepared:
    """What every platform of the session shares: the cluster, the template, the static files."""

    postgres: PrivatePostgres
    static_root: Path
    databases: list[str] = field(default_factory=list)

    def new_database(self, name: str) -> str:
        # FILE_COPY, not PostgreSQL 15's default WAL_LOG: after a crash, the sequences of a
        # database cloned with WAL_LOG go back to the template's values, and new rows collide
        # with acknowledged ones (a PostgreSQL bug, reported on pgsql-hackers; docs/pannes.md).
        self.postgres.execute(
            f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DATABASE}" STRATEGY FILE_COPY'
        )
        self.databases.append(name)
        return self.postgres.url(name)


def prepare(postgres: PrivatePostgres, workdir: Path) -> Prepared:
    """Migrate a template database and load the demo content; collect the static files."""
    postgres.execute(f'CREATE DATABASE "{TEMPLATE_DATABASE}"')
    static_root = workdir / "static"
    builder = _live_server(
        workdir,
        url="http://127.0.0.1:9",
        database_url=postgres.url(TEMPLATE_DATABASE),
        redis_url="redis://127.0.0.1:9/0",  # no command below needs Redis
        env={"STATIC_ROOT": str(static_root)},
    )
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=e2e.BASE_DIR,
        env=builder.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        builder.manage("migrate", "--noinput", "-v0")
        builder.shell(_PREPARE)
        output, _ = collect.communicate(timeout=180)
    finally:
        if collect.poll() is None:
            collect.kill()
            collect.wait(timeout=5)
    if collect.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{output}")
    return Prepared(postgres=postgres, static_root=static_root)


def _live_server(
    workdir: Path, *, url: str, database_url: str, redis_url: str, env: dict[str, str]
) -> LiveServer:
    email_dir = workdir / "emails"
    email_dir.mkdir(parents=True, exist_ok=True)
    (workdir / "media").mkdir(exist_ok=True)
    environment = e2e._environment(url, workdir, email_dir)
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, **env)
    return LiveServer(
        url=url,
        env=environment,
        workdir=workdir,
        email_dir=email_dir,
        logs={},
    )


@dataclass
class Platform:
    """One running platform: its private Redis, its database, its processes."""

    live: LiveServer
    redis: PrivateRedis
    postgres: PrivatePostgres
    database: str
    commands: dict[str, list[str]]

    @property
    def url(self) -> str:
        return self.live.url

    # --- processes --------------------------------------------------------------------

    def start_process(self, name: str) -> subprocess.Popen:
        log = self.live.logs.setdefault(name, self.live.workdir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            self.commands[name],
            cwd=e2e.BASE_DIR,
            env=self.live.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.live.processes[name] = process
        return process

    def kill_process(self, name: str) -> None:
        """SIGKILL the process and every child in its group: no clean shutdown of anything."""
        process = self.live.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_worker(self, timeout: float = 60) -> None:
        """Start a Celery worker and wait until it says it is ready (its log is appended to)."""
        log = self.live.logs["celery"]
        before = log.read_text(errors="replace").count(" ready.") if log.exists() else 0
        process = self.start_process("celery")
        deadline = time.monotonic() + timeout
        while log.read_text(errors="replace").count(" ready.") <= before:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.live.tail_logs()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no worker ready in {timeout} s\n{self.live.tail_logs()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.live.stop()
        # Children left behind by a killed parent (a prefork worker's pool) go with their group.
        for process in self.live.processes.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    # --- data ---------------------------------------------------------------------------

    def query(self, statement: str, params=None) -> list[tuple]:
        return self.postgres.query(statement, params, database=self.database)

    def orm(self, code: str):
        """Run ``code`` in ``manage.py shell``; it must set ``result``; returns it (JSON)."""
        output = self.live.shell(
            code + "\nimport json as _json\nprint('RESULT:' + _json.dumps(result, default=str))\n"
        )
        for line in reversed(output.splitlines()):
            if line.startswith("RESULT:"):
                return json.loads(line.removeprefix("RESULT:"))
        raise AssertionError(f"no result printed:\n{output}")


def start(
    prepared: Prepared,
    workdir: Path,
    *,
    name: str,
    env: dict[str, str] | None = None,
    processes: tuple[str, ...] = ("web", "celery", "beat"),
) -> Platform:
    """A fresh database copied from the template, a fresh Redis, then the processes."""
    redis = PrivateRedis(workdir=workdir)
    redis.start()
    port = e2e.free_port()
    url = f"http://127.0.0.1:{port}"
    platform = None
    try:
        database_url = prepared.new_database(name)
        live = _live_server(
            workdir,
            url=url,
            database_url=database_url,
            redis_url=redis.url,
            env={"STATIC_ROOT": str(prepared.static_root), **(env or {})},
        )
        platform = Platform(
            live=live,
            redis=redis,
            postgres=prepared.postgres,
            database=name,
            commands=_commands(port, workdir),
        )
        for process in processes:
            platform.start_process(process)
        e2e._wait_until_healthy(live)
    except BaseException:
        if platform is not None:
            platform.stop()
        redis.stop()
        raise
    return platform
