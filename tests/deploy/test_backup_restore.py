"""Backup and restore, as README « Sauvegarde et restauration » tells a host to do them.

A production-like platform (tests/e2e/server.py: nginx, gunicorn, Daphne, a Celery worker,
PostgreSQL, Redis) is filled beyond the demo over HTTP and through its services: a resident
posts a private expression with a photo and a public one, a mediator publishes the first and
rejects the second (timelines, audit log), an event gets an image (public media). While it
serves, ``deploy/backup.sh`` saves it. Then the machine is « lost »: the application servers
are killed, the media folders moved away, and ``deploy/restore.sh`` restores the backup into
a new database and the emptied folders. The same servers, started again on the restored
database, serve the same expressions, timelines, photos (byte for byte, to their author only)
and event image; every table holds the same rows; new expressions still get new numbers.

Restore refuses, before writing anything, a backup whose checksum is wrong, a media folder
that is not empty and a database that is not empty.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from PIL import Image

from bench.servers import BASE_DIR
from tests.e2e import server
from tests.redis_databases import BACKUP, redis_url_for
from tests.requirements import missing

pytestmark = [pytest.mark.slow, pytest.mark.needs("postgresql", "redis")]

BACKUP_SCRIPT = BASE_DIR / "deploy" / "backup.sh"
RESTORE_SCRIPT = BASE_DIR / "deploy" / "restore.sh"
PARTS = ("database.dump", "media.tar", "private.tar")
RESIDENT = "sauvegarde.habitante@example.org"
MEDIATOR = "mediateur@demo.auchel.fr"  # from load_demo
TIMELINE = re.compile(r'<ol class="timeline">.*?</ol>', re.DOTALL)


def database_url(name: str) -> str:
    """A database of this suite (the harness drops only names starting ``participation_e2e``)."""
    base = urlsplit(server.e2e_database_url())
    return urlunsplit(base._replace(path=f"/participation_e2e_sauvegarde{name}"))


SOURCE = database_url("")
RESTORED = database_url("_restauree")
SPARE = database_url("_refus")  # empty, for the restores that must be refused


def redis_url() -> str:
    return redis_url_for(BACKUP, server.e2e_redis_url())


# --- what the platform holds, read through the ORM and over HTTP --------------------------

# Every table, through Django's serializer: the rows of expressions, their timeline steps and
# the audit log in full, the others as a count and a digest. The worker may still be sending
# the emails of the actions while the backup runs, so the email outbox is compared by ids.
SNAPSHOT = """
import hashlib, json
from django.apps import apps
from django.core import serializers

IN_FULL = {"consultations.expression", "consultations.expressionstep", "audit.auditentry"}
BY_ID = {"notifications.email"}
result = {"tables": {}, "rows": {}}
for model in apps.get_models(include_auto_created=True):
    if model._meta.proxy or not model._meta.managed:
        continue
    label = model._meta.label_lower
    rows = model._base_manager.order_by("pk")
    if label in BY_ID:
        result["tables"][label] = list(rows.values_list("pk", flat=True))
        continue
    text = serializers.serialize("json", rows)
    result["tables"][label] = f"{rows.count()} rows, sha256 {hashlib.sha256(text.encode()).hexdigest()}"
    if label in IN_FULL:
        result["rows"][label] = json.loads(text)
print(json.dumps(result))
"""


def snapshot(live) -> dict:
    return json.loads(live.shell(SNAPSHOT).strip().splitlines()[-1])


def file_digests(*folders: Path) -> dict[str, str]:
    """``folder name/relative path: sha256`` of every file under the folders."""
    digests = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                relative = f"{folder.name}/{path.relative_to(folder)}"
                digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def api_expressions(url: str) -> list[dict]:
    """Every published expression of the public API, page after page."""
    found, page = [], f"{url}/api/expressions/?taille=100"
    while page:
        response = requests.get(page, timeout=30)
        assert response.status_code == 200, response.text[:500]
        body = response.json()
        found += body["results"]
        page = body["next"]
    return found


@dataclass
class Seen:
    """What the platform served over HTTP: compared before the backup and after the restore."""

    api: list[dict]
    timelines: dict[int, str]
    photo: bytes
    thumbnail: bytes
    event_page: str
    event_image: bytes


def seen_over_http(live, saved: Saved) -> Seen:
    author = saved.author(live.url)
    timelines = {}
    for pk in saved.expressions:
        page = author.get(f"{live.url}/expressions/{pk}/", timeout=30)
        assert page.status_code == 200, page.text[:500]
        timelines[pk] = TIMELINE.search(page.text).group(0)
    photo = author.get(f"{live.url}/expressions/{saved.with_photo}/photo/", timeout=30)
    thumbnail = author.get(
        f"{live.url}/expressions/{saved.with_photo}/photo/miniature/", timeout=30
    )
    event_page = requests.get(f"{live.url}{saved.event_url}", timeout=30)
    event_image = requests.get(f"{live.url}{saved.event_image_url}", timeout=30)
    for response in (photo, thumbnail, event_page, event_image):
        assert response.status_code == 200, (response.url, response.status_code)
    return Seen(
        api=api_expressions(live.url),
        timelines=timelines,
        photo=photo.content,
        thumbnail=thumbnail.content,
        event_page=event_page.text,
        event_image=event_image.content,
    )


# --- filling the platform beyond the demo ---------------------------------------------------

_RESIDENT = """
import json
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from participation.accounts.models import User
from participation.territory.models import Quartier

