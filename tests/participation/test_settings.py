"""The two modes of the settings, checked in fresh interpreters (settings load once per process)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Variables that the CI sets for the test run and that would hide what production does.
SCRUBBED = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SQLITE_PATH",
}


def run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update({"DJANGO_SETTINGS_MODULE": "participation.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    # Nothing is contacted: `check` does not open connections.
    "DATABASE_URL": "postgres://participation@127.0.0.1:5432/participation",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "participation.auchel.fr",
    "EMAIL_HOST": "smtp.auchel.fr",
}


def test_production_without_a_secret_key_fails_at_start():
    result = run(PRODUCTION, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", ["ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_never_falls_back_to_an_embedded_default(missing):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    del env[missing]

    result = run(env, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_pass_the_deploy_checks_without_a_warning(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "STATIC_ROOT": str(tmp_path)}

    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_mode_needs_nothing_configured(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
        "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'demo': s.DEMO_ACCOUNTS_ENABLED}))"
    )

    result = run({"SQLITE_PATH": str(tmp_path / "db.sqlite3")}, "-c", script)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "db": "django.db.backends.sqlite3",
        "layer": "channels.layers.InMemoryChannelLayer",
        "eager": True,
        "cache": "participation.core.cache.LocalCache",
        "debug": False,  # the demo shows the French error pages; DEBUG=1 for development
        "demo": True,
    }


def test_the_production_mode_uses_postgresql_redis_and_a_celery_broker():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
        "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, 'demo': s.DEMO_ACCOUNTS_ENABLED}))"
    )

    result = run({**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}, "-c", script)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "db": "django.db.backends.postgresql",
        "layer": "channels_redis.core.RedisChannelLayer",
        "eager": False,
        "broker": "redis://127.0.0.1:6379/0",
        "debug": False,
        "demo": False,
    }


def _variables_read_by_settings() -> set[str]:
    """Every environment variable participation/settings.py reads, found in its syntax tree."""
    import ast

    readers = {"envbool", "envint", "envlist", "required", "get", "getenv"}
    names = set()
    tree = ast.parse((ROOT / "participation" / "settings.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in readers and isinstance(first, ast.Constant) and str(first.value).isupper():
                names.add(first.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and ast.unparse(node.value) == "os.environ"
        ):
            names.add(node.slice.value)
    return names


def test_every_setting_read_from_the_environment_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    read = _variables_read_by_settings()

    assert {"DATABASE_URL", "REDIS_URL", "REGISTRATION_RATE_LIMIT"} <= read
    assert sorted(name for name in read if f"`{name}`" not in table) == []


def test_no_module_reads_a_setting_with_a_default_of_its_own():
    # A default outside settings.py is a setting the environment cannot change.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("participation", "consultations", "evenements")
        for path in (ROOT / folder).rglob("*.py")
        if "getattr(settings," in path.read_text()
    ]
    assert offenders == []
