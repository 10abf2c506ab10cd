"""The files of deploy/ are judged by the tools that will read them on the host.

* the nginx site, by Debian's nginx (``nginx -t``), as shipped; the journeys then run behind
  it (bench/nginx.py, tests/e2e/test_front.py, tests/e2e/test_client_limits.py);
* the systemd units, by ``systemd-analyze verify``; the test harnesses start the processes
  with their ExecStart lines (bench/servers.py);
* the environment template, filled in, by ``manage.py check --deploy``.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import nginx, servers
from tests.requirements import missing

DEPLOY = servers.DEPLOY_DIR
UNITS = sorted((DEPLOY / "systemd").iterdir())
NGINX = Path(nginx.NGINX)


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, quotes)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = " ".join(shlex.split(value)) if value else ""
    return values


def test_the_shipped_nginx_site_is_valid_for_debians_nginx(tmp_path):
    if not NGINX.exists():
        missing(f"{NGINX} is missing (apt-get install nginx)")
    # Debian's nginx.conf, whose http block includes the site as sites-enabled does.
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {nginx.SITE};\n}}\n"
    )

    result = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "err")],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_tests_nginx_differs_from_the_shipped_one_only_by_ports_and_folders(tmp_path):
    site = nginx.site(
        port=8080,
        http_ports=[9001, 9002],
        ws_ports=[9003, 9004],
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )
    shipped = nginx.SITE.read_text()

    assert "listen 127.0.0.1:8080;" in site
    assert "server 127.0.0.1:9001;\n    server 127.0.0.1:9002;\n    keepalive 16;" in site
    assert "server 127.0.0.1:9003;\n    server 127.0.0.1:9004;\n}" in site
    directives = [line for line in site.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if servers.DEPLOYED_ROOT in line]
    changed = set(site.splitlines()) - set(shipped.splitlines())
    assert all(
        "listen" in line or "server 127.0.0.1:" in line or str(tmp_path) in line for line in changed
    ), changed


def test_a_site_that_no_longer_has_what_the_tests_substitute_stops_them(monkeypatch, tmp_path):
    edited = tmp_path / "participation.conf"
    edited.write_text(nginx.SITE.read_text().replace("listen 80;", "listen 8080;"))
    monkeypatch.setattr(nginx, "SITE", edited)

    with pytest.raises(RuntimeError, match="listen 80"):
        nginx.site(port=1, http_ports=[2], ws_ports=[3], static_root=tmp_path, media_root=tmp_path)


def fake_root(tmp_path: Path) -> Path:
    """A file system where the units' programs and files exist, for systemd-analyze."""
    root = tmp_path / "root"
    for program in ("gunicorn", "daphne", "celery"):
        path = root / servers.DEPLOYED_ROOT.lstrip("/") / ".venv/bin" / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    (root / "srv/participation/var").mkdir(parents=True)
    (root / "srv/participation/deploy").mkdir(parents=True)
    shutil.copy(DEPLOY / "backup.sh", root / "srv/participation/deploy/backup.sh")
    (root / "var/backups/participation").mkdir(parents=True)
    (root / "bin").mkdir()
    shutil.copy("/bin/kill", root / "bin/kill")
    (root / "usr/bin").mkdir(parents=True)
    shutil.copy("/usr/bin/find", root / "usr/bin/find")
    (root / "etc/participation").mkdir(parents=True)
    shutil.copy(DEPLOY / "participation.env", root / "etc/participation/participation.env")
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, units / unit.name)
    system = root / "usr/lib/systemd/system"
    system.mkdir(parents=True)
    for target in Path("/lib/systemd/system").glob("*.target"):
        shutil.copy(target, system / target.name)
    return root


