"""The scenario table resolves against the project's URLs, or says what is missing."""

import pytest

from bench import django_side, runner
from bench.scenarios import POST, SCENARIOS, Scenario

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
