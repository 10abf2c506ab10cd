"""Behind the reverse proxy, each client is counted on its own address (participation/core/proxy.py).

Every request reaches gunicorn from nginx (127.0.0.1), which replaces ``X-Forwarded-For``
with the address it saw. Here the test client plays nginx: ``REMOTE_ADDR`` is the proxy's,
the header the client's. The same journeys through Debian's nginx are in
tests/e2e/test_client_limits.py.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from participation.core.proxy import TrustedProxies
from tests.factories import UserFactory
from tests.participation.test_settings import PRODUCTION, run

PASSWORD = "mot-de-passe-solide-2030"
TOO_MANY_LOGINS = "Trop d&#x27;essais de connexion"
NGINX = "127.0.0.1"


@pytest.fixture(autouse=True)
def _one_instant(time_machine):
    time_machine.move_to(dt.datetime.now(dt.UTC), tick=False)


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]


def through_nginx(client_address: str) -> Client:
    return Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=client_address)


def failed_sign_ins(client: Client, count: int) -> list[str]:
    return [
        client.post(
            reverse("account_login"),
            {"login": f"inconnu{n}@example.org", "password": "pas-le-bon"},
        ).content.decode()
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "client"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        # What stands left of the last untrusted address was written by the client.
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # A chain of trusted proxies is walked through.
        ("127.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # Not from a trusted proxy: the header is anyone's, it is ignored.
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # Garbage: the proxy's own address stays (one bucket, never a chosen one).
        ("127.0.0.1", "pas-une-adresse", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.7, n'importe quoi", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_the_clients_address_is_the_last_one_a_trusted_proxy_vouches_for(
    remote_addr, forwarded_for, client
):
    proxies = TrustedProxies(["127.0.0.1", "::1", "10.0.0.0/24"])

    assert proxies.client_address(remote_addr, forwarded_for) == client


@pytest.mark.django_db
def test_ten_failed_sign_ins_behind_the_proxy_leave_another_clients_password_accepted(
    behind_nginx,
):
    UserFactory(email="habitante@example.org", password=PASSWORD)
    attacker = through_nginx("203.0.113.10")
    pages = failed_sign_ins(attacker, 11)
    assert TOO_MANY_LOGINS not in pages[9]
    assert TOO_MANY_LOGINS in pages[10], "the limit itself must hold for the attacker"

    resident = through_nginx("203.0.113.20")
    response = resident.post(
        reverse("account_login"), {"login": "habitante@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302, TOO_MANY_LOGINS in response.content.decode()
    assert resident.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_header_picks_no_bucket(settings):
    """Embedded mode: no proxy stands in front, so a header sent by the client is ignored
    and changing it at each attempt does not escape the limit."""
    settings.TRUSTED_PROXIES = []
    pages = [
        Client(REMOTE_ADDR="198.51.100.3", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .post(
            reverse("account_login"),
            {"login": f"inconnu{n}@example.org", "password": "pas-le-bon"},
        )
        .content.decode()
        for n in range(11)
    ]

    assert TOO_MANY_LOGINS in pages[10]


def trusted_proxies_in(env: dict[str, str]) -> subprocess.CompletedProcess:
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.TRUSTED_PROXIES))"
    )
    return run(env, "-c", script)


def test_production_trusts_the_local_proxy_and_embedded_mode_none(tmp_path):
    production = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    embedded = {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}

    assert json.loads(trusted_proxies_in(production).stdout) == ["127.0.0.1", "::1"]
    assert json.loads(trusted_proxies_in(embedded).stdout) == []
    another = {**production, "TRUSTED_PROXIES": "10.0.0.5, 10.0.1.0/24"}
    assert json.loads(trusted_proxies_in(another).stdout) == ["10.0.0.5", "10.0.1.0/24"]


def test_a_mistyped_trusted_proxy_stops_the_start():
    result = trusted_proxies_in(
        {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "TRUSTED_PROXIES": "nginx.local"}
    )

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
