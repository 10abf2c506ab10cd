"""Security headers on every page, CSRF on every form, HSTS and secure cookies in production."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.legal_env import LEGAL_ENV

from .crawl import crawl, unique_forms

BASE_DIR = settings.BASE_DIR


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_every_page_sends_the_security_headers(site_data):
    client = Client(raise_request_exception=False)
    pages = crawl(client)
    assert len(pages) > 5
    problems = []
    for page in pages:
        response = client.get(page.path)
        headers = response.headers
        csp = csp_directives(headers.get("Content-Security-Policy", ""))
        script_src = csp.get("script-src", csp.get("default-src", []))
        checks = {
            "CSP present": bool(csp),
            "script-src without unsafe-inline/eval": bool(script_src)
            and not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(script_src),
            "style-src without unsafe-inline": "'unsafe-inline'" not in csp.get("style-src", []),
            "frame-ancestors 'none'": csp.get("frame-ancestors") == ["'none'"],
            "object-src 'none'": csp.get("object-src") == ["'none'"],
            "X-Frame-Options DENY": headers.get("X-Frame-Options") == "DENY",
            "nosniff": headers.get("X-Content-Type-Options") == "nosniff",
            "Referrer-Policy": headers.get("Referrer-Policy")
            in {"same-origin", "strict-origin-when-cross-origin", "no-referrer"},
            "COOP same-origin": headers.get("Cross-Origin-Opener-Policy") == "same-origin",
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            problems.append(f"{page.path} ({response.status_code}): {', '.join(failed)}")
    print(f"security headers checked on {len(pages)} pages")
    # The crawl stops at 120 pages; far fewer would mean it lost its way, not that all is well.
    assert len(pages) >= 100, len(pages)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["anonymous", "resident", "mediateur", "referent"])
def test_no_page_answers_a_server_error(who, site_data, request):
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(request.getfixturevalue({"resident": "alice"}.get(who, who)))
    pages = crawl(client)
    # /sante/ answers 503 on purpose when a service is down.
    errors = [
        f"{page.path}: {page.status}"
        for page in pages
        if page.status >= 500 and page.path != "/sante/"
    ]
    print(f"{who}: {len(pages)} pages visited, {len(errors)} server errors")
    assert len(pages) >= 100, len(pages)
    assert not errors, "server errors (see the captured log for tracebacks):\n" + "\n".join(errors)


def test_every_form_refuses_a_post_without_its_csrf_token(site_data, alice):
    for who in ("anonymous", "resident"):
        browser = Client(raise_request_exception=False)
        if who == "resident":
            browser.force_login(alice)
        forms = unique_forms(crawl(browser), "post")
        strict = Client(enforce_csrf_checks=True)
        if who == "resident":
            strict.force_login(alice)
        unprotected = []
        for form in forms:
            data = {
                name: f.value for name, f in form.fields.items() if name != "csrfmiddlewaretoken"
            }
            response = strict.post(form.action, data)
            if response.status_code != 403:
                unprotected.append(f"{form.action}: {response.status_code}")
        print(f"CSRF ({who}): {len(forms)} forms refused without token")
        assert forms, f"no form found for {who}"
        assert not unprotected, f"accepted without a CSRF token ({who}): {unprotected}"


def test_the_login_form_refuses_a_post_without_a_csrf_token(db):
    response = Client(enforce_csrf_checks=True).post(
        "/comptes/login/", {"login": "a@example.org", "password": "x"}
    )
    assert response.status_code == 403


PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/not_connected",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SECRET_KEY": "a-long-secret-key-for-the-check-only-" + "x" * 40,
    "ALLOWED_HOSTS": "participation.auchel.fr",
    "EMAIL_HOST": "smtp.example.org",
    "SITE_URL": "https://participation.auchel.fr",
    **LEGAL_ENV,
}


def production_run(*args: str) -> subprocess.CompletedProcess:
    """manage.py in production mode with only the required variables (nothing is connected)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "SECURE_HSTS_SECONDS",
            "DEBUG",
            "EMAIL_BACKEND",
        }
    }
    env.update(PRODUCTION_ENV)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_force_https_hsts_and_secure_cookies():
    result = production_run(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
        "for k in ['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_PROXY_SSL_HEADER']}))",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_the_deploy_checklist_is_clean_on_production_settings():
    result = production_run("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_over_https_the_answers_carry_hsts_and_only_secure_cookies(client, alice):
    redirect = client.get("/")
    assert redirect.status_code == 301
    assert redirect["Location"].startswith("https://")

    response = client.get("/comptes/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    response = client.post(
        "/comptes/login/",
        {"login": alice.email, "password": "mot-de-passe-solide-2030"},
        secure=True,
    )
    assert response.cookies, "signing in sets cookies"
    for cookie in response.cookies.values():
        assert cookie["secure"], f"cookie {cookie.key} without Secure"
    assert response.cookies["sessionid"]["httponly"]
