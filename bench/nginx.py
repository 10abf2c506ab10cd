"""Debian's nginx in front of the platform, with the site file a host installs.

The site is ``deploy/nginx/participation.conf`` as shipped; only what differs between a host
and a test is substituted: the listening address, the upstream servers (the ports the
launcher chose, one line per gunicorn and per Daphne process) and the two folders nginx
serves. A substitution whose text is no longer in the site fails loudly: the tests then
run what the host runs, or nothing.

The main configuration around it is written here, as a minimal stand-in for Debian's
``/etc/nginx/nginx.conf`` (the host's own), with everything nginx writes in the work folder
and an access log that records which upstream server answered each request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .servers import DEPLOY_DIR, DEPLOYED_ROOT, HOST, Platform

SITE = DEPLOY_DIR / "nginx" / "participation.conf"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
ACCESS_LOG = "nginx-access.log"

_MAIN = """\
{user}worker_processes 1;
pid {workdir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    log_format upstreams '$remote_addr "$request" $status $body_bytes_sent '
                         'upstream=$upstream_addr';
    access_log {workdir}/{access_log} upstreams;
    client_body_temp_path {workdir}/nginx-temp/body;
    proxy_temp_path {workdir}/nginx-temp/proxy;
    fastcgi_temp_path {workdir}/nginx-temp/fastcgi;
    uwsgi_temp_path {workdir}/nginx-temp/uwsgi;
    scgi_temp_path {workdir}/nginx-temp/scgi;
    include {workdir}/participation.conf;
}}
"""


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise RuntimeError(f"{SITE} no longer contains {old!r}: update bench/nginx.py with it")
    return text.replace(old, new)


def _upstream(text: str, name: str, ports: Iterable[int]) -> str:
    pattern = re.compile(rf"(upstream {name} \{{\n)((?:\s*server [^\n]+;\n)+)")
    if not pattern.search(text):
        raise RuntimeError(f"{SITE}: no server lines in upstream {name}")
    servers = "".join(f"    server {HOST}:{port};\n" for port in ports)
    return pattern.sub(lambda match: match.group(1) + servers, text, count=1)


def site(
    *,
    port: int,
    http_ports: Iterable[int],
    ws_ports: Iterable[int],
    static_root: Path,
    media_root: Path,
) -> str:
    """The shipped site, listening on ``HOST:port``, in front of these servers and folders."""
    text = SITE.read_text(encoding="utf-8")
    text = _replace(text, "    listen 80;\n", f"    listen {HOST}:{port};\n")
    text = _upstream(text, "participation_http", http_ports)
    ws_ports = list(ws_ports)
    # Without Daphne (the fault tests open no WebSocket), /ws/ gets nginx's 502.
    text = _upstream(text, "participation_ws", ws_ports or [1])
    text = _replace(text, f"{DEPLOYED_ROOT}/var/staticfiles", str(static_root))
    return _replace(text, f"{DEPLOYED_ROOT}/var/media", str(media_root))


def start(platform: Platform, *, port: int, static_root: Path, media_root: Path) -> None:
    """Write the configuration into the platform's work folder and start nginx beside it.

    It runs in the foreground as the platform's process ``nginx``, stopped with the others.
    """
    workdir = platform.workdir
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "nginx-temp" / temp).mkdir(parents=True, exist_ok=True)
    (workdir / "participation.conf").write_text(
        site(
            port=port,
            http_ports=platform.http_ports,
            ws_ports=platform.ws_ports,
            static_root=static_root,
            media_root=media_root,
        ),
        encoding="utf-8",
    )
    # As root, nginx would hand its workers to « nobody », who cannot read the test folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = workdir / "nginx.conf"
    main.write_text(
        _MAIN.format(user=user, workdir=workdir, access_log=ACCESS_LOG), encoding="utf-8"
    )
    command = [NGINX, "-p", str(workdir), "-c", str(main), "-e", str(workdir / "nginx-error.log")]
    command += ["-g", "daemon off;"]
    platform.start_process("nginx", command)


def upstreams_seen(platform: Platform) -> dict[str, int]:
    """How many requests each upstream server answered so far (from nginx's access log)."""
    counts: dict[str, int] = {}
    log = platform.workdir / ACCESS_LOG
    if not log.exists():
        return counts
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        _, _, upstream = line.rpartition(" upstream=")
        for address in upstream.replace(" : ", ", ").split(", "):
            if address and address != "-":
                counts[address] = counts.get(address, 0) + 1
    return counts
