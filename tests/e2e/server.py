"""A production-like platform for the browser tests, run as real processes.

PostgreSQL (a dedicated database, a copy of the run's prepared one), Redis (its own
logical database), two gunicorn for HTTP and two Daphne for ``/ws/`` behind Debian's nginx
with the shipped site (``bench/nginx.py``), and a Celery worker, configured by the environment
exactly as the README tells a commune to run them: the processes are those of the systemd
units of ``deploy/`` (``bench/servers.py``). Emails go
to files that the tests read back as the « mail outbox ».

The test process never touches this database through the ORM: Playwright's sync API
runs an event loop that Django's async-safety checks would refuse. Use HTTP, or
``LiveServer.shell`` (``manage.py shell -c`` in a subprocess).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import nginx, servers
from bench.servers import BASE_DIR, free_port
from tests.redis_databases import BROWSER, redis_url_for

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/participation"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"

# The file email backend separates the messages of one connection with this line.
_EMAIL_SEPARATOR = "\n" + "-" * 79 + "\n"
# allauth's user codes ("ABCD-EFGH", "123-456-789") or plain digit codes, on a line of their own.
CODE_PATTERN = re.compile(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5}){1,2}|\d{6,9})\s*$", re.MULTILINE)


class Unavailable(Exception):
    """A service the browser tests need is not there: the tests are skipped, not failed."""


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def e2e_database_url() -> str:
    """``participation_e2e_<worker>`` beside DATABASE_URL, or E2E_DATABASE_URL's database
    (with the worker's suffix too when the journeys run in halves on several workers)."""
    explicit = os.environ.get("E2E_DATABASE_URL")
    if explicit:
        url = urlsplit(explicit)
        return urlunsplit(url._replace(path=f"{url.path}{_worker_suffix()}"))
    base = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return urlunsplit(base._replace(path=f"/participation_e2e{_worker_suffix()}"))


def e2e_redis_url() -> str:
    """The worker's browser database on REDIS_URL's server, or E2E_REDIS_URL (on several
    workers, that server's browser database of each worker)."""
    explicit = os.environ.get("E2E_REDIS_URL")
    if explicit and not _worker_suffix():
        return explicit
    return redis_url_for(BROWSER, explicit or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)


def check_requirements(*, browser: bool = True) -> None:
    """Raise ``Unavailable`` naming what is missing (Chromium only if ``browser``; nginx always)."""
    if browser and not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        raise Unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not os.access(nginx.NGINX, os.X_OK):
        raise Unavailable(f"{nginx.NGINX} is missing (apt-get install nginx)")
    import psycopg
    import redis

    try:
        with psycopg.connect(_maintenance_url(), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        raise Unavailable(f"PostgreSQL unreachable at {_maintenance_url()}: {exc}") from exc
    try:
        redis.Redis.from_url(e2e_redis_url(), socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise Unavailable(f"Redis unreachable at {e2e_redis_url()}: {exc}") from exc


def _maintenance_url(database_url: str | None = None) -> str:
    return urlunsplit(urlsplit(database_url or e2e_database_url())._replace(path="/postgres"))


def _database_name(database_url: str | None = None) -> str:
    return urlsplit(database_url or e2e_database_url()).path.lstrip("/")


# Loaded once into a platform's database: the referential and the demo content. Until the
# referential loads its quartiers, the pages need at least one.
PREPARE = (
    "from django.core.management import call_command, get_commands\n"
    "if 'load_referentiel' in get_commands():\n"
    "    call_command('load_referentiel')\n"
    "call_command('load_demo', '--force')\n"
    "from participation.territory.models import Quartier\n"
    "if not Quartier.objects.exists():\n"
    "    from tests.factories import ObjectifFactory\n"
    "    ObjectifFactory(quartier__slug='rimbart', quartier__name='Rimbart')\n"
)

# The platforms of one test run (the journeys' on each worker, the API contract's, the
# backup's) start from the same content: it is prepared once per run, as a template database
# and a folder of collected static files, by whichever worker needs it first, and each platform's
# database is a copy. ``RUN_VARIABLE`` names the run (tests/conftest.py sets it before the
# workers start; the run's end drops what was prepared, ``drop_prepared``).
RUN_VARIABLE = "PARTICIPATION_TEST_RUN"


def _run() -> str:
    return os.environ.get(RUN_VARIABLE) or f"pid{os.getpid()}"


def _prepared_paths() -> tuple[str, Path, Path]:
    """The run's template database, its static files, and the lock that guards both."""
    run = _run()
    folder = Path(tempfile.gettempdir())
    return (
        f"participation_e2e_template_{run}"[:63],
        folder / f"participation-e2e-{run}-static",
        folder / f"participation-e2e-{run}.lock",
    )


def prepared_copy(database_url: str, redis_url: str) -> Path:
    """Create ``database_url`` as a copy of the run's prepared database (migrated, referential
    and demo loaded), preparing it first if no platform of this run did; return the folder of
    collected static files every platform of the run serves."""
    template, static_root, lock = _prepared_paths()
    ready = lock.with_suffix(".ready")
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the other workers wait while one prepares
        if not ready.exists():
            template_url = urlunsplit(urlsplit(database_url)._replace(path=f"/{template}"))
            _prepare(template_url, redis_url, static_root)
            ready.write_text(template_url, encoding="utf-8")
        recreate_database(database_url, template=template)
    return static_root


def _prepare(template_url: str, redis_url: str, static_root: Path) -> None:
    recreate_database(template_url)
    workdir = Path(tempfile.mkdtemp(prefix="participation-e2e-prepare-"))
    try:
        prepare_content(
            workdir, database_url=template_url, redis_url=redis_url, static_root=static_root
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def prepare_content(workdir: Path, *, database_url: str, redis_url: str, static_root: Path) -> None:
    """Migrate the empty database of ``database_url`` and load ``PREPARE`` into it (in the
    platform's shell, closed after: a template keeps no connection); collect the static files
    into ``static_root`` meanwhile."""
    email_dir = workdir / "emails"
    email_dir.mkdir(parents=True, exist_ok=True)
    url = "http://127.0.0.1:9"  # nothing is served
    env = environment(url, workdir, email_dir, database_url=database_url, redis_url=redis_url)
    builder = LiveServer(
        url=url, env={**env, "STATIC_ROOT": str(static_root)}, workdir=workdir, email_dir=email_dir
    )
    try:
        with servers.collecting_static(builder.env):
            builder.manage("migrate", "--noinput", "-v0")
            builder.shell(PREPARE)
    finally:
        builder.stop()


def drop_prepared() -> None:
    """At the end of the run: the template database and the static files, if prepared."""
    _, static_root, lock = _prepared_paths()
    ready = lock.with_suffix(".ready")
    if ready.exists():
        import psycopg

        try:
            drop_database(ready.read_text(encoding="utf-8"))
        except psycopg.Error as exc:  # PostgreSQL gone by now: the next run's name differs
            print(f"the prepared database was not dropped: {exc}", file=sys.stderr)
    shutil.rmtree(static_root, ignore_errors=True)
    for path in (ready, lock):
        path.unlink(missing_ok=True)


def recreate_database(database_url: str | None = None, *, template: str | None = None) -> None:
    """Drop the database and create it again: empty, or a copy of ``template``."""
    import psycopg
    from psycopg import sql

    name = _database_name(database_url)
    if not name.startswith("participation_e2e") and "E2E_DATABASE_URL" not in os.environ:
        raise RuntimeError(f"Refusing to drop {name!r}: not an e2e database")
    with psycopg.connect(
        _maintenance_url(database_url), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(create)


def drop_database(database_url: str | None = None) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        _maintenance_url(database_url), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(_database_name(database_url))
            )
        )


def flush_redis(redis_url: str | None = None) -> None:
    import redis

    redis.Redis.from_url(redis_url or e2e_redis_url(), socket_connect_timeout=3).flushdb()


@dataclass
class LiveServer:
    """The running platform: its address, its environment, its logs and its mail outbox."""

    url: str
    env: dict[str, str]
    workdir: Path
    email_dir: Path
    processes: servers.Platform | None = None  # once started
    shell_process: Shell | None = None  # once ``shell`` was called

    @property
    def logs(self) -> dict[str, Path]:
        return self.processes.logs if self.processes else {}

    # --- management commands -------------------------------------------------

    def manage(self, *args: str, timeout: float = 180) -> str:
        """Run ``manage.py`` against the e2e database; return its output, fail loudly."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def shell(self, code: str, timeout: float = 180) -> str:
        """Run Python in ``manage.py shell`` against the e2e database; return what it printed.

        One shell serves every call (``Shell``): a Django start costs 0.7 s of CPU, and the
        journeys, fault and backup tests ask for dozens."""
        if self.shell_process is None:
            self.shell_process = Shell(self.env, self.workdir / "shell.log")
        return self.shell_process.run(code, timeout=timeout)

    def create_user(
        self,
        email: str,
        password: str,
        *,
        role: str = "habitant",
        display_name: str = "",
        verified: bool = True,
        totp_secret: str | None = None,
    ) -> None:
        """An account in the live database (staff get TOTP when ``totp_secret`` is given)."""
        self.shell(
            "from allauth.account.models import EmailAddress\n"
            "from participation.accounts.models import User\n"
            f"user = User.objects.create_user(email={email!r}, password={password!r},"
            f" role={role!r}, display_name={display_name!r})\n"
            f"EmailAddress.objects.create(user=user, email=user.email, primary=True,"
            f" verified={verified!r})\n"
            + (
                "from allauth.mfa.totp.internal.auth import TOTP\n"
                f"TOTP.activate(user, {totp_secret!r})\n"
                if totp_secret
                else ""
            )
        )

    # --- the mail outbox ---------------------------------------------------------

    def read_emails(self) -> list[EmailMessage]:
        """Every email sent so far, oldest first."""
        messages: list[EmailMessage] = []
        files = sorted(self.email_dir.glob("*.log"), key=lambda path: path.stat().st_mtime_ns)
        for path in files:
            for chunk in path.read_text(encoding="utf-8").split(_EMAIL_SEPARATOR):
                if chunk.strip():
                    # As bytes: parsed from a str, an 8-bit UTF-8 body decodes as mojibake.
                    raw = chunk.encode("utf-8")
                    messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return messages

    def emails_to(self, address: str) -> list[EmailMessage]:
        address = address.lower()
        return [m for m in self.read_emails() if address in str(m.get("To", "")).lower()]

    def wait_for_email(self, address: str, *, after: int = 0, timeout: float = 20) -> EmailMessage:
        """The first email to ``address`` beyond the ``after`` already there (Celery is async)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.emails_to(address)
            if len(found) > after:
                return found[after]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"No email to {address} within {timeout} s; outbox holds "
                    f"{[(str(m['To']), str(m['Subject'])) for m in self.read_emails()]}\n"
                    + self.tail_logs()
                )
            time.sleep(0.2)

    def last_code_for(self, address: str, *, after: int = 0, timeout: float = 20) -> str:
        """The verification or sign-in code of the newest email to ``address``."""
        self.wait_for_email(address, after=after, timeout=timeout)
        message = self.emails_to(address)[-1]
        body = email_body(message)
        match = CODE_PATTERN.search(body)
        if match is None:
            raise AssertionError(f"No code in the email to {address}:\n{body}")
        return match.group(1)

    # --- the SMS outbox --------------------------------------------------------------

    def read_sms(self) -> list[dict]:
        """Every SMS sent so far, oldest first: dicts with key, to (E.164), body, kind, at."""
        from participation.notifications.sms_backends import read_sms_file

        return read_sms_file(self.env.get("SMS_FILE_PATH", self.workdir / "sms.jsonl"))

    def sms_to(self, number: str) -> list[dict]:
        """The SMS sent so far to ``number`` (E.164), oldest first."""
        return [sms for sms in self.read_sms() if sms["to"] == number]

    def last_sms_to(self, number: str, *, after: int = 0, timeout: float = 20) -> dict:
        """The newest SMS to ``number`` (E.164) once more than ``after`` were sent to it: the
        worker sends them after the commit, so this waits up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            sent = self.sms_to(number)
            if len(sent) > after:
                return sent[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"No new SMS to {number} within {timeout} s: {sent!r}")
            time.sleep(0.2)

    def last_sms_code_to(self, number: str, *, after: int = 0, timeout: float = 20) -> str:
        """The code of the newest SMS to ``number`` (sign-up, sign-in, change of number)."""
        body = self.last_sms_to(number, after=after, timeout=timeout)["body"]
        match = re.search(r"\b(\d{6})\b", body)
        if match is None:
            raise AssertionError(f"No code in the SMS to {number}: {body}")
        return match.group(1)

    # --- processes and logs ----------------------------------------------------------

    def log_positions(self) -> dict[str, int]:
        return {
            name: path.stat().st_size if path.exists() else 0 for name, path in self.logs.items()
        }

    def logs_since(self, positions: dict[str, int] | None = None, limit: int = 20_000) -> str:
        parts = []
        for name, path in self.logs.items():
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek((positions or {}).get(name, 0))
                text = handle.read().decode("utf-8", "replace")
            parts.append(f"===== {name} ({path}) =====\n{text[-limit:]}")
        return "\n".join(parts)

    def tail_logs(self, limit: int = 6000) -> str:
        return self.logs_since(None, limit=limit)

    def stop(self) -> None:
        if self.shell_process:
            self.shell_process.close()
            self.shell_process = None
        if self.processes:
            self.processes.stop()


# What ``Shell``'s process runs: one snippet per line of JSON on its input, each in fresh
# globals with what it prints captured, answered by one line of JSON. Its connections are
# closed after each snippet, as a process of its own would leave them (a test may restart
# PostgreSQL or restore a backup between two calls), and its content types forgotten.
_SHELL_LOOP = """
import contextlib, io, json, sys, traceback
from django.contrib.contenttypes.models import ContentType
from django.db import connections
answers = sys.stdout
for line in sys.stdin:
    printed = io.StringIO()
    failed = False
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(json.loads(line), "<shell>", "exec"), {"__name__": "__main__"})
    except BaseException:
        failed = True
        printed.write(traceback.format_exc())
    finally:
        connections.close_all()
        ContentType.objects.clear_cache()
    answers.write(json.dumps({"failed": failed, "printed": printed.getvalue()}) + "\\n")
    answers.flush()
"""


class Shell:
    """A ``manage.py shell`` kept running, to which ``LiveServer.shell`` sends its snippets.

    It ends when closed, or when the test process that holds its input ends."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self._lock = threading.Lock()
        with log.open("ab") as errors:
            self._process = subprocess.Popen(
                [sys.executable, "manage.py", "shell", "--no-imports", "-c", _SHELL_LOOP],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )

    def run(self, code: str, *, timeout: float) -> str:
        with self._lock:
            process = self._process
            assert process.stdin and process.stdout
            try:
                process.stdin.write(json.dumps(code) + "\n")
                process.stdin.flush()
            except BrokenPipeError:
                pass  # it ended: said below
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            line = process.stdout.readline() if ready else ""
            if not line:
                ended = process.poll() is not None
                process.kill()
                raise RuntimeError(
                    ("manage.py shell ended" if ended else f"no answer within {timeout} s")
                    + f":\n{code}\n"
                    + self.log.read_text(errors="replace")[-6000:]
                )
            answer = json.loads(line)
            if answer["failed"]:
                raise RuntimeError(f"manage.py shell failed:\n{code}\n{answer['printed']}")
            return answer["printed"]

    def close(self) -> None:
        """End of input: the shell ends; killed if it has not within 10 s."""
        process = self._process
        assert process.stdin and process.stdout
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        process.stdout.close()


def email_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else str(message.get_payload())


def environment(
    url: str, workdir: Path, email_dir: Path, *, database_url: str, redis_url: str
) -> dict[str, str]:
    """Production mode, as the README configures it; emails go to files in ``email_dir``."""
    return servers.production_environment(
        database_url=database_url,
        redis_url=redis_url,
        site_url=url,
        workdir=workdir,
        CSRF_TRUSTED_ORIGINS=url,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(email_dir),
        # SMS: one JSON line each in this file (``LiveServer.read_sms``).
        SMS_BACKEND="participation.notifications.sms_backends.FileBackend",
        SMS_FILE_PATH=str(workdir / "sms.jsonl"),
        LOG_LEVEL="INFO",
    )


def start(
    workdir: Path, *, database_url: str | None = None, redis_url: str | None = None
) -> LiveServer:
    """Set up the database, static files and demo content, then start the processes.

    The browser tests' database and Redis by default; another suite (the API contract) gives
    its own, so that what it writes never reaches the journeys.
    """
    database_url = database_url or e2e_database_url()
    redis_url = redis_url or e2e_redis_url()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    email_dir = workdir / "emails"
    email_dir.mkdir(parents=True, exist_ok=True)
    (workdir / "media").mkdir(exist_ok=True)
    server = LiveServer(
        url=url,
        env=environment(
            url,
            workdir,
            email_dir,
            database_url=database_url,
            redis_url=redis_url,
        ),
        workdir=workdir,
        email_dir=email_dir,
    )
    flush_redis(redis_url)
    static_root = prepared_copy(database_url, redis_url)
    server.env["STATIC_ROOT"] = str(static_root)
    try:
        # As the host runs them (deploy/): Debian's nginx with the shipped site in front of two
        # application servers (two gunicorn, two Daphne: every journey must work whichever one
        # answers), and a Celery worker in one process (no beat: no test waits for a scheduled
        # task). Two gunicorn workers each: four in all, as one server of the README has.
        processes = servers.Platform(
            server.env,
            workdir,
            http_servers=2,
            http_workers=2,
            websockets=2,
            beat=False,
            worker_options=("--pool", "solo", *servers.SOLITARY_WORKER),
        )
        server.processes = processes
        nginx.start(processes, port=port, static_root=static_root, media_root=workdir / "media")
        processes.start(timeout=60, ready_urls=[f"{url}/sante/"])
    except BaseException:
        server.stop()  # its shell, and what had started
        raise
    return server
