# Shared by deploy/backup.sh and deploy/restore.sh (sourced, not run).
#
# Both read the environment the platform itself reads (deploy/participation.env):
# DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT, with the same defaults as
# participation/settings.py.

# PARTS and MANIFEST are read by the scripts that source this file.
# shellcheck shell=bash disable=SC2034

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
# The parts of a backup, in the order they are taken; the manifest lists a sha256 for each.
PARTS=(database.dump media.tar private.tar)
MANIFEST=manifest.txt

die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# Sets PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (and any libpq option given as a
# query parameter, e.g. ?sslmode=require) from DATABASE_URL. The password travels in the
# environment rather than on the command line, where `ps` would show it to every local user.
load_database_url() {
    [[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL n'est pas défini (voir deploy/participation.env)."
    local exports
    exports="$(DATABASE_URL="$DATABASE_URL" "$PYTHON" - <<'PY'
import os
import shlex
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
    sys.exit(f"DATABASE_URL doit désigner PostgreSQL, pas {url.scheme or 'rien'}://")
values = {
    # A Unix socket directory is written percent-encoded in the host part (%2Fvar%2Frun%2F...).
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
if not values["PGDATABASE"]:
    sys.exit("DATABASE_URL ne nomme aucune base")
for key, value in parse_qsl(url.query):
    values["PGAPPNAME" if key == "application_name" else "PG" + key.upper()] = value
for key, value in values.items():
    if value:
        print(f"export {key}={shlex.quote(value)}")
PY
)" || die "DATABASE_URL est illisible."
    eval "$exports"
}

# A path of the settings, relative ones taken from the application's folder (where systemd
# starts the processes).
absolute() {
    case "$1" in
        /*) printf '%s\n' "${1%/}" ;;
        *) printf '%s\n' "$APP_DIR/${1%/}" ;;
    esac
}

# Sets MEDIA_DIR and PRIVATE_DIR as consultations/storage.py resolves them.
load_media_dirs() {
    MEDIA_DIR="$(absolute "${MEDIA_ROOT:-var/media}")"
    if [[ -n "${PRIVATE_MEDIA_ROOT:-}" ]]; then
        PRIVATE_DIR="$(absolute "$PRIVATE_MEDIA_ROOT")"
    else
        PRIVATE_DIR="$(dirname "$MEDIA_DIR")/private"
    fi
    case "$PRIVATE_DIR/" in
        "$MEDIA_DIR"/*)
            die "PRIVATE_MEDIA_ROOT ($PRIVATE_DIR) est dans MEDIA_ROOT ($MEDIA_DIR) : les photos y seraient publiques. Placez-le à côté."
            ;;
    esac
}
