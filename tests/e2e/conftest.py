"""Fixtures of the browser tests: a live production-like platform and Debian's Chromium.

* ``live_platform`` (session): PostgreSQL database ``participation_e2e_<worker>``, its Redis
  database, gunicorn (HTTP) and Daphne (``/ws/``) behind one origin, a Celery worker, as real
  processes; see ``server.py``. Its mail outbox:
  ``live_platform.read_emails()``, ``live_platform.last_code_for(email)``.
* ``browser`` (session): Chromium driven by Playwright.
* ``page`` (function): a fresh browser context on the live server (``page.goto("/")``),
  recording console errors and CSP violations for ``assert_no_console_errors``.
* ``page_as(email, password, totp_secret=None)``: a page already signed in; each account
  signs in once per session, later pages reuse its cookies.

The tests are skipped, with the reason, only when PostgreSQL, Redis or Chromium is missing
(and fail instead when ``REQUIRE_ALL_TESTS`` is set, as in CI).
They run in two halves, each kept on one worker (``E2E_SECOND_HALF`` in tests/conftest.py)
with its own live platform (``participation_e2e_gw0``…, Redis databases by worker), and the
browser is closed when a worker's journeys are done: while it is open, Playwright's event
loop would make Django refuse the ORM in any test that follows.
"""

from __future__ import annotations

import os

import pytest

from tests.requirements import missing

from . import server
from .helpers import CSP_RECORDER, console_log, login

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_running: dict[str, server.LiveServer] = {}
_log_marks = pytest.StashKey[dict]()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    live = _running.get("server")
    if live is None or item.get_closest_marker("e2e") is None:
        return
    if call.when == "setup":
        item.stash[_log_marks] = live.log_positions()
    elif report.failed:
        report.sections.append(
            ("live server logs", live.logs_since(item.stash.get(_log_marks, None)))
        )


@pytest.fixture(scope="session")
def e2e_requirements():
    try:
        server.check_requirements()
    except server.Unavailable as exc:
        missing(f"browser tests need PostgreSQL, Redis and Chromium: {exc}")


@pytest.fixture(scope="session")
def live_platform(e2e_requirements, tmp_path_factory):
    live = server.start(tmp_path_factory.mktemp("e2e"))
    _running["server"] = live
    yield live
    _running.pop("server", None)
    live.stop()
    if not os.environ.get("E2E_KEEP_DATABASE"):
        server.drop_database()
        server.flush_redis()


# For the journeys only: once they are done, Playwright's event loop stops, so a test that
# runs after them on the same worker may use the ORM again.
@pytest.fixture(scope="package")
def browser(e2e_requirements):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(server.CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _new_page(browser, live_platform, **context_options):
    context = browser.new_context(
        base_url=live_platform.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 800},
        **context_options,
    )
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    console_log(page)
    return context, page


@pytest.fixture
def page(browser, live_platform):
    context, page = _new_page(browser, live_platform)
    yield page
    context.close()


@pytest.fixture(scope="session")
def _signed_in_states():
    return {}


@pytest.fixture
def page_as(browser, live_platform, _signed_in_states):
    """``page_as(email, password, totp_secret=None)``: a new page signed in as that account."""
    contexts = []

    def open_page(email: str, password: str, totp_secret: str | None = None):
        state = _signed_in_states.get(email)
        context, page = _new_page(browser, live_platform, storage_state=state)
        contexts.append(context)
        if state is None:
            login(page, email, password, totp_secret)
            _signed_in_states[email] = context.storage_state()
        return page

    yield open_page
    for context in contexts:
        context.close()
