import os
import time
import uuid

import pytest
from django.conf import settings

from participation.accounts.models import Role
from participation.celery import app as celery_app
from participation.core import images

from . import redis_databases
from .e2e import server as e2e_server
from .factories import UserFactory
from .faults.fixtures import (  # noqa: F401 - fixtures and hook of tests/faults and tests/load
    faults_requirements,
    mark_folder,
    platform_factory,
    prepared,
    private_postgres,
    pytest_runtest_makereport,
)
from .faults.report import gather, print_section
from .requirements import check_needs

# Folders whose tests share one worker: the bench's tests (one bench database, one work
# folder); the backup and restore tests (tests/deploy/), which share one live platform; the
# fault and load tests, which share one private PostgreSQL and its prepared template (about
# 15 CPU-seconds to make, once instead of once on each worker).
XDIST_GROUPS = {"bench": "banc", "deploy": "sauvegarde", "faults": "pannes", "load": "pannes"}
# The browser journeys run on two workers, each with its own live platform and browser (the
# database and Redis databases of a platform are named by worker, tests/e2e/server.py):
# these files on one, the others on the other, about half of the journeys' time each (as
# measured in a CI run of 5 December 2026). A new file goes to the first half by default.
E2E_SECOND_HALF = {
    "test_site_pages.py",
    "test_terrain_offline.py",
    "test_face_blur.py",
    "test_committee.py",
    "test_moderation_form.py",
    "test_my_space.py",
    "test_public_pages.py",
    "test_falc.py",
    "test_keyboard.py",
}


def pytest_configure(config):
    # Hashing a password the production way costs a third of a second: the suite makes
    # thousands of accounts, some in fixtures shared by a module (the demo's). Set once for
    # every test and fixture; the live servers of the browser, fault and load tests keep
    # the real hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not hasattr(config, "workerinput"):
        # The run's name, inherited by the workers: its live platforms share one prepared
        # database and static folder (tests/e2e/server.py), dropped when the run ends.
        os.environ.setdefault(e2e_server.RUN_VARIABLE, uuid.uuid4().hex[:12])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    redis_url = os.environ.get("REDIS_URL")
    if not (worker and redis_url):
        return
    # Each worker its own Redis database: tests empty the cache, and must not empty another's.
    url = redis_databases.redis_url_for(redis_databases.SUITE, redis_url)
    os.environ["REDIS_URL"] = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = url
    settings.CELERY_BROKER_URL = url


def pytest_runtest_setup(item):
    check_needs(item)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Tests run tasks inline and never write outside a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test client loads the middleware anew, and WhiteNoise would list every collected
    # static file each time (0.15 s: a sixth of the moderation tests' CPU): it looks a file up when
    # asked instead, with the same headers.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.SECURE_SSL_REDIRECT = False
    # Tests change data and read pages back at once: the anonymous page cache has its own tests.
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 0
    # SMS go to a file of this test's own (the fixture ``sms_outbox`` reads it).
    settings.SMS_BACKEND = "participation.notifications.sms_backends.FileBackend"
    settings.SMS_ENABLED = True
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def sms_outbox(settings):
    """The SMS sent so far in this test, as dicts (key, to, body, kind, at); a callable."""
    from participation.notifications.sms_backends import read_sms_file

    return lambda: read_sms_file(settings.SMS_FILE_PATH)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets a channel layer of its own. channels_redis keeps a lock per channel,
    bound to the event loop that first waits on it; each ``async_to_sync`` of a test runs a
    loop of its own, and a socket torn down in an earlier test's (closed) loop can leave that
    lock held: the next test receiving on the same layer then failed with « bound to a
    different event loop » (seen once in CI, tests/consultations/moderation/test_communes.py)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()


