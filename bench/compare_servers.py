"""Which server should serve HTTP? The measurement behind docs/performance.md.

    python -m bench.compare_servers [--seconds 10] [--scale 0.01]

Starts each candidate alone on the bench's smoke database (production mode), and measures
with wrk at 32 connections the ceiling (hello world), the home page and the event list.
ASGI servers that are not installed (uvicorn) are skipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import sys

from bench import budgets, load
from bench.runner import Bench, BenchBroken, Config, check_services, flush_redis, parse_args
from bench.servers import Platform, daphne_command, gunicorn_command

PAGES = (("ceiling", "/bench/ceiling/"), ("home", "/"), ("events", "/evenements/"))


def sync_gunicorn(port: int, workers: int) -> list[str]:
    command = gunicorn_command(port, workers=workers, threads=1)
    index = command.index("--worker-class")
    command[index + 1] = "sync"
    return command


def candidates(port: int) -> dict[str, list[str]]:
    found = {
        "daphne (ASGI, 1 processus)": daphne_command(port),
        "gunicorn sync, 2 workers": sync_gunicorn(port, 2),
        "gunicorn sync, 4 workers": sync_gunicorn(port, 4),
        "gunicorn gthread 2×4": gunicorn_command(port, 2, 4),
        "gunicorn gthread 2×8": gunicorn_command(port, 2, 8),
        "gunicorn gthread 3×4": gunicorn_command(port, 3, 4),
        "gunicorn gthread 4×2": gunicorn_command(port, 4, 2),
    }
    if importlib.util.find_spec("uvicorn"):
        found["uvicorn (ASGI, 2 workers)"] = [
            sys.executable,
            "-m",
            "uvicorn",
            "participation.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--scale", type=float, default=0.01)
    args = parser.parse_args(argv)
    config = dataclasses.replace(
        Config.from_args(parse_args(["--smoke", "--reuse-data", "--keep-db"])),
        scale=args.scale,
        database="participation_bench_servers",
        workdir=Config.from_args(parse_args(["--smoke"])).workdir.with_name("bench_servers"),
    )
    config.workdir.mkdir(parents=True, exist_ok=True)
    try:
        check_services(config)
        bench = Bench(config)
        bench.prepare_data()
        wrk = load.find_wrk(True, bench.log)
        if wrk is None:
            raise BenchBroken("wrk est nécessaire pour comparer les serveurs")
    except BenchBroken as error:
        print(f"impossible : {error}", file=sys.stderr)
        return 2
    lines = []
    for name, command in candidates(0).items():
        flush_redis(config)
        # One HTTP server alone: no WebSocket, no Celery.
        server = Platform(bench.env, config.workdir, websockets=0, beat=False)
        cells = []
        try:
            server.start_process("http", _with_port(command, server.http_port))
            server.wait_ready(["http"], timeout=60)
            for _key, path in PAGES:
                spec = load.RequestSpec("GET", path)
                load.run_wrk(
                    wrk,
                    server.http_port,
                    spec,
                    seconds=2,
                    connections=budgets.CONNECTIONS,
                    threads=2,
                    workdir=config.workdir,
                )
                cpu = server.cpu_seconds()
                measure = load.run_wrk(
                    wrk,
                    server.http_port,
                    spec,
                    seconds=args.seconds,
                    connections=budgets.CONNECTIONS,
                    threads=2,
                    workdir=config.workdir,
                )
                cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(measure.requests, 1)
                errors = f" ({measure.error_rate:.0%} err.)" if measure.error_rate > 0.001 else ""
                cells.append(
                    f"{measure.rps:5.0f} req/s p99 {measure.p99_ms:5.0f} ms "
                    f"CPU {cpu_ms:4.1f} ms{errors}"
                )
        except (RuntimeError, OSError) as error:
            cells.append(f"n'a pas démarré : {str(error)[-200:]}")
        finally:
            server.stop()
        line = f"{name:30} | " + " | ".join(cells) + f" | charge {os.getloadavg()[0]:.1f}"
        print(line, flush=True)
        lines.append(line)
    header = " | ".join(f"{key} ({path})" for key, path in PAGES)
    (config.workdir / "servers.txt").write_text(f"{header}\n" + "\n".join(lines) + "\n")
    return 0


def _with_port(command: list[str], port: int) -> list[str]:
    """Put the server's real port where the candidate was built with port 0."""
    result = []
    for part in command:
        if part == "0":
            result.append(str(port))
        elif part == "127.0.0.1:0":
            result.append(f"127.0.0.1:{port}")
        else:
            result.append(part)
    return result


if __name__ == "__main__":
    sys.exit(main())
