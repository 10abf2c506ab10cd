"""A screenshot of every page each role reaches, at 360 px and 1280 px: `make screenshots`.

    python -m tests.e2e.screenshots [FOLDER]      (default: var/screenshots, ignored by git)

The platform runs as `make run` runs it (embedded mode: SQLite in a temporary folder, the
referential and the demo content, Daphne through runserver), on a free port. Debian's
Chromium visits, as an anonymous visitor then as each demo account (staff answer the TOTP
step with the demo secret), the pages the site's own links lead to, discovered as the
browser tests discover them (``helpers.same_site_paths``: one page per URL shape, one level
below the home page and the menus). Each page is saved twice, whole, as
``FOLDER/<role>/<page>-360.png`` and ``-1280.png``, with an ``index.html`` to look at them
all. A page that does not answer 200 is listed at the end, and the command exits 1.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
WIDTHS = (360, 1280)
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")


def embedded_environment(folder: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="participation.settings",
        SQLITE_PATH=str(folder / "demo.sqlite3"),
        MEDIA_ROOT=str(folder / "media"),
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_platform(folder: Path) -> tuple[subprocess.Popen, str]:
    from bench.servers import free_port

    port = free_port()
    env = embedded_environment(folder, port)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_referentiel"],
        ["load_demo"],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True)
    log = (folder / "runserver.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/sante/", timeout=5) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"runserver did not answer within 60 s; see {folder / 'runserver.log'}")


def file_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"


def capture(page, folder: Path, path: str) -> list[str]:
    """Both widths of one page; returns the files written (none if it is not a 200 page)."""
    written = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(path)
        if response is None or response.status != 200:
            raise RuntimeError(f"{path} answered {response.status if response else 'nothing'}")
        target = folder / f"{file_name(path)}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        written.append(target.name)
    return written


def crawl(
    page, folder: Path, *, limit: int | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """One page per URL shape reachable from the home page (``limit`` pages at most);
    files by path, and problems."""
    from playwright.sync_api import Error as PlaywrightError

    from .helpers import same_site_paths, shape

    folder.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    start = ["/", *same_site_paths(page)]
    queue, shapes, files, problems = list(start), {shape(p) for p in start}, {}, []
    while queue and (limit is None or len(files) < limit):
        path = queue.pop(0)
        if path in files:
            continue
        try:
            files[path] = capture(page, folder, path)
        except PlaywrightError as exc:
            if "Download is starting" not in str(exc):
                problems.append(f"{path}: {exc}")
            continue
        except RuntimeError as exc:
            problems.append(str(exc))
            continue
        if "html" not in (page.evaluate("document.contentType") or ""):
            continue
        if path in start:
            for linked in same_site_paths(page):
                if shape(linked) not in shapes:
                    shapes.add(shape(linked))
                    queue.append(linked)
    return files, problems


def write_index(folder: Path, taken: dict[str, dict[str, list[str]]]) -> Path:
    parts = ["<!doctype html><html lang='fr'><meta charset='utf-8'><title>Captures</title>"]
    for role, files in taken.items():
        parts.append(f"<h2>{html.escape(role)}</h2>")
        for path, names in files.items():
            images = "".join(
                f"<a href='{role}/{name}'><img src='{role}/{name}' width='{180 if '-360' in name else 480}' alt=''></a> "
                for name in names
            )
            parts.append(f"<h3>{html.escape(path)}</h3><p>{images}</p>")
    index = folder / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def main(folder: Path) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    for key in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from .helpers import ROLES, login

    folder.mkdir(parents=True, exist_ok=True)
    taken: dict[str, dict[str, list[str]]] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as work:
        server, url = start_platform(Path(work))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                for role, email in {"anonyme": None, **ROLES}.items():
                    context = browser.new_context(base_url=url, locale="fr-FR")
                    page = context.new_page()
                    if email:
                        login(page, email, settings.DEMO_PASSWORD)
                    files, found = crawl(page, folder / role)
                    taken[role] = files
                    problems += [f"{role}: {problem}" for problem in found]
                    print(f"{role}: {len(files)} pages", flush=True)
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    index = write_index(folder, taken)
    print(f"{sum(len(f) for f in taken.values())} pages, two widths each: {index}")
    for problem in problems:
        print(f"PROBLÈME {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BASE_DIR / "var" / "screenshots"
    sys.exit(main(target.resolve()))
