"""What Debian's nginx does with the shipped site (deploy/nginx/participation.conf), in front of
two gunicorn and two Daphne processes: the platform of every browser journey.
"""

from __future__ import annotations

import base64
import os
import re
import socket
from urllib.parse import urlsplit

import requests

from bench import nginx

YEAR = 365 * 24 * 3600


def upgrade_to_websocket(url: str, path: str) -> bytes:
    """The status line Daphne (through nginx) answers to a WebSocket handshake."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {url}\r\n\r\n"
            ).encode()
        )
        return sock.recv(4096).split(b"\r\n", 1)[0]


def test_both_application_servers_answer_http_and_websockets(live_platform):
    processes = live_platform.processes
    for _ in range(8):
        assert requests.get(live_platform.url + "/", timeout=30).status_code == 200
    for _ in range(4):
        # Daphne's own answer to a visitor who is not signed in (nginx would say 502).
        answer = upgrade_to_websocket(live_platform.url, "/ws/notifications/")
        assert answer == b"HTTP/1.1 403 Access denied", answer

    seen = nginx.upstreams_seen(processes)
    for port in (*processes.http_ports, *processes.ws_ports):
        assert seen.get(f"127.0.0.1:{port}", 0) >= 2, seen


def test_hashed_static_files_are_cached_for_a_year_by_nginx(live_platform):
    home = requests.get(live_platform.url + "/", timeout=30).text
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "the home page names a hashed stylesheet"

    response = requests.get(live_platform.url + stylesheet.group(1), timeout=30)

    assert response.status_code == 200
    max_age = int(response.headers["Cache-Control"].removeprefix("max-age="))
    assert max_age >= YEAR
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_public_uploads_are_served_by_nginx_and_private_photos_never(live_platform):
    media = live_platform.workdir / "media"
    (media / "evenements").mkdir(parents=True, exist_ok=True)
    (media / "evenements" / "affiche.jpg").write_bytes(b"\xff\xd8\xff\xe0 une affiche")
    private = live_platform.workdir / "private" / "photos"
    private.mkdir(parents=True, exist_ok=True)
    (private / "secret.jpg").write_bytes(b"\xff\xd8\xff\xe0 une photo privee")

    public = requests.get(live_platform.url + "/media/evenements/affiche.jpg", timeout=30)
    assert public.status_code == 200
    assert public.content == b"\xff\xd8\xff\xe0 une affiche"
    assert public.headers["X-Content-Type-Options"] == "nosniff"

    for path in (
        "/media/../private/photos/secret.jpg",
        "/media/%2e%2e/private/photos/secret.jpg",
        "/media/..%2fprivate/photos/secret.jpg",
        "/private/photos/secret.jpg",
    ):
        response = requests.get(live_platform.url + path, timeout=30)
        assert b"une photo privee" not in response.content, path
        assert response.status_code in (400, 404), (path, response.status_code)


def test_a_body_over_the_limit_is_refused_by_nginx_in_french(live_platform):
    response = requests.post(
        live_platform.url + "/expressions/nouvelle/",
        data=b"x" * (13 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    )

    assert response.status_code == 413
    assert 'lang="fr"' in response.text
    assert "413 Request Entity Too Large" not in response.text
    assert "nginx" not in response.text.lower()


def test_a_method_nginx_refuses_itself_is_answered_in_french_with_allow(live_platform):
    """TRACE never reaches the platform: nginx's 405 carries the Allow header HTTP requires
    (Schemathesis checks it) and a French page."""
    response = requests.request("TRACE", live_platform.url + "/api/evenements/", timeout=30)

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert 'lang="fr"' in response.text
    assert "nginx" not in response.text.lower()
