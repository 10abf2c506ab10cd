"""Private Redis and PostgreSQL servers that the fault tests may stop, freeze and restart.

Each listens on 127.0.0.1 only, on a free port, with its files in a temporary folder, so
that stopping it harms no other test and no other service of the machine. PostgreSQL
refuses to run as root: as root, its commands run as the ``postgres`` OS user, which owns
the temporary folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import nginx
from bench.servers import free_port
from tests.e2e.server import Unavailable


def _postgres_binaries() -> Path:
    """Where the server's own programs are (initdb, pg_ctl): FAULTS_PG_BIN, else what the
    installed PostgreSQL says (Debian keeps them out of PATH, under its version)."""
    if configured := os.environ.get("FAULTS_PG_BIN"):
        return Path(configured)
    try:
        return Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    except (OSError, subprocess.CalledProcessError):
        found = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: (len(p.parent.name), p.parent.name),
        )
        return found[-1] if found else Path("/usr/lib/postgresql/bin")


PG_BIN = _postgres_binaries()
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def check_binaries() -> None:
    """Raise ``Unavailable`` naming what is missing."""
    missing = [
        str(path)
        for path in (Path(REDIS_SERVER), PG_BIN / "initdb", PG_BIN / "pg_ctl", Path(nginx.NGINX))
        if not os.access(path, os.X_OK)
    ]
    if missing:
        raise Unavailable(f"missing: {', '.join(missing)}")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise Unavailable("running as root without a postgres OS user") from exc
        if shutil.which("runuser") is None:
            raise Unavailable("running as root without runuser (util-linux)")


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


# --- Redis ------------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    """A redis-server child process without persistence: a restart empties it."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait(self.ping, 10, f"Redis answering on port {self.port}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(
                redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
            )
        except redis.RedisError:
            return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Shut Redis down (SIGTERM, as a service manager does); wait until the port is closed."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)  # a frozen server cannot handle SIGTERM
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing ever answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


# --- PostgreSQL -------------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb, pg_ctl), trust authentication on 127.0.0.1."""

    root: Path
    port: int = field(default_factory=free_port)

    @classmethod
    def create(cls) -> PrivatePostgres:
        # Not under pytest's tmp_path: its folders are private to root and postgres must enter.
        root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        cluster = cls(root=root)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(root, account.pw_uid, account.pw_gid)
        cluster._run(
            PG_BIN / "initdb",
            "-D",
            str(cluster.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            timeout=120,
        )
        return cluster

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command, timeout: float = 60) -> str:
        command = [str(part) for part in command]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
                + (f"\n{self.log.read_text(errors='replace')[-3000:]}" if self.log.exists() else "")
            )
        return result.stdout

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c max_connections=200 -c recovery_init_sync_method=syncfs"
        )
        self._run(
            PG_BIN / "pg_ctl",
            "start",
            "-D",
            self.datadir,
            "-l",
            self.log,
            "-w",
            "-t",
            "60",
            "-o",
            options,
            timeout=90,
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions cleanly; ``immediate`` is a crash: WAL replay at the next start."""
        if not (self.datadir / "postmaster.pid").exists():
            return
        self._run(PG_BIN / "pg_ctl", "stop", "-D", self.datadir, "-m", mode, "-w", "-t", "60")

    def restart(self, mode: str = "immediate") -> float:
        """Stop then start again; returns how long the database was away, in seconds."""
        began = time.monotonic()
        self.stop(mode)
        self.start()
        return time.monotonic() - began

    def execute(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)

    def query(self, statement: str, params=None, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), connect_timeout=5) as conn:
            return conn.execute(statement, params).fetchall()

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