class CacheClock:
    """The clock of the page and dashboard caches (participation/core/pagecache.py), by hand."""

    def __init__(self, monkeypatch):
        from participation.core import pagecache

        self.now = 1_800_000_000.0
        monkeypatch.setattr(pagecache.time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def cache_clock(monkeypatch):
    return CacheClock(monkeypatch)


@pytest.fixture
def kept_fragments(monkeypatch) -> set[str]:
    """The keys of the drawings kept in the cache during the test (``render_fragment``)."""
    from participation.core import fragments

    kept: set[str] = set()
    keep = fragments.cache.set

    def spy(key, *args, **kwargs):
        kept.add(key)
        return keep(key, *args, **kwargs)

    monkeypatch.setattr(fragments.cache, "set", spy)
    return kept


@pytest.fixture
def alice(db):
    """A resident, verified email."""
    return UserFactory(email="alice@example.org", display_name="Alice")


@pytest.fixture
def bob(db):
    """Another resident."""
    return UserFactory(email="bob@example.org", display_name="Bob")


@pytest.fixture
def mediateur(db):
    return UserFactory(email="mediatrice@example.org", display_name="Nadia", role=Role.MEDIATEUR)


@pytest.fixture
def comite(db):
    return UserFactory(email="comite@example.org", display_name="Paul", role=Role.COMITE)


@pytest.fixture
def referent(db):
    return UserFactory(email="referente@example.org", display_name="Sophie", role=Role.REFERENT)


@pytest.fixture
def decodes(monkeypatch):
    """The photos decoded (``images._decode``, the costly step): their sizes, one per decoding."""
    calls = []
    decode = images._decode

    def counting(data):
        calls.append(len(data))
        return decode(data)

    monkeypatch.setattr(images, "_decode", counting)
    return calls


@pytest.fixture
def client_for(client):
    """Log a user in on the test client (the session then counts as MFA-authenticated)."""

    def login(user):
        client.force_login(user)
        return client

    return login


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


def pytest_collection_modifyitems(config, items):
    mark_folder(items, "faults", pytest.mark.faults)
    mark_folder(items, "load", pytest.mark.load)
    # The long tests first (stable sort): on the workers they start beside the journeys
    # instead of making the end of the run wait for them.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's load scheduling, with the folders of ``XDIST_GROUPS`` each kept on one
    worker and the journeys on two. (Its own ``--dist loadgroup`` renames test ids, which
    pytest 9 no longer allows.) The groups with the most tests are sent first."""
    from xdist.scheduler import LoadScopeScheduling

    class ByPart(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("/")
            folder = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
            if folder == "e2e":
                half = 2 if parts[2].split("::")[0] in E2E_SECOND_HALF else 1
                return f"navigateur-{half}"
            return XDIST_GROUPS.get(folder, nodeid)

    return ByPart(config, log)


STARTED = [time.monotonic()]


def pytest_sessionstart(session):
    STARTED[0] = time.monotonic()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the run itself, once its workers are done
        e2e_server.drop_prepared()


def print_time_per_part(terminalreporter) -> None:
    """How long each folder of tests took (setup, call and teardown, summed over workers)."""
    seconds: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if not nodeid.startswith("tests/") or not hasattr(report, "duration"):
                continue
            part = nodeid.split("/")[1].split("::")[0]
            seconds[part] = seconds.get(part, 0.0) + report.duration
    if not seconds:
        return
    wall = time.monotonic() - STARTED[0]
    terminalreporter.section(f"temps par partie (total des tests ; {wall:.0f} s écoulées)")
    for part, spent in sorted(seconds.items(), key=lambda pair: -pair[1]):
        terminalreporter.write_line(f"{spent:8.1f} s  tests/{part}")


def pytest_runtest_logreport(report):
    # Where the run prints, the lines each fault or load test said (tests/faults/report.py).
    gather(report)


def pytest_terminal_summary(terminalreporter):
    print_time_per_part(terminalreporter)
    print_section(terminalreporter, "faults", "pannes (tests/faults): ce qui a été essayé")
    print_section(terminalreporter, "load", "charge (tests/load) : ce qui a été essayé")
