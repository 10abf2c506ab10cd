"""The platform's production processes, run against a private Redis and PostgreSQL.

The processes are those of the systemd units of ``deploy/``, started by the bench's launcher
(``bench/servers.py``): gunicorn (HTTP, threaded workers), a Celery worker and Celery beat,
behind Debian's nginx with the shipped site (``bench/nginx.py``).
They reuse the browser tests' ``LiveServer`` (environment, logs, mail outbox,
``manage``/``shell``) from ``tests/e2e/server.py``; what is added here is what a fault test
needs: a database copied from a template prepared once per session, and processes that can be
killed and started again one by one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bench import nginx, servers
from tests.e2e import server as e2e
from tests.e2e.server import LiveServer

from .stores import PrivatePostgres, PrivateRedis

TEMPLATE_DATABASE = "faults_template"


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
    e2e.prepare_content(
        workdir,
        database_url=postgres.url(TEMPLATE_DATABASE),
        redis_url="redis://127.0.0.1:9/0",  # no command of the preparation needs Redis
        static_root=static_root,
    )
    return Prepared(postgres=postgres, static_root=static_root)


def _live_server(
    workdir: Path, *, url: str, database_url: str, redis_url: str, env: dict[str, str]
) -> LiveServer:
    email_dir = workdir / "emails"
    email_dir.mkdir(parents=True, exist_ok=True)
    (workdir / "media").mkdir(exist_ok=True)
    environment = e2e.environment(
        url, workdir, email_dir, database_url=database_url, redis_url=redis_url
    )
    environment.update(env)
    return LiveServer(url=url, env=environment, workdir=workdir, email_dir=email_dir)


@dataclass
class Platform:
    """One running platform: its private Redis, its database, its processes."""

    live: LiveServer
    redis: PrivateRedis
    postgres: PrivatePostgres
    database: str

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def processes(self) -> servers.Platform:
        assert self.live.processes is not None
        return self.live.processes

    # --- processes --------------------------------------------------------------------

    def kill_process(self, name: str) -> None:
        """SIGKILL the process and every child in its group: no clean shutdown of anything."""
        self.processes.kill(name)

    def start_worker(self, timeout: float = 60) -> None:
        """Start a Celery worker and wait until it says it is ready (its log is appended to)."""
        self.processes.start_process("celery-worker")
        self.processes.wait_ready(["celery-worker"], timeout=timeout)

    def stop(self) -> None:
        self.live.stop()

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
    processes: tuple[str, ...] = ("http", "celery-worker", "celery-beat"),
) -> Platform:
    """A fresh database copied from the template, a fresh Redis, then the processes."""
    redis = PrivateRedis(workdir=workdir)
    redis.start()
    port = servers.free_port()
    try:
        live = _live_server(
            workdir,
            url=f"http://127.0.0.1:{port}",
            database_url=prepared.new_database(name),
            redis_url=redis.url,
            env={"STATIC_ROOT": str(prepared.static_root), **(env or {})},
        )
        live.processes = servers.Platform(
            live.env,
            workdir,
            websockets=0,  # no fault test opens a WebSocket
            # Stopped in 5 s at most, not gunicorn's default 30, when requests hang.
            http_options=("--graceful-timeout", "5"),
            # Two pool processes (which the worker test kills), whatever the machine's cores.
            worker_options=("--concurrency", "2", *servers.SOLITARY_WORKER),
        )
        # Residents reach gunicorn through Debian's nginx and the shipped site, as in
        # production: what they get while a part is down is what nginx passes on.
        nginx.start(
            live.processes,
            port=port,
            static_root=prepared.static_root,
            media_root=workdir / "media",
        )
        live.processes.start(processes, timeout=60, ready_urls=[f"{live.url}/sante/"])
    except BaseException:
        redis.stop()
        raise
    return Platform(live=live, redis=redis, postgres=prepared.postgres, database=name)
