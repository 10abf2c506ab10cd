"""The scenario table resolves against the project's URLs, or says what is missing."""

import pytest

from bench import budgets, django_side, runner
from bench.scenarios import CEILING, POST, PUBLIC_PAGES, SCENARIOS, Scenario

SAMPLE = {
    "quartier_slug": "rimbart",
    "quartier_pk": 4,
    "objectif_pk": 58,
    "event_pk": 7,
    "expression_pk": 9,
    "search": "éclairage",
}


def test_every_scenario_has_a_unique_key_and_label():
    assert len({s.key for s in SCENARIOS}) == len(SCENARIOS)
    assert len({s.label for s in SCENARIOS}) == len(SCENARIOS)


def test_a_page_resolves_with_its_sample_and_query():
    scenario = next(s for s in SCENARIOS if s.key == "expressions")

    route = django_side.resolve(scenario, SAMPLE)

    assert route["path"] == "/expressions/?quartier=rimbart&q=%C3%A9clairage"


def test_a_page_whose_url_does_not_exist_yet_is_reported_missing():
    scenario = Scenario("later", "Plus tard", "anonymous", ("consultations:nulle_part",))

    assert django_side.resolve(scenario, SAMPLE) == {"missing": "consultations:nulle_part"}


def test_a_registration_keeps_its_per_request_event_and_token():
    scenario = next(s for s in SCENARIOS if s.key == "register")

    route = django_side.resolve(scenario, SAMPLE)

    assert scenario.kind == POST
    assert route["path"] == "/evenements/{event}/inscription/"
    assert route["body"] == "csrfmiddlewaretoken={csrf}&adults=1&children=0"


def test_a_posted_expression_gets_the_samples_quartier_and_objective():
    scenario = next(s for s in SCENARIOS if s.key == "post_expression")

    body = django_side.resolve(scenario, SAMPLE)["body"]

    assert "quartier=4&" in body and "objectifs=58&" in body
    assert "idempotency_key={uuid}" in body and "Banc+d%27essai+{n}" in body


def test_the_table_is_one_aligned_block_with_the_verdicts(capsys):
    rows = [
        runner.Row("ceiling", "Plafond", "ceiling", throughput="2000", verdict="référence"),
        runner.Row("home", "Accueil", "anonymous", throughput="900", verdict="OK"),
    ]

    runner.print_table(rows, ["Banc d'essai"])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Banc d'essai"
    assert len({len(line) for line in lines[1:]}) == 1
    assert any("Accueil" in line and "OK" in line for line in lines)


def test_the_bench_refuses_a_database_or_redis_that_is_not_on_the_loopback(monkeypatch):
    config = runner.Config.from_args(runner.parse_args(["--smoke"]))
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@db.example.org:5432/x")
    monkeypatch.setenv("BENCH_REDIS_URL", "redis://cache.example.org:6379/0")

    with pytest.raises(runner.BenchBroken, match="127.0.0.1"):
        runner.database_url(config)
    with pytest.raises(runner.BenchBroken, match="127.0.0.1"):
        runner.redis_url(config)


def test_only_measures_the_rows_asked_for_and_always_the_ceiling():
    config = runner.Config.from_args(runner.parse_args(["--smoke", "--only", "dashboard,realtime"]))
    assert config.wants("dashboard") and config.wants("realtime") and config.wants("ceiling")
    assert not config.wants("home") and not config.wants("export")

    everything = runner.Config.from_args(runner.parse_args(["--smoke"]))
    assert all(everything.wants(s.key) for s in SCENARIOS) and everything.wants("realtime")


def test_only_refuses_a_row_that_does_not_exist_and_lists_the_others(capsys):
    with pytest.raises(SystemExit):
        runner.parse_args(["--only", "dashboard,mine"])
    error = capsys.readouterr().err
    assert "ligne inconnue mine" in error and "my_expressions" in error