quartier = Quartier.objects.order_by("pk").first()
user = User.objects.create_user(email={email!r}, password=None, display_name="Lucie",
                                quartier=quartier)
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({{"session": session.session_key, "quartier": quartier.pk}}))
"""

_MODERATE = """
import json
from django.core.files.base import ContentFile
from consultations.moderation.services import RejectionReason, publish, reject
from evenements.models import Evenement
from participation.accounts.models import User

mediator = User.objects.get(email={mediator!r})
publish({published}, actor=mediator)
reject({rejected}, actor=mediator, reason=RejectionReason.CHOICES[0][0],
       details="Merci de le reformuler sans nommer de voisin.")
event = Evenement.objects.published().order_by("pk").first()
event.image.save("affiche.png", ContentFile(bytes.fromhex({image!r})), save=False)
event.image_alt = "Affiche de l'événement"
event.save()
print(json.dumps({{"event_url": event.get_absolute_url(), "image_url": event.image.url}}))
"""


def picture(format: str, size=(900, 600)) -> bytes:
    """An image with enough detail that two encodings of it differ."""
    image = Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format)
    return buffer.getvalue()


def signed_in(url: str, session_key: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set("sessionid", session_key, domain=urlsplit(url).hostname)
    return session


def post_expression(session: requests.Session, url: str, fields: dict, photo: bytes | None) -> int:
    """Post the resident's form as a browser does; return the new expression's number."""
    form = session.get(f"{url}/expressions/nouvelle/", timeout=30)
    assert form.status_code == 200, form.text[:500]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.text))
    data = {
        "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
        "idempotency_key": hidden["idempotency_key"],
        "objectifs_unknown": "on",
        **fields,
    }
    files = {"photo": ("photo.jpg", photo, "image/jpeg")} if photo else None
    answer = session.post(
        f"{url}/expressions/nouvelle/", data=data, files=files, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text[:2000]
    return int(re.fullmatch(r".*/expressions/(\d+)/", answer.headers["Location"]).group(1))


@dataclass
class Saved:
    """The backup, and what the platform held and served when it was taken."""

    folder: Path
    session_key: str
    quartier: int
    with_photo: int
    expressions: tuple[int, ...]
    event_url: str
    event_image_url: str
    rows: dict = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    seen: Seen | None = None

    def author(self, url: str) -> requests.Session:
        return signed_in(url, self.session_key)


def media_folders(env: dict[str, str]) -> tuple[Path, Path]:
    media = Path(env["MEDIA_ROOT"])
    return media, Path(env.get("PRIVATE_MEDIA_ROOT") or media.parent / "private")


def run_script(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def relations_in(url: str) -> int:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        ).fetchone()[0]


# --- the platform, its backup, its restore --------------------------------------------------


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    try:
        server.check_requirements(browser=False)
    except server.Unavailable as exc:
        missing(f"backup and restore need PostgreSQL and Redis: {exc}")
    absent = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if absent:
        missing(f"backup and restore need {', '.join(absent)} (apt-get install postgresql-client)")
    live = server.start(
        tmp_path_factory.mktemp("sauvegarde"), database_url=SOURCE, redis_url=redis_url()
    )
    yield live
    live.stop()
    for url in (SOURCE, RESTORED, SPARE):
        server.drop_database(url)
    server.flush_redis(redis_url())


@pytest.fixture(scope="module")
def saved(platform) -> Saved:
    """The platform filled beyond the demo, then backed up while it serves."""
    live = platform
    resident = json.loads(live.shell(_RESIDENT.format(email=RESIDENT)).strip().splitlines()[-1])
    author = signed_in(live.url, resident["session"])
    photo = picture("JPEG")
    private = post_expression(
        author,
        live.url,
        {
            "quartier": resident["quartier"],
            "text": "Le trottoir de la rue Jean-Jaurès est défoncé devant l'école.",
            "visibility": "privee",
            "photo_description": "Un trottoir aux dalles soulevées",
        },
        photo,
    )
    public = post_expression(
        author,
        live.url,
        {
            "quartier": resident["quartier"],
            "text": "Mon voisin du 12 fait trop de bruit le soir.",
            "visibility": "anonyme",
        },
        None,
    )
    event = json.loads(
        live.shell(
            _MODERATE.format(
                mediator=MEDIATOR,
                published=private,
                rejected=public,
                image=picture("PNG", (400, 300)).hex(),
            )
        )
        .strip()
        .splitlines()[-1]
    )
    result = Saved(
        folder=Path(),
        session_key=resident["session"],
        quartier=resident["quartier"],
        with_photo=private,
        expressions=(private, public),
        event_url=event["event_url"],
        event_image_url=event["image_url"],
    )
    # The thumbnail is made by the worker: until then the thumbnail address sends the photo.
    deadline = time.monotonic() + 30
    while True:
        seen = seen_over_http(live, result)
        if seen.thumbnail != seen.photo:
            break
        assert time.monotonic() < deadline, "no thumbnail after 30 s\n" + live.tail_logs()
        time.sleep(0.3)
    result.seen = seen
    result.rows = snapshot(live)
    result.files = file_digests(*media_folders(live.env))

    backup = run_script(BACKUP_SCRIPT, str(live.workdir / "sauvegardes"), env=live.env)
    assert backup.returncode == 0, backup.stderr
    result.folder = Path(backup.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def restored(platform, saved):
    """The same servers, started again on the backup restored into a new database and the
    emptied media folders, as README « Sauvegarde et restauration » says."""
    live = platform
    names = list(live.processes.commands())  # the application servers and the worker
    for name in names:
        live.processes.kill(name)  # the machine is lost: no clean shutdown
    media, private = media_folders(live.env)
    for folder in (media, private):
        folder.rename(folder.with_name(f"{folder.name}-perdu"))

    server.recreate_database(RESTORED)
    for env in (live.env, live.processes.env):
        env["DATABASE_URL"] = RESTORED
    restore = run_script(RESTORE_SCRIPT, str(saved.folder), env=live.env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    live.manage("migrate", "--check")  # the same version: nothing left to apply
    server.flush_redis(redis_url())
    live.processes.start(names, timeout=60, ready_urls=[f"{live.url}/sante/"])
    return live


# --- the backup -----------------------------------------------------------------------------


def test_a_backup_holds_the_dump_the_two_media_archives_and_their_checksums(saved):
    assert sorted(path.name for path in saved.folder.iterdir()) == sorted([*PARTS, "manifest.txt"])
    manifest = (saved.folder / "manifest.txt").read_text(encoding="utf-8")
    for part in PARTS:
        digest = hashlib.sha256((saved.folder / part).read_bytes()).hexdigest()
        assert f"sha256: {digest}  {part}\n" in manifest
    assert re.search(r"^date: \d{4}-\d\d-\d\dT", manifest, re.MULTILINE)
    assert re.search(r"^pg_dump: pg_dump \(PostgreSQL\) \d+", manifest, re.MULTILINE)
    assert re.search(r"^version: \S+", manifest, re.MULTILINE)
    # Only the platform's user may read it: it holds residents' personal data.
    assert {oct(path.stat().st_mode & 0o777) for path in saved.folder.iterdir()} == {"0o600"}


# --- the restored platform --------------------------------------------------------------------


def test_every_table_comes_back_with_the_same_rows(saved, restored):
    after = snapshot(restored)
    for label in ("consultations.expression", "consultations.expressionstep", "audit.auditentry"):
        assert after["rows"][label] == saved.rows["rows"][label], label
    assert after["tables"] == saved.rows["tables"]
    assert {"accounts.user", "sessions.session", "evenements.inscription"} <= after["tables"].keys()
    moderated = [
        entry["fields"]
        for entry in after["rows"]["audit.auditentry"]
        if entry["fields"]["target_id"] in {str(pk) for pk in saved.expressions}
    ]
    assert {(entry["action"], entry["actor_label"]) for entry in moderated} >= {
        ("expression.soumise", RESIDENT),
        ("expression.publiee", MEDIATOR),
        ("expression.rejetee", MEDIATOR),
    }


def test_the_restored_platform_serves_the_same_expressions_and_timelines(saved, restored):
    seen = seen_over_http(restored, saved)
    assert seen.api == saved.seen.api
    assert seen.timelines == saved.seen.timelines
    private, public = saved.expressions
    assert "step-publiee" in seen.timelines[private]
    assert "step-rejetee" in seen.timelines[public]


def test_the_photo_comes_back_byte_for_byte_and_only_for_its_author(saved, restored):
    seen = seen_over_http(restored, saved)
    assert seen.photo == saved.seen.photo
    assert seen.thumbnail == saved.seen.thumbnail
    expression = next(
        row
        for row in saved.rows["rows"]["consultations.expression"]
        if row["pk"] == saved.with_photo
    )
    _media, private = media_folders(restored.env)
    assert (private / expression["fields"]["photo"]).read_bytes() == seen.photo
    anonymous = requests.get(f"{restored.url}/expressions/{saved.with_photo}/photo/", timeout=30)
    assert anonymous.status_code == 404


def test_every_uploaded_file_comes_back_byte_for_byte(saved, restored):
    assert file_digests(*media_folders(restored.env)) == saved.files
    seen = seen_over_http(restored, saved)
    assert seen.event_image == saved.seen.event_image  # served by nginx from MEDIA_ROOT
    assert f'src="{saved.event_image_url}"' in seen.event_page


def test_new_expressions_get_new_numbers_after_a_restore(saved, restored):
    last = max(row["pk"] for row in saved.rows["rows"]["consultations.expression"])
    number = post_expression(
        saved.author(restored.url),
        restored.url,
        {"quartier": saved.quartier, "text": "Après la restauration.", "visibility": "anonyme"},
        None,
    )
    assert number > last


# --- what restore refuses -------------------------------------------------------------------


def test_restore_refuses_a_backup_whose_checksum_does_not_match(saved, platform, tmp_path):
    copy = tmp_path / saved.folder.name
    shutil.copytree(saved.folder, copy)
    dump = bytearray((copy / "database.dump").read_bytes())
    dump[len(dump) // 2] ^= 0xFF
    (copy / "database.dump").write_bytes(bytes(dump))
    server.recreate_database(SPARE)
    env = dict(platform.env, DATABASE_URL=SPARE, MEDIA_ROOT=str(tmp_path / "media"))

    refused = run_script(RESTORE_SCRIPT, str(copy), env=env)

    assert refused.returncode != 0
    assert "somme de contrôle incorrecte" in refused.stderr
    assert relations_in(SPARE) == 0
    assert not (tmp_path / "media").exists() and not (tmp_path / "private").exists()


def test_restore_refuses_a_media_folder_that_is_not_empty(saved, platform, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "deja-la.png").write_bytes(b"not ours")
    server.recreate_database(SPARE)
    env = dict(platform.env, DATABASE_URL=SPARE, MEDIA_ROOT=str(media))

    refused = run_script(RESTORE_SCRIPT, str(saved.folder), env=env)

    assert refused.returncode != 0
    assert f"{media} n'est pas vide" in refused.stderr
    assert relations_in(SPARE) == 0
    assert [path.name for path in media.iterdir()] == ["deja-la.png"]


def test_restore_refuses_a_database_that_is_not_empty(saved, platform, tmp_path):
    env = dict(platform.env, DATABASE_URL=SOURCE, MEDIA_ROOT=str(tmp_path / "media"))

    refused = run_script(RESTORE_SCRIPT, str(saved.folder), env=env)

    assert refused.returncode != 0
    assert "n'est pas vide" in refused.stderr
    assert not (tmp_path / "media").exists()


def test_the_residents_photos_come_back_closed_to_the_servers_other_accounts(saved, restored):
    """README: ``var/private`` is created 750; a backup of a folder made open (as here, and
    on every server installed before) restores it closed all the same."""
    _media, private = media_folders(restored.env)
    assert private.stat().st_mode & 0o007 == 0, oct(private.stat().st_mode)
