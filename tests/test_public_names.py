"""What the outside world holds on to never changes by accident.

Bookmarks, emails already sent and printed QR codes hold URLs; Celery messages already queued
and the beat schedule hold task names; open pages hold WebSocket paths. A refactoring must
leave all three as they are: this test compares them with tests/snapshots/public_names.json,
which a deliberate change updates in the same commit.
"""

import json
from pathlib import Path

from django.urls import URLResolver, get_resolver

from participation import celery_app
from participation.routing import websocket_urlpatterns

SNAPSHOT = Path(__file__).parent / "snapshots" / "public_names.json"


def _urls(patterns, prefix="/", namespaces=()) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            for name, path in _urls(entry.url_patterns, prefix + str(entry.pattern), inner).items():
                found.setdefault(name, path)
        elif entry.name:
            found.setdefault(":".join((*namespaces, entry.name)), prefix + str(entry.pattern))
    return found


def public_names() -> dict:
    celery_app.loader.import_default_modules()
    return {
        "urls": dict(sorted(_urls(get_resolver().url_patterns).items())),
        "tasks": sorted(name for name in celery_app.tasks if not name.startswith("celery.")),
        "websockets": sorted(str(entry.pattern) for entry in websocket_urlpatterns),
    }


def test_url_names_and_paths_celery_tasks_and_websocket_paths_are_those_of_the_snapshot():
    expected = json.loads(SNAPSHOT.read_text())
    current = public_names()

    assert current["urls"] == expected["urls"]
    assert current["tasks"] == expected["tasks"]
    assert current["websockets"] == expected["websockets"]
