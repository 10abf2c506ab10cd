#!/usr/bin/env bash
# Restauration d'une sauvegarde faite par deploy/backup.sh.
#
#   deploy/restore.sh [--force] SAUVEGARDE
#
# SAUVEGARDE is a folder written by backup.sh (participation-AAAAMMJJ-HHMMSS). With the
# platform's environment, and the platform stopped:
#   1. checks the sha256 of every part against the manifest;
#   2. checks that the database of DATABASE_URL exists and is empty (create it first, owned
#      by the platform's role: createdb --owner=participation participation);
#   3. checks that MEDIA_ROOT and the private folder are absent or empty (--force: unpack
#      over what they hold);
#   4. restores the dump in one transaction (--no-owner: the objects belong to the role of
#      DATABASE_URL), then unpacks the two archives.
# Nothing is written before every check has passed. Then: manage.py migrate, empty the Redis
# database, start the platform (README « Sauvegarde et restauration »).
set -euo pipefail

# shellcheck source=deploy/backup-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/backup-common.sh"

usage() {
    echo "usage: ${0##*/} [--force] SAUVEGARDE" >&2
    exit 2
}
force=0
if [[ "${1:-}" == --force ]]; then
    force=1
    shift
fi
[[ $# -eq 1 && "$1" != -* ]] || usage
backup="$(cd "$1" 2>/dev/null && pwd)" || die "$1 n'est pas un dossier."

# --- 1. The backup is whole ----------------------------------------------------------------
[[ -f "$backup/$MANIFEST" ]] || die "$backup/$MANIFEST est absent : ce n'est pas une sauvegarde complète."
for part in "${PARTS[@]}"; do
    grep --quiet --extended-regexp "^sha256: [0-9a-f]{64}  $part\$" "$backup/$MANIFEST" ||
        die "le manifeste ne donne pas la somme de contrôle de $part."
done
if ! (cd "$backup" && sed -n 's/^sha256: //p' "$MANIFEST" | sha256sum --check --strict --quiet); then
    die "somme de contrôle incorrecte : la sauvegarde $backup est abîmée, rien n'a été restauré."
fi

# --- 2. The database is there and empty ----------------------------------------------------
load_database_url
command -v pg_restore >/dev/null || die "pg_restore est introuvable (apt-get install postgresql-client)."
relations="$(psql --no-password --no-psqlrc --tuples-only --no-align --command "
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'")" ||
    die "la base $PGDATABASE est injoignable ; créez-la d'abord, vide : createdb --owner=<rôle> $PGDATABASE"
((relations == 0)) ||
    die "la base $PGDATABASE n'est pas vide ($relations objets) : restaurez dans une base neuve."

# --- 3. The folders are free ---------------------------------------------------------------
load_media_dirs
for folder in "$MEDIA_DIR" "$PRIVATE_DIR"; do
    if ((!force)) && [[ -d "$folder" ]] && [[ -n "$(ls -A "$folder")" ]]; then
        die "$folder n'est pas vide : videz-le, ou relancez avec --force pour écrire par-dessus."
    fi
done

# --- 4. Restore ------------------------------------------------------------------------------
echo "Restauration de $backup"
sed -n 's/^\(date\|version\|base\|pg_dump\): /  \1 : /p' "$backup/$MANIFEST"
# One transaction: a restore that fails leaves the database as empty as it found it.
# --no-privileges: the grants of the old server name roles this one may not have.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --no-password \
    --dbname "$PGDATABASE" "$backup/database.dump"
mkdir -p "$MEDIA_DIR" "$PRIVATE_DIR"
tar --extract --no-same-owner --file "$backup/media.tar" --directory "$MEDIA_DIR"
tar --extract --no-same-owner --file "$backup/private.tar" --directory "$PRIVATE_DIR"
# Residents' photos and the committee's exports: no other account of the server reads them
# (README, var/private created 750), whatever the folder's mode where the backup was made.
chmod o-rwx "$PRIVATE_DIR"

cat <<EOF
Restauré : base $PGDATABASE, $MEDIA_DIR, $PRIVATE_DIR.
Ensuite : .venv/bin/python manage.py migrate (une version plus récente du code complète le
schéma), videz la base Redis de REDIS_URL (cache, files Celery), puis démarrez la plateforme.
EOF
