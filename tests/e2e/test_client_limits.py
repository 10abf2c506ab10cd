"""Per-client limits through Debian's nginx, as a commune's host runs it (issue 15, point 3).

Each client connects from its own loopback address (127.0.0.2, 127.0.0.3…: all of 127/8 is
this machine), so nginx sees them as different clients, exactly as it sees two residents'
phones; gunicorn sees only nginx. The browser journeys come from 127.0.0.1 and never share a
bucket with these tests. The limits are the configured ones (``ACCOUNT_RATE_LIMITS``).
"""

from __future__ import annotations

import re

import pytest
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

TOO_MANY_LOGINS = "Trop d&#x27;essais de connexion"
FRENCH_429_PAGE = "essais en peu de temps"
PASSWORD = "mot-de-passe-limites-2030"


class FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(live_platform, address: str) -> requests.Session:
    """A client whose connections to nginx come from ``address``."""
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    session.base = live_platform.url
    return session


def csrf_token(session: requests.Session, path: str) -> str:
    page = session.get(session.base + path, timeout=30)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def sign_in(session, email: str, password: str, **headers) -> requests.Response:
    token = csrf_token(session, "/comptes/login/")
    return session.post(
        session.base + "/comptes/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )


def failed_sign_ins(session, count: int, prefix: str, **headers) -> list[requests.Response]:
    return [
        sign_in(session, f"{prefix}{n}@example.org", "pas-le-bon", **headers) for n in range(count)
    ]


def per_ip(action: str) -> int:
    for single in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        count, _period, *kind = single.split("/")
        if (kind or ["ip"])[0] == "ip":
            return int(count)
    raise AssertionError(f"no per-address limit for {action}")


@pytest.fixture(scope="module")
def resident(live_platform):
    email = "limites.habitante@example.org"
    live_platform.create_user(email, PASSWORD, display_name="Habitante des limites")
    return email


def test_failed_sign_ins_from_one_client_leave_another_clients_password_accepted(
    live_platform, resident
):
    limit = per_ip("login_failed")
    attacker = client_at(live_platform, "127.0.0.2")
    pages = failed_sign_ins(attacker, limit + 1, "inconnu-a")
    assert TOO_MANY_LOGINS not in pages[limit - 1].text
    assert TOO_MANY_LOGINS in pages[limit].text, "the limit must hold for the one who failed"

    neighbour = client_at(live_platform, "127.0.0.3")
    response = sign_in(neighbour, resident, PASSWORD)

    assert response.status_code == 302, TOO_MANY_LOGINS in response.text
    assert neighbour.get(live_platform.url + "/compte/profil/", timeout=30).status_code == 200


def test_a_forged_forwarded_for_picks_neither_another_bucket_nor_a_fresh_one(
    live_platform, resident
):
    limit = per_ip("login_failed")
    neighbour_address = "127.0.0.5"
    # A client claiming to be its neighbour fails as many sign-ins as the limit allows…
    forger = client_at(live_platform, "127.0.0.4")
    forged = {"X-Forwarded-For": neighbour_address}
    pages = failed_sign_ins(forger, limit + 1, "inconnu-b", **forged)

    # …and its own bucket is the one that fills; claiming yet another address does not
    # give it a fresh one;
    assert TOO_MANY_LOGINS in pages[limit].text
    escape = sign_in(
        forger,
        "inconnu-b-evasion@example.org",
        "pas-le-bon",
        **{"X-Forwarded-For": "198.51.100.77"},
    )
    assert TOO_MANY_LOGINS in escape.text
    # …while the neighbour it named signs in as if nothing happened.
    neighbour = client_at(live_platform, neighbour_address)
    assert sign_in(neighbour, resident, PASSWORD).status_code == 302


def sign_up_attempt(session, n: int, **headers) -> requests.Response:
    """A sign-up the form refuses (passwords differ): counted by the limit, no account made."""
    token = csrf_token(session, "/comptes/signup/")
    return session.post(
        session.base + "/comptes/signup/",
        data={
            "email": f"inscription-limite-{n}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD + "-autre",
            "csrfmiddlewaretoken": token,
        },
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )


def test_two_clients_get_separate_sign_up_buckets(live_platform):
    limit = per_ip("signup")
    busy_stand = client_at(live_platform, "127.0.0.6")
    answers = [sign_up_attempt(busy_stand, n) for n in range(limit + 1)]
    assert [a.status_code for a in answers[:limit]] == [200] * limit
    assert answers[limit].status_code == 429
    assert FRENCH_429_PAGE in answers[limit].text

    # The same stand naming another client is still refused…
    forged = sign_up_attempt(busy_stand, 99, **{"X-Forwarded-For": "127.0.0.7"})
    assert forged.status_code == 429
    # …and the other client, at home, signs up: its bucket is its own.
    at_home = client_at(live_platform, "127.0.0.7")
    answer = sign_up_attempt(at_home, 100)
    assert answer.status_code == 200
    assert FRENCH_429_PAGE not in answer.text
    assert 'name="password2"' in answer.text  # the form again, with its own error
