"""The README's run command on its embedded default (SQLite, in-memory layer, eager Celery):
CI runs every other test on PostgreSQL, so a page that only works there would go unseen.

The demo is loaded as ``make run`` loads it, into a SQLite file of its own, then
``tests/embedded/smoke.py`` opens every public page and each role's first pages.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def embedded_env(tmp_path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
        and not key.startswith(("PYTEST_", "DJANGO_"))
    }
    return env | {
        "SQLITE_PATH": str(tmp_path / "participation.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_FILE_PATH": str(tmp_path / "emails"),
        "SMS_FILE_PATH": str(tmp_path / "sms.jsonl"),
    }


def run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_every_public_page_and_each_roles_pages_work_on_sqlite(tmp_path):
    env = embedded_env(tmp_path)
    for command in (["migrate", "--noinput"], ["load_referentiel"], ["load_demo"]):
        done = run(env, "manage.py", *command)
        assert done.returncode == 0, done.stderr[-3000:]
    done = run(env, "-m", "tests.embedded.smoke")
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.count("\n") >= 30
