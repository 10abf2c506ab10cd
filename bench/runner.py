"""``make bench`` / ``make bench-smoke``: the performance bench of issue 9.

    python -m bench.runner            # agglomeration scale (scale 1), 10 s per measurement
    python -m bench.runner --smoke    # scale 0.01, 1 s per measurement (CI)

1. a dedicated PostgreSQL database (``participation_bench``), migrated, with the
   referential and the data of ``bench.data`` (reused by ``--reuse-data`` when seed and
   scale match);
2. the SQL queries of every page, counted in-process on a cache miss;
3. the platform in production mode, as the README runs it (gunicorn, two Daphne, Celery);
4. wrk at 32 connections on every row of ``bench.scenarios`` (the ceiling first and last),
   the real-time latency over 50 sockets, the export's time and peak memory;
5. one table; the exit status is 0 when every budget holds, 1 when one is missed, 2 when
   the bench could not measure (a page in error, a server that did not start).

Only 127.0.0.1 is ever contacted. Every process is stopped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import budgets, load, realtime
from bench.scenarios import ANONYMOUS, CEILING, EXPORT, POST, SCENARIOS, SIGNED_IN, SUBMISSION
from bench.servers import (
    BASE_DIR,
    HOST,
    HTTP_THREADS,
    HTTP_WORKERS,
    CollectStaticFailed,
    Platform,
    collecting_static,
    production_environment,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOOPBACK = {"127.0.0.1", "localhost"}
# The second HTTP server, started with the anonymous page cache off: the rows « sans cache »
# are measured there. A server setting, not a request that skips the cache: production has
# no such request.
UNCACHED_SERVER = "http-2"
UNCACHED_SETTINGS = {"ANONYMOUS_PAGE_CACHE_SECONDS": "0"}
BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}
# The smoke run: 4 connections, each sending a request every 100 ms at most (40 per second).
SMOKE_CONNECTIONS = 4
SMOKE_PACE_MS = 100


class BenchBroken(Exception):
    """The bench cannot measure (a service missing, a server that does not start)."""


@dataclass(frozen=True)
class Config:
    smoke: bool
    scale: float
    seed: int
    seconds: int
    warmup: int
    posters: int
    submissions: int
    database: str
    redis_db: int
    workdir: Path
    reuse_data: bool
    keep_db: bool
    install_wrk: bool
    use_wrk: bool
    only: frozenset[str] = frozenset()  # scenario keys to measure (the ceiling always is)
    connections: int = budgets.CONNECTIONS
    # The smoke run checks that the bench works, not how fast: a light paced load (a few
    # connections, each waiting between requests) instead of saturating the machine it shares.
    pace_ms: int = 0

    def wants(self, key: str) -> bool:
        return not self.only or key in self.only or key == "ceiling"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Config:
        smoke = args.smoke
        name = args.database or ("participation_bench_smoke" if smoke else "participation_bench")
        redis_db = args.redis_db if args.redis_db is not None else (4 if smoke else 3)
        return cls(
            smoke=smoke,
            scale=args.scale if args.scale is not None else (0.01 if smoke else 1.0),
            seed=args.seed,
            seconds=args.seconds or (1 if smoke else 10),
            warmup=0 if smoke else 2,
            posters=40 if smoke else 400,
            submissions=5 if smoke else 10,
            database=name,
            redis_db=redis_db,
            workdir=BASE_DIR / "var" / ("bench_smoke" if smoke else "bench"),
            reuse_data=args.reuse_data,
            keep_db=args.keep_db if args.keep_db is not None else not smoke,
            install_wrk=not args.no_install,
            use_wrk=not args.python_load,
            only=frozenset(filter(None, (args.only or "").split(","))),
            connections=SMOKE_CONNECTIONS if smoke else budgets.CONNECTIONS,
            pace_ms=SMOKE_PACE_MS if smoke else 0,
        )


# --- the services the bench needs -------------------------------------------------------


def _loopback_url(raw: str, path: str) -> str:
    parts = urlsplit(raw)
    if parts.hostname not in LOOPBACK:
        raise BenchBroken(f"Le banc n'utilise que 127.0.0.1, pas {parts.hostname}.")
    return urlunsplit(parts._replace(path=path))


def database_url(config: Config) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return _loopback_url(base or DEFAULT_DATABASE_URL, f"/{config.database}")


def redis_url(config: Config) -> str:
    base = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    return _loopback_url(base or DEFAULT_REDIS_URL, f"/{config.redis_db}")


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(
        urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True, connect_timeout=5
    )


def check_services(config: Config) -> None:
    import psycopg
    import redis

    try:
        _maintenance(database_url(config)).close()
    except psycopg.OperationalError as error:
        raise BenchBroken(f"PostgreSQL injoignable : {error}") from error
    try:
        redis.Redis.from_url(redis_url(config), socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise BenchBroken(f"Redis injoignable : {error}") from error


def recreate_database(config: Config, *, create: bool = True) -> None:
    from psycopg import sql

    if "bench" not in config.database:
        raise BenchBroken(f"Refus de supprimer {config.database!r} : pas une base de banc.")
    with _maintenance(database_url(config)) as conn:
        name = sql.Identifier(config.database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def flush_redis(config: Config) -> None:
    import redis

    redis.Redis.from_url(redis_url(config), socket_connect_timeout=3).flushdb()


def environment(config: Config) -> dict[str, str]:
    """Production mode, as the README configures it, on the bench's own database and Redis."""
    return production_environment(
        database_url=database_url(config),
        redis_url=redis_url(config),
        site_url=f"http://{HOST}",
        workdir=config.workdir,
        # The test client of bench.django_side asks for « testserver ».
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )


