"""Residents over plain HTTP: a signed-in session, pages, forms with their CSRF token.

Accounts and their sessions are made in the live database in one ``manage.py shell``
(hashing fifty passwords would cost the 2-core CI machine more than the test itself).
Redirects are not followed: a ``302`` to the expression is what acknowledges a submission.
"""

from __future__ import annotations

import html
import http.client
import re
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HIDDEN_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def hidden_fields(self) -> dict[str, str]:
        """``name: value`` of the hidden inputs of the page (CSRF token, idempotency key)."""
        fields = {}
        for tag in HIDDEN_INPUT.findall(self.body):
            attributes = {k.lower(): html.unescape(v) for k, v in ATTRIBUTE.findall(tag)}
            if attributes.get("type") == "hidden" and "name" in attributes:
                fields.setdefault(attributes["name"], attributes.get("value", ""))
        return fields


@dataclass
class Resident:
    """One person's browser, reduced to cookies: each request opens a new connection."""

    base_url: str
    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        headers = {"Accept-Language": "fr", "User-Agent": "faults-tests"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            content = raw.read().decode("utf-8", "replace")
            received = {k.lower(): v for k, v in raw.getheaders()}
            for header, value in raw.getheaders():
                if header.lower() == "set-cookie":
                    cookie = SimpleCookie()
                    cookie.load(value)
                    for name, morsel in cookie.items():
                        self.cookies[name] = morsel.value
            return Response(raw.status, content, received)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def expression_form(self) -> dict[str, str]:
        """GET the form; return its hidden fields (CSRF token and a fresh idempotency key)."""
        page = self.get("/expressions/nouvelle/")
        if page.status != 200:
            raise AssertionError(f"expression form answered {page.status}")
        return page.hidden_fields()

    @staticmethod
    def expression_data(hidden: dict[str, str], *, quartier: int, text: str) -> dict:
        return {
            "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
            "idempotency_key": hidden.get("idempotency_key") or str(uuid.uuid4()),
            "quartier": quartier,
            "text": text,
            "objectifs_unknown": "on",
            "visibility": "anonyme",
        }


# Made in one shell: verified residents, each with a signed-in session (no password).
_CREATE = """
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from participation.accounts.models import User
from participation.territory.models import Quartier

quartiers = list(Quartier.objects.order_by("pk").values_list("pk", flat=True))
password = make_password({password!r}) if {password!r} else make_password(None)
result = {{"quartiers": quartiers, "residents": []}}
for n in range({count}):
    user = User(email=f"{prefix}{{n}}@example.org", display_name=f"Habitant {{n}}",
                quartier_id=quartiers[n % len(quartiers)], password=password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    result["residents"].append({{"email": user.email, "session": session.session_key,
                                 "quartier": user.quartier_id}})
"""


def create_residents(
    platform, count: int, *, prefix: str, password: str = "", extra: str = ""
) -> dict:
    """``{"quartiers": [pk...], "residents": [{"email", "session", "quartier"}]}``.

    ``extra``: more code for the same shell (one Django start), adding keys to ``result``.
    """
    return platform.orm(_CREATE.format(count=count, prefix=prefix, password=password) + extra)


def signed_in(platform, resident: dict) -> Resident:
    return Resident(
        base_url=platform.url, email=resident["email"], cookies={"sessionid": resident["session"]}
    )