def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        missing("systemd-analyze is missing (Debian's systemd package)")
    root = fake_root(tmp_path)
    instances = [
        "participation-http@8000.service",
        "participation-ws@8001.service",
        "participation-worker.service",
        "participation-beat.service",
        "participation.target",
        "participation-backup.service",
        "participation-backup.timer",
    ]
    assert {name.replace("@8000", "@").replace("@8001", "@") for name in instances} == {
        unit.name for unit in UNITS
    }

    result = subprocess.run(
        [analyze, "verify", f"--root={root}", "--man=no", *instances],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_the_harness_runs_the_units_commands():
    unit = servers.unit_settings("participation-http@.service")
    command = servers.gunicorn_command(8123, 3, 2)

    assert command[:3] == [sys.executable, "-m", "gunicorn"]
    expected = unit["ExecStart"].split()[1:]
    expected = [
        word.replace("${BIND_ADDRESS}", "127.0.0.1")
        .replace("%i", "8123")
        .replace("${GUNICORN_WORKERS}", "3")
        .replace("${GUNICORN_THREADS}", "2")
        for word in expected
    ]
    assert command[3:] == expected


def _nginx_seconds(value: str) -> float:
    """An nginx time (``4s``, ``500ms``, ``1m``, or seconds without a unit)."""
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[unit]


def test_nginx_lets_go_of_an_idle_connection_to_gunicorn_before_gunicorn_closes_it():
    """Otherwise nginx may send a request on a connection gunicorn is closing at that instant:
    a GET is tried again, a POST (a form, a sign-in) is answered 502 (nginx ticket 1484)."""
    site = (DEPLOY / "nginx" / "participation.conf").read_text()
    upstream = re.search(r"upstream participation_http \{(.*?)\}", site, re.S).group(1)
    # Without the directive nginx keeps an idle upstream connection 60 s.
    found = re.search(r"^\s*keepalive_timeout\s+(\S+);", upstream, re.M)
    nginx_idle = _nginx_seconds(found.group(1)) if found else 60
    command = servers.unit_settings("participation-http@.service")["ExecStart"].split()
    gunicorn_idle = float(command[command.index("--keep-alive") + 1])

    assert "keepalive " in upstream  # connections to gunicorn are kept at all
    assert nginx_idle < gunicorn_idle, (nginx_idle, gunicorn_idle)


def test_the_environment_template_filled_in_passes_the_deploy_checks(tmp_path):
    template = read_environment_file(DEPLOY / "participation.env")
    placeholders = [key for key, value in template.items() if "A-REMPLIR" in value]
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_HOST"} <= set(placeholders)
    filled = {
        key: value.replace(
            "A-REMPLIR", secrets.token_urlsafe(50) if key == "SECRET_KEY" else "rempli"
        ).replace(servers.DEPLOYED_ROOT, str(tmp_path))
        for key, value in template.items()
    }
    (tmp_path / "var/staticfiles").mkdir(parents=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **filled}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=servers.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_setting_of_the_template_is_one_the_platform_or_its_units_read():
    template = read_environment_file(DEPLOY / "participation.env")
    settings_source = (servers.BASE_DIR / "participation/settings.py").read_text()
    units = "".join(unit.read_text() for unit in UNITS)

    unknown = [
        key for key in template if f'"{key}"' not in settings_source and f"${{{key}}}" not in units
    ]

    assert unknown == []


def test_gunicorn_as_its_unit_runs_it_writes_nothing_in_its_home(tmp_path):
    """The service's home is the platform's folder, read-only to it (``ProtectSystem=strict``,
    only var/ writable): gunicorn 25 and later open a control socket in the home by default,
    and a Debian 12 install following the README logged « Control server error: [Errno 13]
    Permission denied » at every start. Nothing here uses that socket (systemd signals the
    processes), so the unit turns it off, and no gunicorn of the tests shares one either."""
    home = tmp_path / "home"
    home.mkdir()
    env = servers.production_environment(
        database_url="postgres://nobody@127.0.0.1:9/none",  # never reached: no request is sent
        redis_url="redis://127.0.0.1:9/0",
        site_url="http://127.0.0.1",
        workdir=tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env["HOME"] = str(home)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - the unit's own command line
            servers.gunicorn_command(servers.free_port(), 1, 1),
            cwd=servers.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Booting worker" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(1)  # the arbiter's first turn, after its worker's start
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert "Booting worker" in text, text
    assert "[ERROR]" not in text, text
    assert list(home.rglob("*")) == []
    assert not (servers.BASE_DIR / "gunicorn.ctl").exists()
