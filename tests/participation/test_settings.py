"""The two modes of the settings, checked in fresh interpreters (settings load once per process)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.legal_env import LEGAL_ENV

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
    "SITE_URL",
    "HEALTH_TOKEN",
    "STAFF_IDLE_TIMEOUT_MINUTES",
    "SMS_BACKEND",
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
    "SITE_URL": "https://participation.auchel.fr",
    **LEGAL_ENV,
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


def test_production_without_a_site_url_refuses_to_start():
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    del env["SITE_URL"]

    result = run(env, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: Production mode (DATABASE_URL or REDIS_URL set) requires "
        "SITE_URL to be set."
    ) in result.stderr


@pytest.mark.parametrize(
    "site_url",
    ["participation.auchel.fr", "ftp://participation.auchel.fr", "https://", "https://h:port"],
)
def test_a_site_url_that_is_not_a_web_address_refuses_to_start(site_url):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": site_url}

    result = run(env, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert "SITE_URL must be the site's public address" in result.stderr


def connect_src(env: dict[str, str]) -> list[str]:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))"
    )
    result = run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("site_url", "origin"),
    [
        ("https://participation.auchel.fr", "wss://participation.auchel.fr"),
        ("https://participation.auchel.fr:8443/", "wss://participation.auchel.fr:8443"),
        ("http://127.0.0.1:8123", "ws://127.0.0.1:8123"),
    ],
)
def test_the_pages_may_open_websockets_only_to_the_site_itself(site_url, origin):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": site_url}

    assert connect_src(env) == ["'self'", origin]


def test_the_embedded_pages_may_open_websockets_only_to_where_make_run_serves_them(tmp_path):
    # `make run` serves http://127.0.0.1:8000; live-socket.js opens ws:// on the page's host.
    env = {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    script = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/bench/ceiling/')['Content-Security-Policy'])"
    )

    result = run(env, "-c", script)

    assert result.returncode == 0, result.stderr
    header = result.stdout.strip().splitlines()[-1]
    assert "connect-src 'self' ws://127.0.0.1:8000;" in f"{header};"
    assert connect_src(env) == ["'self'", "ws://127.0.0.1:8000"]


@pytest.mark.parametrize(
    ("variable", "value"), [("HEALTH_TOKEN", "court"), ("STAFF_IDLE_TIMEOUT_MINUTES", "0")]
)
def test_a_weak_security_setting_refuses_to_start(variable, value):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), variable: value}

    result = run(env, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable} must be at least" in result.stderr


def test_production_settings_pass_the_deploy_checks_without_a_warning(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "STATIC_ROOT": str(tmp_path)}

    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("site_url", "warning"),
    [
        ("http://participation.auchel.fr", "participation.W001"),
        ("https://participation.lens.fr", "participation.W002"),
    ],
)
def test_the_deploy_checks_warn_when_site_url_is_not_the_address_served(
    tmp_path, site_url, warning
):
    env = {
        **PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": str(tmp_path),
        "SITE_URL": site_url,
    }

    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


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


def test_production_binds_parameters_on_the_server_and_keeps_the_options_of_database_url():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    url = PRODUCTION["DATABASE_URL"]
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}

    plain = run(env, "-c", script)
    with_options = run(
        {**env, "DATABASE_URL": f"{url}?sslmode=require&prepare_threshold=0"}, "-c", script
    )

    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout.strip().splitlines()[-1]) == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert with_options.returncode == 0, with_options.stderr
    assert json.loads(with_options.stdout.strip().splitlines()[-1]) == {
        "sslmode": "require",
        "prepare_threshold": 0,
        "server_side_binding": True,
    }


def _variables_read_by_settings() -> set[str]:
    """Every environment variable participation/settings.py reads, found in its syntax tree."""
    import ast

    readers = {"envbool", "envint", "envlist", "required", "get", "getenv", "legal_detail"}
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


def test_the_brevo_sms_backend_without_its_key_refuses_to_start():
    env = {
        **PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SMS_BACKEND": "participation.notifications.sms_backends.BrevoBackend",
    }

    result = run(env, "-c", "import django; django.setup()")

    assert result.returncode != 0
    assert "SMS_BREVO_API_KEY" in result.stderr


def test_sms_are_off_in_production_until_a_backend_is_set():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SMS_ENABLED, s.SMS_BACKEND or '-')"
    )
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}

    off = run(env, "-c", script)
    on = run(
        {**env, "SMS_BACKEND": "participation.notifications.sms_backends.FileBackend"}, "-c", script
    )

    assert off.stdout.split() == ["False", "-"], off.stderr
    assert on.stdout.split() == ["True", "participation.notifications.sms_backends.FileBackend"]


# Every process loads the apps and, serving, the URLs: what it imports there, each start
# pays (gunicorn's and Celery's workers, every manage.py command, the tests' servers).
STARTUP = (
    "import json, sys, django; django.setup();"
    "from django.urls import get_resolver; get_resolver().url_patterns;"
    "import participation.asgi, participation.celery;"
    "print(json.dumps(sorted({'cv2', 'numpy', 'twisted', 'daphne'} & set(sys.modules))))"
)


def test_a_process_starts_without_opencv_numpy_or_twisted():
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}

    result = run(env, "-c", STARTUP)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_runserver_alone_gets_daphnes_server_for_websockets():
    check = "from django.conf import settings; print('daphne' in settings.INSTALLED_APPS)"
    for argv, expected in ((["runserver"], "True"), (["migrate"], "False")):
        code = f"import sys; sys.argv = ['manage.py', *{argv!r}]; {check}"
        result = run({}, "-c", code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, argv