def test_the_bench_uses_the_database_and_redis_it_is_given(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE", raising=False)
    monkeypatch.delenv("BENCH_REDIS_DB", raising=False)
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    default = runner.Config.from_args(runner.parse_args(["--smoke"]))
    given = runner.Config.from_args(
        runner.parse_args(["--smoke", "--database", "alice_bench", "--redis-db", "11"])
    )
    monkeypatch.setenv("BENCH_DATABASE", "bob_bench")
    monkeypatch.setenv("BENCH_REDIS_DB", "12")
    from_env = runner.Config.from_args(runner.parse_args(["--smoke"]))

    assert runner.database_url(default).endswith("/participation_bench_smoke")
    assert runner.redis_url(default).endswith("/4")
    assert runner.database_url(given).endswith("/alice_bench")
    assert runner.redis_url(given).endswith("/11")
    assert runner.database_url(from_env).endswith("/bob_bench")
    assert runner.redis_url(from_env).endswith("/12")
    assert default.workdir == given.workdir == from_env.workdir


def test_every_public_page_is_measured_cached_without_the_cache_and_signed_in():
    keys = {s.key: s for s in SCENARIOS}

    for page in PUBLIC_PAGES:
        uncached, resident = keys[f"{page.key}_nocache"], keys[f"{page.key}_resident"]
        assert page.page_cache and page.user is None
        assert not uncached.page_cache and uncached.user is None
        assert uncached.url_names == page.url_names and uncached.query == page.query
        assert resident.user == "reader" and resident.page_cache
        assert resident.url_names == page.url_names and resident.kwargs == page.kwargs


def test_budgets_are_cpu_per_request_and_posts_have_no_ratio():
    keys = {s.key: s for s in SCENARIOS}

    assert budgets.for_scenario(keys["home"]) == budgets.PUBLIC_CACHED
    assert budgets.for_scenario(keys["home_nocache"]).max_cpu_ms == 10
    assert budgets.for_scenario(keys["home_resident"]).max_cpu_ms == 10
    assert budgets.for_scenario(keys["home_nocache"]).max_p99_ms == 250
    assert budgets.for_scenario(keys["my_expressions"]).max_cpu_ms == 5
    assert budgets.for_scenario(keys["dashboard"]).max_cpu_ms == 5
    for post in ("post_expression", "register"):
        assert budgets.for_scenario(keys[post]).max_cpu_ms == 12
        assert budgets.for_scenario(keys[post]).min_ratio is None
    assert budgets.for_scenario(keys["ceiling"]) is None


def measured(key: str, kind: str, *, rps: float, p99: float, cpu: float) -> runner.Row:
    data = {"rps": rps, "p99_ms": p99, "cpu_ms": cpu, "expected": 100, "error_rate": 0.0}
    return runner.Row(key, key, kind, data=data)


def judged(row: runner.Row, ceiling: float = 2000, noisy: bool = False) -> runner.Row:
    bench = runner.Bench.__new__(runner.Bench)
    bench.queries = {}
    bench.judge(row, ceiling, noisy)
    return row


def test_a_post_is_judged_on_its_cpu_not_on_the_ceiling():
    cheap = judged(measured("post_expression", POST, rps=90, p99=200, cpu=11.5))
    costly = judged(measured("register", POST, rps=90, p99=200, cpu=17.3))

    assert cheap.status == "ok", cheap.verdict
    assert costly.status == "missed" and "CPU > 12 ms" in costly.verdict
    assert "×" not in costly.verdict


def test_a_signed_in_page_over_five_ms_of_cpu_misses_its_budget_even_when_fast_enough():
    row = judged(measured("my_expressions", "signed_in", rps=900, p99=80, cpu=6.2))

    assert row.status == "missed" and row.verdict == "HORS BUDGET : CPU > 5 ms"
    assert row.cpu == "6.2 ms ≤ 5"


def test_a_noisy_run_does_not_judge_what_depends_on_the_machines_speed():
    slow = judged(measured("home_nocache", "anonymous", rps=50, p99=900, cpu=8), noisy=True)
    costly = judged(measured("home_resident", "signed_in", rps=50, p99=900, cpu=30), noisy=True)

    assert slow.status == "noisy" and slow.verdict.startswith("BRUITÉ")
    assert costly.status == "missed" and "CPU > 10 ms" in costly.verdict


def test_the_ceiling_spread_is_measured_from_the_start_of_the_run():
    assert runner.ceiling_spread([2000, 1400]) == pytest.approx(0.30)
    assert runner.ceiling_spread([2000, 2300]) == pytest.approx(0.15)
    assert runner.ceiling_spread([2000]) is None


def test_the_uncached_rows_run_on_a_second_server_whose_page_cache_is_off():
    keys = {s.key: s for s in SCENARIOS}
    bench = runner.Bench.__new__(runner.Bench)

    assert bench.server(keys["home"]) == "http"
    assert bench.server(keys["home_resident"]) == "http"
    assert bench.server(keys["home_nocache"]) == runner.UNCACHED_SERVER
    assert runner.UNCACHED_SETTINGS == {"ANONYMOUS_PAGE_CACHE_SECONDS": "0"}


def test_each_rows_cpu_is_also_given_in_ceiling_requests_to_compare_machines():
    rows = [
        measured("ceiling", CEILING, rps=1100, p99=100, cpu=1.5),
        measured("home_nocache", "anonymous", rps=90, p99=900, cpu=17.5),
        measured("ceiling_end", CEILING, rps=1120, p99=70, cpu=1.7),
        runner.Row("realtime", "Temps réel", "realtime"),
    ]

    assert runner.in_ceiling_units(rows) == pytest.approx(1.6)

    assert rows[1].cpu_units == "10.9" and rows[1].data["cpu_in_ceilings"] == pytest.approx(
        17.5 / 1.6
    )
    assert rows[0].cpu_units == rows[3].cpu_units == "—"
    # The verdict is still the budget's, in milliseconds.
    assert judged(rows[1]).verdict.startswith("HORS BUDGET : CPU > 10 ms")
    assert runner.in_ceiling_units([rows[1]]) is None
