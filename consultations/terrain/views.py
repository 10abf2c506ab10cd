"""Field mode (mode terrain): the installable page mediators use at stands, even offline.

The page itself is a shell: the ES modules of static/js/terrain/ (main.js and the modules it
imports, no build step) fill it from the API (referential and coming events, kept in
IndexedDB), keep every entry on the device until the sync endpoint
(consultations.terrain.sync) has stored it, and the service worker (static/js/terrain-sw.js, served
here at /terrain/sw.js so that its scope covers /terrain/) serves the page and its assets
from its cache when there is no network. Without JavaScript the page says so and links to
the ordinary field form, which works without it but needs the network.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from participation.accounts.rules import mediateur_required
from participation.core import images

from ..expressions import services
from ..models import FIELD_SOURCES, SOURCE_OF_EVENT_KIND, AgeGroup, Visibility
from . import sync

WORKER_SOURCE = "js/terrain-sw.js"
# What the page needs to open offline (base.html's assets included).
PRECACHED_STATIC = (
    "css/main.css",
    "css/terrain.css",
    "js/lib/live-socket.js",
    "js/live.js",
    "js/lib/objectifs-checklist.js",
    "js/lib/event-defaults.js",
    "js/terrain/main.js",
    "js/terrain/page.js",
    "js/terrain/helpers.js",
    "js/terrain/store.js",
    "js/terrain/status.js",
    "js/terrain/referential.js",
    "js/terrain/entries.js",
    "js/terrain/form.js",
    "js/terrain/sync.js",
    "js/terrain/worker.js",
    "js/terrain/offline.js",
    "img/favicon.svg",
    "terrain/manifest.webmanifest",
    "terrain/icon.svg",
    "terrain/icon-192.png",
    "terrain/icon-512.png",
)


@never_cache
@mediateur_required
@ensure_csrf_cookie
@require_GET
def terrain(request):
    return render(
        request,
        "consultations/terrain/terrain.html",
        {
            "sources": [(s.value, s.label) for s in FIELD_SOURCES],
            # The kind of meeting of an event, by its kind: the script fills it in offline.
            "sources_by_kind": {kind: str(source) for kind, source in SOURCE_OF_EVENT_KIND.items()},
            "age_groups": AgeGroup.choices,
            "visibilities": [
                (Visibility.PUBLIC_ANONYMOUS.value, Visibility.PUBLIC_ANONYMOUS.label),
                (Visibility.PRIVATE.value, Visibility.PRIVATE.label),
            ],
            "text_max_length": services.TEXT_MAX_LENGTH,
            "photo_max_bytes": images.MAX_BYTES,
            "max_entries": sync.MAX_ENTRIES,
            # The quartiers of the mediator's communes (None: every one): the only ones offered.
            "quartiers_in_scope": sync.quartiers_offered(request.user),
        },
    )


def _read_worker_source() -> str:
    path = finders.find(WORKER_SOURCE)
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(WORKER_SOURCE) as handle:
        return handle.read().decode("utf-8")


@lru_cache(maxsize=1)
def _cached_worker_source() -> str:
    return _read_worker_source()


@require_GET
def service_worker(request):
    """The service worker, with the current addresses of what it must keep for offline use.

    Its version changes whenever the script or a precached address changes (static files
    have hashed names in production), so that browsers install the new one.
    """
    source = _read_worker_source() if settings.DEBUG else _cached_worker_source()
    page = reverse("terrain:page")
    precache = [static(name) for name in PRECACHED_STATIC]
    version = hashlib.sha256((source + page + "".join(precache)).encode()).hexdigest()[:16]
    config = json.dumps(
        {"version": version, "page": page, "static": settings.STATIC_URL, "precache": precache}
    )
    response = HttpResponse(
        f"self.TERRAIN = {config};\n{source}", content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = page
    response["Cache-Control"] = "no-cache"
    return response
