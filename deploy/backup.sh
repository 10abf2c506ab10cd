#!/usr/bin/env bash
# Sauvegarde de la plateforme : la base PostgreSQL, MEDIA_ROOT et les photos privées.
#
#   deploy/backup.sh DESTINATION
#
# Writes DESTINATION/participation-AAAAMMJJ-HHMMSS/ holding
#   database.dump  pg_dump --format=custom of DATABASE_URL
#   media.tar      MEDIA_ROOT (event images and other public uploads)
#   private.tar    PRIVATE_MEDIA_ROOT (expression photos, committee exports)
#   manifest.txt   date, application version, pg_dump and server versions, sha256 of each part
# and prints that folder's path on its last line. A backup is only given its final name once
# every part is written: a folder without the .partial suffix is complete.
#
# Run it as the platform's user, with the platform's environment (README « Sauvegarde et
# restauration »). The platform keeps running meanwhile.
set -euo pipefail

# shellcheck source=deploy/backup-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/backup-common.sh"

usage() {
    echo "usage: ${0##*/} DESTINATION" >&2
    exit 2
}
[[ $# -eq 1 && "$1" != -* ]] || usage

load_database_url
load_media_dirs
command -v pg_dump >/dev/null || die "pg_dump est introuvable (apt-get install postgresql-client)."

# The dump holds password hashes, TOTP secrets and residents' personal data: only the
# platform's user may read a backup.
umask 077
destination="$(realpath --canonicalize-missing "$1")"
case "$destination/" in
    "$MEDIA_DIR"/* | "$PRIVATE_DIR"/*)
        die "la destination ne peut pas être dans les dossiers sauvegardés (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) : nginx publie MEDIA_ROOT."
        ;;
esac
mkdir -p "$destination"
final="$destination/participation-$(date +%Y%m%d-%H%M%S)"
work="$final.partial"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

# Archives a folder (an empty archive if it does not exist yet: nothing was uploaded); more
# arguments are tar options (--exclude). GNU tar exits with 1 when a file changed or vanished
# while it was read (an upload, an erasure): the archive is still usable, so that is a
# warning; anything above is an error.
archive() {
    local folder="$1" archive="$2" status=0
    shift 2
    if [[ -d "$folder" ]]; then
        tar --create --file "$archive" "$@" --directory "$folder" . || status=$?
    else
        echo "${0##*/}: $folder n'existe pas : archive vide." >&2
        tar --create --file "$archive" --files-from /dev/null || status=$?
    fi
    if ((status == 1)); then
        echo "${0##*/}: attention, des fichiers de $folder ont changé pendant l'archivage." >&2
    elif ((status > 1)); then
        die "l'archivage de $folder a échoué (tar : $status)."
    fi
}

# The database first, the files after. pg_dump reads one snapshot taken when it starts. A
# file is always written before the row that names it is committed, so every file a row of
# the dump names already exists when tar runs after it: what is uploaded meanwhile is at
# worst an orphan file in the backup, harmless. The other order would save rows whose photo
# is missing. (Only a file deleted between the two steps — an erasure, the nightly purge of
# exports — can be missing; schedule the backup away from 03:30-04:00.)
pg_dump --format=custom --no-password --file "$work/database.dump"
archive "$MEDIA_DIR" "$work/media.tar"
# Not the photos kept for a day while a form comes back (provisoires/): nothing is stored for
# good before its expression is, a backup included.
archive "$PRIVATE_DIR" "$work/private.tar" --exclude=./provisoires

# The code usually belongs to root and the backup runs as the platform's user: without
# safe.directory, git would refuse to read a repository someone else owns.
version="$(git -c safe.directory="$APP_DIR" -C "$APP_DIR" describe --always --dirty 2>/dev/null || true)"
commit="$(git -c safe.directory="$APP_DIR" -C "$APP_DIR" rev-parse HEAD 2>/dev/null || true)"
server="$(psql --no-password --no-psqlrc --tuples-only --no-align --command 'SHOW server_version' 2>/dev/null || true)"
{
    echo "# Sauvegarde de la plateforme de participation (deploy/backup.sh)"
    echo "# Vérifier : sed -n 's/^sha256: //p' $MANIFEST | sha256sum --check"
    echo "date: $(date --iso-8601=seconds)"
    echo "version: ${version:-inconnue} ${commit}"
    echo "base: $PGDATABASE sur ${PGHOST:-socket local}:${PGPORT:-5432}"
    echo "serveur PostgreSQL: ${server:-inconnu}"
    echo "pg_dump: $(pg_dump --version)"
    echo "media: $MEDIA_DIR"
    echo "prive: $PRIVATE_DIR"
    for part in "${PARTS[@]}"; do
        echo "sha256: $(cd "$work" && sha256sum "$part")"
    done
} >"$work/$MANIFEST"

mv "$work" "$final"
trap - EXIT
echo "$final"
