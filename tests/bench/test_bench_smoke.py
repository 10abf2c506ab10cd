"""The bench itself, at a reduced scale: it sets up, measures every row and prints its table.

It needs PostgreSQL and Redis on 127.0.0.1 (as CI has); without them it is skipped, except
where every test must run (``REQUIRE_ALL_TESTS``, set by .ci/run), where a missing service fails it. Budgets are not
judged here (a shared CI machine is no place for that), only that the bench works: exit
status 0 (budgets held) or 1 (a budget missed), never 2 (could not measure).
"""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench import runner
from bench.scenarios import SCENARIOS
from tests.requirements import missing

BASE_DIR = Path(__file__).resolve().parents[2]


def services_or_skip() -> None:
    config = runner.Config.from_args(runner.parse_args(["--smoke"]))
    try:
        runner.check_services(config)
    except runner.BenchBroken as lacking:
        missing(f"the smoke bench needs PostgreSQL and Redis: {lacking}")


def run_bench(env: dict[str, str], timeout: float = 420) -> subprocess.CompletedProcess:
    """Run the smoke bench; past the timeout, SIGTERM lets it stop the platform it started."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.runner", "--smoke"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        pytest.fail(
            f"The smoke bench took more than {timeout} s:\n{stdout[-4000:]}{stderr[-2000:]}"
        )
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
def test_the_smoke_bench_measures_every_scenario_and_prints_one_table():
    services_or_skip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}

    result = run_bench(env)

    output = result.stdout + result.stderr
    assert result.returncode in {0, 1}, output[-6000:]
    assert re.search(r"^ Scénario +\| Req/s +\| p50 .*\| × plafond \|", result.stdout, re.M)
    assert "RÉSULTAT :" in result.stdout
    for scenario in SCENARIOS:
        assert scenario.label in result.stdout, scenario.label
    assert "Temps réel" in result.stdout
    results = json.loads((BASE_DIR / "var" / "bench_smoke" / "results.json").read_text())
    assert results["ceiling_rps"] > 0
    measured = {row["key"]: row for row in results["rows"]}
    assert measured["ceiling"]["data"]["requests"] > 0
    # Every row was measured: none « pas encore disponible » or broken, the real-time feed
    # and the export included (a label printed is not a measurement).
    unmeasured = {
        key: row["verdict"]
        for key, row in measured.items()
        if row["status"] not in {"ok", "missed", "noisy"}
    }
    assert not unmeasured, unmeasured
    assert {"realtime", "export", *(s.key for s in SCENARIOS)} <= set(measured), set(measured)
    assert measured["realtime"]["data"]["latencies_ms"], measured["realtime"]
    # Each of these answered its first request as it should (a page, a redirect after a post)
    # and was measured; how fast depends on what else the machine runs.
    for key in (
        "home",
        "home_nocache",
        "home_resident",
        "quartier",
        "quartier_nocache",
        "events",
        "event",
        "post_expression",
        "register",
    ):
        assert measured[key]["status"] in {"ok", "missed", "noisy"}, measured[key]["verdict"]
        assert "requests" in measured[key]["data"], key
        # A light paced load (4 connections, a request every 100 ms each): the smoke run
        # never saturates the machine it shares with the rest of the suite.
        assert measured[key]["data"]["requests"] <= 4 * 11, (key, measured[key]["data"])
    assert "4 connexions, une requête toutes les 100 ms chacune" in result.stdout
    # The rows without the page cache ran on the second server, whose cache is off.
    assert measured["home_nocache"]["data"]["server"] != measured["home"]["data"]["server"]
    # Judged on CPU per request, beside the ratio; the ceiling's spread is printed.
    assert re.search(r"\d ms ≤ 10 ", result.stdout)
    assert re.search(r"Plafond retenu : .*écart \d+\.\d %", result.stdout)
    assert len(results["ceilings_rps"]) == 2 and results["ceiling_spread"] is not None