# --- results ----------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    kind: str
    throughput: str = "—"
    p50: str = "—"
    tail: str = "—"
    ratio: str = "—"
    sql: str = "—"
    errors: str = "—"
    cpu: str = "—"
    cpu_units: str = "—"  # its CPU per request in the ceiling's (``in_ceiling_units``)
    verdict: str = ""
    status: str = "ok"  # ok, missed, noisy (missed in a noisy run), broken, missing
    data: dict = field(default_factory=dict)


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def print_table(rows: list[Row], header: list[str], write=print) -> None:
    columns = (
        ("Scénario", "label"),
        ("Req/s", "throughput"),
        ("p50", "p50"),
        ("p99", "tail"),
        ("× plafond", "ratio"),
        ("SQL", "sql"),
        ("Erreurs", "errors"),
        ("CPU/req", "cpu"),
        ("÷ plafond", "cpu_units"),
        ("Budget", "verdict"),
    )
    widths = [max(len(title), *(len(getattr(r, attr)) for r in rows)) for title, attr in columns]
    rule = "+".join("-" * (w + 2) for w in widths)
    for line in header:
        write(line)
    write(rule)
    write("|".join(f" {title:<{w}} " for (title, _a), w in zip(columns, widths, strict=True)))
    write(rule)
    for row in rows:
        cells = [getattr(row, attr) for _t, attr in columns]
        write(
            "|".join(
                f" {cell:<{w}} " if i in (0, len(columns) - 1) else f" {cell:>{w}} "
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    write(rule)


# --- the bench ----------------------------------------------------------------------------


class Bench:
    def __init__(self, config: Config, write=print):
        self.config = config
        self.write = write
        self.env = environment(config)
        self.rows: dict[str, Row] = {}
        self.plan: dict = {}
        self.queries: dict = {}
        self.tool = ""
        self.wrk: str | None = None
        self.offsets: dict[str, int] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # session id → (Cookie header, form token)
        self.started = time.monotonic()

    def log(self, message: str) -> None:
        self.write(f"[banc {time.monotonic() - self.started:4.0f} s] {message}")

    # --- steps ---

    def python(self, *args: str, timeout: float = 600) -> str:
        """Run Python in the bench's environment; return what it printed, fail loudly."""
        result = subprocess.run(
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise BenchBroken(
                f"{' '.join(args)} a échoué :\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        return result.stdout

    def manage(self, *args: str, timeout: float = 600) -> str:
        return self.python("manage.py", *args, timeout=timeout)

    def prepare_data(self) -> None:
        config = self.config
        marker = config.workdir / "data.json"
        wanted = {"seed": config.seed, "scale": config.scale, "database": config.database}
        if config.reuse_data and marker.exists() and json.loads(marker.read_text()) == wanted:
            self.log("données déjà générées : réutilisées (--reuse-data)")
            self.manage("migrate", "--noinput", "-v0")
            self.manage("collectstatic", "--noinput", "-v0")
            return
        marker.unlink(missing_ok=True)
        started = time.monotonic()
        self.log(f"base {config.database} recréée, migrée ; fichiers statiques collectés")
        recreate_database(config)
        try:
            with collecting_static(self.env):
                self.manage("migrate", "--noinput", "-v0")
                self.manage("load_referentiel")
        except CollectStaticFailed as exc:
            raise BenchBroken(f"collectstatic a échoué :\n{exc}") from exc
        self.log(f"génération des données (graine {config.seed}, échelle {config.scale})…")
        output = self.python(
            "-m",
            "bench.data",
            "--seed",
            str(config.seed),
            "--scale",
            str(config.scale),
            timeout=3600,
        )
        for line in output.strip().splitlines():
            self.log(f"  {line}")
        self.log(f"données prêtes en {time.monotonic() - started:.0f} s")
        marker.write_text(json.dumps(wanted))

    def django_side(self, command: str, *extra: str) -> str:
        plan = self.config.workdir / "plan.json"
        result = subprocess.run(
            [sys.executable, "-m", "bench.django_side", command, str(plan), *extra],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise BenchBroken(f"bench.django_side {command} a échoué :\n{result.stderr[-4000:]}")
        return result.stdout

    def prepare_plan(self) -> None:
        self.django_side(
            "prepare",
            "--posters",
            str(self.config.posters),
            "--sockets",
            str(budgets.REALTIME_SOCKETS),
        )
        self.plan = json.loads((self.config.workdir / "plan.json").read_text(encoding="utf-8"))
        self.log(f"échantillon : {self.plan['sample']}")

    def count_queries(self) -> None:
        self.queries = json.loads(self.django_side("queries"))

    # --- HTTP helpers ---

    def session_cookie(self, session: str) -> str:
        return f"sessionid={session}"

    def request(
        self, port: int, method: str, path: str, headers=None, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            content = response.read()
            cookies = response.headers.get_all("Set-Cookie") or []
            return (
                response.status,
                {"set-cookie": "\n".join(cookies), **dict(response.headers)},
                content,
            )
        finally:
            connection.close()

    def form_token(self, port: int, session: str, form_path: str) -> tuple[str, str]:
        """A session's CSRF cookie and form token, read from a page with a form, as a browser does."""
        if session in self.tokens:
            return self.tokens[session]
        cookie = self.session_cookie(session)
        status, headers, body = self.request(port, "GET", form_path, {"Cookie": cookie})
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        if status != 200 or match is None or csrf_cookie is None:
            raise BenchBroken(f"Pas de jeton CSRF sur {form_path} ({status})")
        self.tokens[session] = (
            f"{cookie}; csrftoken={csrf_cookie.group(1)}",
            match.group(1).decode(),
        )
        return self.tokens[session]

    def form_page(self) -> str | None:
        """The page whose form gives the posters their CSRF token."""
        for key in (SUBMISSION, "event"):
            route = self.plan["routes"].get(key, {})
            if "path" in route:
                return route["path"].split("?")[0]
        return None

    def fetch_tokens(self, port: int) -> None:
        page = self.form_page()
        sessions = list(self.plan["posters"])
        if self.plan["realtime"].get("author"):
            sessions.append(self.plan["realtime"]["author"])
        if page is None or not sessions:
            return
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            try:
                list(pool.map(lambda s: self.form_token(port, s, page), sessions))
            except (OSError, http.client.HTTPException) as error:
                raise BenchBroken(f"jetons CSRF illisibles sur {page} : {error!r}") from error
        self.log(
            f"{len(sessions)} jetons CSRF lus sur {page} en {time.monotonic() - started:.1f} s"
        )

    # --- measurements ---

    def spec_for(self, scenario, route: dict) -> load.RequestSpec:
        spec = load.RequestSpec(
            method=scenario.method,
            path=route["path"],
            body=route.get("body"),
            expect=scenario.expect,
        )
        if scenario.user == "poster":
            spec.sessions = [self.tokens[s] for s in self.plan["posters"] if s in self.tokens]
            if "{event}" in spec.path:
                spec.events = [str(pk) for pk in self.plan["events"]]
        elif scenario.user:
            spec.sessions = [(self.session_cookie(self.plan["sessions"][scenario.user]), "")]
        return spec

    def server(self, scenario) -> str:
        """The HTTP server a row is measured on (its process name)."""
        return "http" if scenario.page_cache else UNCACHED_SERVER

    def run_load(
        self, spec: load.RequestSpec, seconds: int, key: str, server: str = "http"
    ) -> load.Measure:
        spec.offset = self.offsets.get(key, 0)
        spec.pace_ms = self.config.pace_ms
        connections = self.config.connections
        port = self.platform.http_names()[server]
        cpu_before = self.platform.cpu_seconds(server)
        if self.wrk:
            measure = load.run_wrk(
                self.wrk,
                port,
                spec,
                seconds=seconds,
                connections=connections,
                threads=2,
                workdir=self.config.workdir,
            )
        else:
            measure = load.run_python(port, spec, seconds=seconds, connections=connections)
        measure.cpu_ms = (
            (self.platform.cpu_seconds(server) - cpu_before) * 1000 / max(measure.requests, 1)
        )
        # Requests never reuse an (account, event) pair or a counter value of an earlier run.
        self.offsets[key] = spec.offset + measure.requests + 4 * connections + 16
        return measure

    def precheck(self, scenario, spec: load.RequestSpec) -> str | None:
        """One request first: a page in error or a login redirect is not worth measuring."""
        path, headers, body = spec.build(self.offsets.get(scenario.key, 0))
        status, response_headers, content = self.request(
            self.platform.http_names()[self.server(scenario)],
            scenario.method,
            path,
            headers,
            body,
        )
        self.offsets[scenario.key] = self.offsets.get(scenario.key, 0) + 1
        if status != scenario.expect:
            where = response_headers.get("Location", "")
            return f"{status} au premier appel {where}".strip()
        if scenario.kind == POST and "connexion" in response_headers.get("Location", ""):
            return "redirigé vers la connexion"
        return None

    def measure_http(self, scenario) -> Row:
        row = Row(scenario.key, scenario.label, scenario.kind)
        route = self.plan["routes"].get(scenario.key, {})
        if "path" not in route:
            row.status, row.verdict = "missing", "pas encore disponible"
            if scenario.coming_with:
                row.verdict += f" ({scenario.coming_with})"
            return row
        spec = self.spec_for(scenario, route)
        if scenario.user == "poster" and not spec.sessions:
            row.status, row.verdict = "broken", "ERREUR : aucun compte avec jeton CSRF"
            return row
        if scenario.kind == POST and "{event}" in spec.path and not spec.events:
            row.status, row.verdict = "broken", "ERREUR : aucun événement ouvert aux inscriptions"
            return row
        idle_timeout = 15 if self.config.smoke else 180
        server = self.server(scenario)
        self.platform.wait_idle(server, timeout=idle_timeout)
        try:
            problem = self.precheck(scenario, spec)
        except (OSError, http.client.HTTPException) as error:
            problem = f"pas de réponse au premier appel ({type(error).__name__})"
        if problem:
            row.status, row.verdict = "broken", f"ERREUR : {problem}"
            return row
        try:
            if self.config.warmup:
                self.run_load(spec, self.config.warmup, scenario.key, server)
                self.platform.wait_idle(server, timeout=idle_timeout)
            measure = self.run_load(spec, self.config.seconds, scenario.key, server)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            row.status, row.verdict = "broken", f"ERREUR : {error}"[:150]
            return row
        row.data = asdict(measure) | {
            "rps": measure.rps,
            "error_rate": measure.error_rate,
            "path": route["path"],
            "server": server,
        }
        row.throughput = f"{measure.rps:.0f}"
        row.p50, row.tail = _ms(measure.p50_ms), _ms(measure.p99_ms)
        row.cpu = f"{measure.cpu_ms:.1f} ms"
        row.errors = f"{measure.error_rate:.1%}"
        if measure.error_rate > budgets.MAX_ERROR_RATE:
            codes = [
                f"{code}×{n}"
                for code, n in sorted(measure.statuses.items())
                if int(code) != scenario.expect
            ]
            if measure.socket_errors:
                codes.append(f"délai ou coupure×{measure.socket_errors}")
            row.errors += f" ({', '.join(codes)})"
        counted = self.queries.get(scenario.key)
        if counted:
            row.sql = str(counted["queries"])
        return row

    def judge(self, row: Row, ceiling_rps: float, noisy: bool = False) -> None:
        """The budgets of an HTTP row (real time and export judge themselves).

        CPU per request, SQL queries and errors are the row's own; the ratio to the ceiling
        and the p99 depend on the machine's speed during the run: in a noisy run (the
        ceiling moved), a row that misses only those is « bruitée », not judged.
        """
        if row.status in {"missing", "broken"} or row.kind not in {
            CEILING,
            ANONYMOUS,
            SIGNED_IN,
            POST,
        }:
            return
        scenario = BY_KEY.get(row.key)
        budget = budgets.for_scenario(scenario) if scenario else None
        own, machine = [], []
        if budget is not None:
            row.cpu = f"{row.data['cpu_ms']:.1f} ms ≤ {budget.max_cpu_ms:.0f}"
            if row.data["cpu_ms"] > budget.max_cpu_ms:
                own.append(f"CPU > {budget.max_cpu_ms:.0f} ms")
            ratio = row.data["rps"] / ceiling_rps if ceiling_rps else 0.0
            row.ratio = f"{ratio:.2f}"
            if budget.min_ratio is not None and ratio < budget.min_ratio:
                machine.append(f"× {ratio:.2f} < {budget.min_ratio}")
            if row.data["p99_ms"] > budget.max_p99_ms:
                machine.append(f"p99 > {budget.max_p99_ms:.0f} ms")
            counted = self.queries.get(row.key)
            if counted and counted["status"] != 200:
                row.status, row.verdict = "broken", f"ERREUR : {counted['status']} en test"
                return
            if counted and counted["queries"] > budgets.MAX_QUERIES_PER_PAGE:
                own.append(f"SQL > {budgets.MAX_QUERIES_PER_PAGE}")
        if row.data["expected"] == 0 or row.data["error_rate"] > budgets.MAX_ERROR_RATE:
            own.append(f"erreurs > {budgets.MAX_ERROR_RATE:.0%}")
        if own or (machine and not noisy):
            row.status, row.verdict = "missed", "HORS BUDGET : " + ", ".join(own + machine)
        elif machine:
            row.status = "noisy"
            row.verdict = "BRUITÉ, non jugé : " + ", ".join(machine)
        else:
            row.verdict = "OK" if row.kind != CEILING else "référence"

    def measure_realtime(self) -> Row:
        rt = self.plan["realtime"]
        label = f"Temps réel : {budgets.REALTIME_SOCKETS} sockets sur 2 processus"
        row = Row("realtime", label, "realtime", ratio="", sql="")
        route = self.plan["routes"].get(SUBMISSION, {})
        if not rt.get("path"):
            row.status = "missing"
            row.verdict = f"pas encore disponible (routes : {rt.get('ws_paths')})"
            return row
        if "path" not in route or rt["author"] not in self.tokens:
            row.status, row.verdict = "missing", "pas de formulaire de dépôt pour déclencher"
            return row
        row.data.update(feed=rt["label"], path=rt["path"])
        cookie, token = self.tokens[rt["author"]]
        spec = load.RequestSpec("POST", route["path"], route["body"], 302, [(cookie, token)])
        spec.offset = 10_000_000

        def submit(number: int) -> bool:
            path, headers, body = spec.build(spec.offset + number)
            status, _h, _b = self.request(self.platform.http_port, "POST", path, headers, body)
            return status == 302

        cookies = [self.session_cookie(s) for s in rt["listeners"]]
        self.platform.wait_idle(timeout=60)
        try:
            result = realtime.measure(
                self.platform.ws_ports,
                rt["path"],
                cookies,
                submit,
                submissions=self.config.submissions,
            )
        except Exception as error:  # noqa: BLE001 - a failed measurement is a row, not a crash
            row.status, row.verdict = "broken", f"ERREUR : {error!r}"[:150]
            return row
        row.data |= asdict(result) | {"p50_ms": result.p50_ms, "p95_ms": result.p95_ms}
        row.throughput = f"{result.submissions}×{result.sockets}"
        row.p50 = _ms(result.p50_ms) if result.latencies_ms else "—"
        row.tail = f"{_ms(result.p95_ms)} (p95)" if result.latencies_ms else "—"
        row.errors = f"{result.missing} perdus"
        if result.failed_submissions or not result.latencies_ms:
            row.status = "broken"
            row.verdict = f"ERREUR : {result.failed_submissions} dépôts refusés"
        elif result.missing or result.p95_ms > budgets.REALTIME_MAX_P95_MS:
            row.status = "missed"
            row.verdict = f"HORS BUDGET : p95 ≤ {budgets.REALTIME_MAX_P95_MS:.0f} ms, 0 perdu"
        else:
            row.verdict = "OK"
        return row

    def measure_export(self, scenario) -> Row:
        """Every expression the référent may export: streamed inline, or built by Celery.

        Time runs from the request to the last byte of the file; the peak memory is the
        highest resident size (``VmHWM``, reset just before) of the processes that did the
        work: the gunicorn workers, and the Celery worker's processes for a background job.
        """
        row = Row(scenario.key, scenario.label, EXPORT, ratio="", sql="")
        route = self.plan["routes"].get(scenario.key, {})
        if "path" not in route:
            row.status = "missing"
            row.verdict = f"pas encore disponible ({scenario.coming_with})"
            return row
        http_pids = self.platform.group_pids("http")
        celery_pids = self.platform.group_pids("celery-worker")
        pids = http_pids + celery_pids
        before = {pid: _status_mb(pid, "VmRSS") for pid in pids}
        for pid in pids:
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        cookie = self.session_cookie(self.plan["sessions"][scenario.user])
        started = time.monotonic()
        try:
            status, size, lines, how = self._export(route["path"], cookie)
        except (BenchBroken, OSError, http.client.HTTPException, ValueError) as problem:
            row.status, row.verdict = "broken", f"ERREUR : {problem}"[:120]
            return row
        seconds = time.monotonic() - started
        # The processes that did the work: the HTTP workers for an inline export, the
        # Celery worker's for a background one (its download is a plain file response).
        pids = celery_pids if how == "tâche Celery" else http_pids
        peaks = {pid: _status_mb(pid, "VmHWM") for pid in pids}
        peak = max(peaks.values(), default=0.0)
        growth = max((peaks[pid] - before[pid] for pid in pids), default=0.0)
        row.data = {
            "seconds": seconds,
            "bytes": size,
            "lines": lines,
            "peak_mb": peak,
            "growth_mb": growth,
            "how": how,
        }
        row.throughput = f"{max(lines - 1, 0)} lignes"
        row.p50 = f"{seconds:.1f} s"
        row.tail = f"pic {peak:.0f} Mo (+{growth:.0f})"
        row.errors = "" if status == 200 else str(status)
        row.label += f" ({how})"
        if status != 200:
            row.status, row.verdict = "broken", f"ERREUR : {status}"
        elif peak > budgets.EXPORT_MAX_PEAK_MB:
            row.status = "missed"
            row.verdict = f"HORS BUDGET : pic > {budgets.EXPORT_MAX_PEAK_MB:.0f} Mo"
        else:
            row.verdict = "OK"
        return row

    def _download(self, path: str, cookie: str) -> tuple[int, int, int, str]:
        connection = http.client.HTTPConnection(HOST, self.platform.http_port, timeout=600)
        size = lines = 0
        try:
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            content_type = response.getheader("Content-Type", "")
            while chunk := response.read(1 << 16):
                size += len(chunk)
                lines += chunk.count(b"\n")
            return response.status, size, lines, content_type
        finally:
            connection.close()

    def _export(self, path: str, cookie: str) -> tuple[int, int, int, str]:
        status, size, lines, content_type = self._download(path, cookie)
        if status != 200 or "html" not in content_type:
            return status, size, lines, "en direct"
        # Too many rows to stream inline: the page offers a background job (Celery).
        cookie_header, token = self.form_token(
            self.platform.http_port, cookie.split("=", 1)[1], path
        )
        status, headers, _body = self.request(
            self.platform.http_port,
            "POST",
            path,
            {"Cookie": cookie_header, "Content-Type": "application/x-www-form-urlencoded"},
            f"csrfmiddlewaretoken={token}".encode(),
        )
        job = headers.get("Location", "")
        if status != 302 or not job:
            raise BenchBroken(f"export en arrière-plan refusé ({status})")
        deadline = time.monotonic() + (120 if self.config.smoke else 900)
        while time.monotonic() < deadline:
            status, _h, body = self.request(
                self.platform.http_port, "GET", f"{job.rstrip('/')}/etat/", {"Cookie": cookie}
            )
            state = json.loads(body) if status == 200 else {}
            if state.get("error"):
                raise BenchBroken(f"export en échec : {state['error']}")
            if state.get("download"):
                download = urlsplit(state["download"]).path
                status, size, lines, _type = self._download(download, cookie)
                return status, size, lines, "tâche Celery"
            time.sleep(0.5)
        raise TimeoutError("export toujours en cours")

    # --- the whole run ---

    def run(self) -> int:
        config = self.config
        config.workdir.mkdir(parents=True, exist_ok=True)
        (config.workdir / "media").mkdir(exist_ok=True)
        self.log(f"{'essai rapide' if config.smoke else 'banc complet'} — échelle {config.scale}")
        check_services(config)
        self.wrk = load.find_wrk(config.install_wrk, self.log) if config.use_wrk else None
        self.tool = (
            load.wrk_version(self.wrk) if self.wrk else "générateur Python (wrk indisponible)"
        )
        self.prepare_data()
        flush_redis(config)
        self.prepare_plan()
        self.count_queries()
        flush_redis(config)
        load_average = os.getloadavg()[0]
        uncached = any(
            not s.page_cache and config.wants(s.key) for s in SCENARIOS if s.kind != CEILING
        )
        self.platform = Platform(
            self.env,
            config.workdir,
            http_servers=2 if uncached else 1,
            process_env={UNCACHED_SERVER: UNCACHED_SETTINGS} if uncached else {},
        )
        second = (
            f", un second sans cache de page :{self.platform.http_ports[1]}" if uncached else ""
        )
        self.log(
            f"démarrage : gunicorn ({HTTP_WORKERS}×{HTTP_THREADS} fils) :{self.platform.http_port}"
            f"{second}, daphne :{self.platform.ws_ports[0]} et :{self.platform.ws_ports[1]}, "
            "celery worker + beat"
        )
        rows: list[Row] = []
        try:
            self.platform.start()
            self.fetch_tokens(self.platform.http_port)
            ceiling = next(s for s in SCENARIOS if s.kind == CEILING)
            for scenario in [*SCENARIOS, ceiling]:
                if scenario.kind == EXPORT or not config.wants(scenario.key):
                    continue
                self.log(f"mesure : {scenario.label}")
                row = self.measure_http(scenario)
                if scenario.kind == CEILING and "ceiling" in self.rows:
                    row.key, row.label = "ceiling_end", f"{row.label}, en fin de série"
                self.rows[row.key] = row
                rows.append(row)
            if config.wants("realtime"):
                self.log("mesure : temps réel")
                rows.append(self.measure_realtime())
            for scenario in SCENARIOS:
                if scenario.kind == EXPORT and config.wants(scenario.key):
                    self.log(f"mesure : {scenario.label}")
                    rows.append(self.measure_export(scenario))
        finally:
            self.platform.stop()
            if not config.keep_db:
                with contextlib.suppress(Exception):
                    recreate_database(config, create=False)
        return self.report(rows, load_average)

    def load_description(self) -> str:
        if not self.config.pace_ms:
            return f"{self.config.connections} connexions"
        return (
            f"{self.config.connections} connexions, une requête toutes les "
            f"{self.config.pace_ms} ms chacune (charge légère : l'essai vérifie que le banc "
            "fonctionne, débits et plafond n'y jugent rien)"
        )

    def report(self, rows: list[Row], load_average: float) -> int:
        ceilings = [
            r.data["rps"] for r in rows if r.kind == CEILING and r.status == "ok" and r.data
        ]
        ceiling_rps = sum(ceilings) / len(ceilings) if ceilings else 0.0
        spread = ceiling_spread(ceilings)
        noisy = spread is not None and spread > budgets.NOISY_CEILING_SPREAD
        ceiling_cpu = in_ceiling_units(rows)
        for row in rows:
            self.judge(row, ceiling_rps, noisy)
        if len(ceilings) == 2:
            moved = (
                f"début {ceilings[0]:.0f} req/s, fin {ceilings[1]:.0f} req/s, "
                f"écart {spread * 100:.1f} %"
                + (
                    f" > {budgets.NOISY_CEILING_SPREAD * 100:.0f} % : série BRUITÉE"
                    if noisy
                    else f" ≤ {budgets.NOISY_CEILING_SPREAD * 100:.0f} %"
                )
            )
        else:
            moved = "mesuré une seule fois : écart inconnu"
        header = [
            "",
            f"Banc d'essai — {'essai rapide' if self.config.smoke else 'agglomération'}, "
            f"échelle {self.config.scale}, graine {self.config.seed}",
            f"Outil : {self.tool}, {self.load_description()}, {self.config.seconds} s par mesure ; "
            f"HTTP : gunicorn gthread {HTTP_WORKERS}×{HTTP_THREADS}, WebSocket : 2 × daphne, Celery",
            f"Plafond retenu : {ceiling_rps:.0f} req/s, moyenne du début et de la fin ({moved}) ; "
            f"charge de la machine au départ : {load_average:.1f}, à la fin : "
            f"{os.getloadavg()[0]:.1f}",
            "Budgets : CPU/req du serveur HTTP (pages publiques 10 ms, pages connectées 5 ms, "
            "envois 12 ms), p99, × plafond (pas pour les envois) ; « sans cache » : second "
            "gunicorn avec ANONYMOUS_PAGE_CACHE_SECONDS=0",
            "Vitesse de la machine : le plafond coûte "
            + (f"{ceiling_cpu:.2f} ms" if ceiling_cpu else "— ms")
            + " de CPU par requête ; « ÷ plafond » : le CPU/req d'une ligne en requêtes du "
            "plafond, pour comparer des séries faites sur des machines de vitesses différentes "
            "(les budgets restent jugés en ms)",
        ]
        print_table(rows, header, self.write)
        results = {
            "config": {k: str(v) for k, v in asdict(self.config).items()},
            "tool": self.tool,
            "ceiling_rps": ceiling_rps,
            "ceilings_rps": ceilings,
            "ceiling_spread": spread,
            "ceiling_cpu_ms": ceiling_cpu,
            "noisy": noisy,
            "load_average": load_average,
            "rows": [asdict(r) for r in rows],
        }
        (self.config.workdir / "results.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        broken = [r.label for r in rows if r.status == "broken"]
        missed = [r.label for r in rows if r.status == "missed"]
        missing = [r.label for r in rows if r.status == "missing"]
        doubtful = [r.label for r in rows if r.status == "noisy"]
        for row in rows:
            if row.key == "realtime" and row.data.get("feed"):
                self.write(
                    f"Temps réel mesuré sur : {row.data['feed']} ({row.data.get('path', '')})"
                )
        if missing:
            self.write(f"Pas encore disponibles : {', '.join(missing)}")
        if broken:
            self.write(f"RÉSULTAT : mesure impossible pour {', '.join(broken)}")
            return 2
        if missed:
            self.write(f"RÉSULTAT : budget manqué pour {', '.join(missed)}")
        if doubtful:
            self.write(
                f"RÉSULTAT : plafond bruité (écart {spread * 100:.1f} %), à refaire au calme ; "
                f"non jugés : {', '.join(doubtful)}"
            )
        if missed or doubtful:
            return 1
        if noisy:
            self.write(
                f"Plafond bruité (écart {spread * 100:.1f} %), mais chaque budget tient quand même"
            )
        self.write("RÉSULTAT : tous les budgets mesurés sont tenus")
        return 0


def in_ceiling_units(rows: list[Row]) -> float | None:
    """The ceiling's CPU per request (the mean of its measurements), and each measured row's
    CPU per request in those units (``cpu_units``, and ``data["cpu_in_ceilings"]``).

    A millisecond of CPU is not the same on every machine (this bench has run on machines
    twice as fast as others); the hello-world view through the same stack is, so a row's CPU
    in ceiling requests compares runs made on different machines. Nothing is judged on it."""
    ceilings = [
        r.data["cpu_ms"] for r in rows if r.kind == CEILING and r.data.get("cpu_ms") is not None
    ]
    ceiling_cpu = sum(ceilings) / len(ceilings) if ceilings else None
    if not ceiling_cpu:
        return None
    for row in rows:
        if row.kind != CEILING and row.data.get("cpu_ms") is not None:
            row.data["cpu_in_ceilings"] = row.data["cpu_ms"] / ceiling_cpu
            row.cpu_units = f"{row.data['cpu_in_ceilings']:.1f}"
    return ceiling_cpu


def ceiling_spread(ceilings: list[float]) -> float | None:
    """How far the ceiling moved from the start of a run to its end, relative to the start."""
    if len(ceilings) != 2 or not ceilings[0]:
        return None
    return abs(ceilings[1] - ceilings[0]) / ceilings[0]


def _status_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/PID/status (VmRSS: resident now, VmHWM: resident peak)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Banc d'essai de performance (issue 9).")
    parser.add_argument(
        "--smoke", action="store_true", help="essai rapide : échelle 0.01, 1 s par mesure"
    )
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE") or None,
        help="base PostgreSQL du banc, recréée (son nom contient « bench ») ; "
        "participation_bench[_smoke] par défaut, ou BENCH_DATABASE",
    )
    parser.add_argument(
        "--redis-db",
        type=int,
        default=int(os.environ["BENCH_REDIS_DB"]) if os.environ.get("BENCH_REDIS_DB") else None,
        help="base Redis du banc, vidée ; 3 (4 pour l'essai rapide) par défaut, ou BENCH_REDIS_DB",
    )
    parser.add_argument("--seconds", type=int, default=None, help="durée de chaque mesure")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="garder la base déjà générée (même graine, même échelle)",
    )
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--keep-db", dest="keep_db", action="store_true", default=None)
    keep.add_argument("--drop-db", dest="keep_db", action="store_false")
    parser.add_argument("--no-install", action="store_true", help="ne pas installer wrk")
    parser.add_argument(
        "--python-load", action="store_true", help="générateur Python au lieu de wrk"
    )
    parser.add_argument(
        "--only",
        help="ne mesurer que ces lignes (clés de bench/scenarios.py, « realtime », séparées "
        "par des virgules) ; le plafond est toujours mesuré",
    )
    args = parser.parse_args(argv)
    known = {scenario.key for scenario in SCENARIOS} | {"realtime"}
    unknown = sorted(set(filter(None, (args.only or "").split(","))) - known)
    if unknown:
        parser.error(
            f"--only : ligne inconnue {', '.join(unknown)} ; au choix : {', '.join(sorted(known))}"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    config = Config.from_args(parse_args(argv))

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        return Bench(config).run()
    except BenchBroken as error:
        print(f"[banc] impossible de mesurer : {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
