"""HTTP load at a fixed number of connections: wrk (Debian's package), or a Python fallback.

Both read the same ``RequestSpec`` and report the same ``Measure``. wrk is preferred: it
is a standard tool and costs the shared CPU far less than Python would. The fallback is
bounded in time like wrk, and the table says which of the two ran.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "bench.lua"
HOST = "127.0.0.1"  # the bench never targets another address


@dataclass
class RequestSpec:
    method: str
    path: str
    body: str | None = None
    expect: int = 200
    sessions: list[tuple[str, str]] = field(default_factory=list)  # (Cookie header, form token)
    events: list[str] = field(default_factory=list)
    offset: int = 0  # the number of the first request (pairs and counters never repeat)
    pace_ms: int = 0  # each connection waits this long before each request (0: never)

    def write(self, target: Path, threads: int) -> Path:
        lines = [
            f"method\t{self.method}",
            f"path\t{self.path}",
            f"expect\t{self.expect}",
            f"threads\t{threads}",
            f"offset\t{self.offset}",
        ]
        if self.pace_ms:
            lines.append(f"pace\t{self.pace_ms}")
        if self.body is not None:
            lines.append(f"body\t{self.body}")
        lines += [f"session\t{cookie}\t{token}" for cookie, token in self.sessions]
        lines += [f"event\t{event}" for event in self.events]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target

    def build(self, index: int) -> tuple[str, dict[str, str], bytes | None]:
        """The ``index``-th request, exactly as bench.lua builds it: (path, headers, body)."""
        headers: dict[str, str] = {}
        token, path, body, turn = "", self.path, self.body, index
        if self.events and "{event}" in path:
            path = path.replace("{event}", self.events[index % len(self.events)])
            turn = index // len(self.events)
        if self.sessions:
            cookie, token = self.sessions[turn % len(self.sessions)]
            if cookie:
                headers["Cookie"] = cookie
        if body is not None:
            body = (
                body.replace("{csrf}", token)
                .replace("{uuid}", str(uuid.uuid4()))
                .replace("{n}", str(index))
            )
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return path, headers, body.encode() if body is not None else None


@dataclass
class Measure:
    requests: int
    seconds: float
    expected: int
    unexpected: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    statuses: dict[str, int]
    cpu_ms: float = 0.0  # server CPU per request, filled in by the caller

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_rate(self) -> float:
        attempts = self.requests + self.socket_errors
        return (self.unexpected + self.socket_errors) / attempts if attempts else 1.0


# --- wrk ------------------------------------------------------------------------------


def find_wrk(install: bool, log=print) -> str | None:
    """wrk's path; installs Debian's package when missing, allowed, and possible (root)."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log("wrk absent et installation impossible (ni root ni apt-get)")
        return None
    log("wrk absent : installation du paquet Debian « wrk »…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "install", "-y", "-qq", "wrk"],
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "wrk"],
    ):
        try:
            subprocess.run(command, env=env, capture_output=True, timeout=240, check=False)
        except subprocess.TimeoutExpired:
            log("apt-get trop long : abandon")
            return None
        if command[1] == "install" and shutil.which("wrk"):
            return shutil.which("wrk")
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first = (result.stdout or result.stderr).strip().splitlines()[:1]
    return first[0].split(" [")[0] if first else "wrk"


def run_wrk(
    wrk: str,
    port: int,
    spec: RequestSpec,
    *,
    seconds: int,
    connections: int,
    threads: int,
    workdir: Path,
) -> Measure:
    request_file = spec.write(workdir / f"request-{uuid.uuid4().hex[:8]}.tsv", threads)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        f"http://{HOST}:{port}",
        "--",
        str(request_file),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    request_file.unlink(missing_ok=True)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk n'a rien mesuré ({result.returncode}) :\n{result.stderr[-2000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Measure(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        expected=data["expected"],
        unexpected=data["unexpected"],
        socket_errors=data["socket_errors"] + data["timeouts"],
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=data["statuses"],
    )


# --- the Python fallback ----------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    version, status = status_line.split(b" ", 2)[:2]
    headers: dict[bytes, bytes] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.read()
        return int(status), False
    keep_alive = version == b"HTTP/1.1" and headers.get(b"connection", b"").lower() != b"close"
    return int(status), keep_alive


async def _load(port: int, spec: RequestSpec, seconds: float, connections: int) -> Measure:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker(first: int) -> None:
        nonlocal errors
        index, reader, writer = first, None, None
        while time.monotonic() < deadline:
            if spec.pace_ms:
                await asyncio.sleep(spec.pace_ms / 1000)
            path, headers, body = spec.build(spec.offset + index)
            index += connections
            head = [f"{spec.method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
            head += [f"{name}: {value}" for name, value in headers.items()]
            if body is not None:
                head.append(f"Content-Length: {len(body)}")
            payload = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(HOST, port), timeout=10
                    )
                writer.write(payload)
                await writer.drain()
                status, keep_alive = await asyncio.wait_for(_read_response(reader), timeout=10)
            except (TimeoutError, OSError, ConnectionError, ValueError):
                errors += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            latencies.append(time.perf_counter() - started)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if not keep_alive:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.monotonic() - started
    expected = statuses.get(str(spec.expect), 0)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Measure(
        requests=len(latencies),
        seconds=elapsed,
        expected=expected,
        unexpected=len(latencies) - expected,
        socket_errors=errors,
        p50_ms=quantiles[49] * 1000,
        p90_ms=quantiles[89] * 1000,
        p99_ms=quantiles[98] * 1000,
        statuses=statuses,
    )


def run_python(port: int, spec: RequestSpec, *, seconds: int, connections: int) -> Measure:
    return asyncio.run(_load(port, spec, seconds, connections))
