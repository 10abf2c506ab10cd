"""Photo files that no expression names, deleted once they are a day old.

A photo is written before the row that names it. When that row's transaction fails, the file
goes with it (``storage.files_undone_on_error``); when the process is killed in between (a
restart, the memory killer), nothing runs and the file stays: a resident's photo that no
moderation, export or erasure would ever reach. Every night, the files under ``expressions/``
that no expression names (as its photo or thumbnail) and older than a day are deleted. A day
is far longer than any transaction, so a photo whose row is about to be stored is never taken.
"""

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import Expression
from ..storage import delete_files, private_storage

FOLDER = "expressions"
GRACE = timedelta(days=1)
BATCH = 500  # names looked up per query


def _files(folder: str) -> Iterator[str]:
    folders, files = private_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for inner in folders:
        yield from _files(f"{folder}/{inner}")


def _named(names: list[str]) -> set[str]:
    named: set[str] = set()
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        rows = Expression.objects.filter(Q(photo__in=batch) | Q(thumbnail__in=batch))
        for photo, thumbnail in rows.values_list("photo", "thumbnail"):
            named.update((photo, thumbnail))
    return named


def purge(*, older_than: timedelta = GRACE) -> int:
    """Delete the expression photo files no expression names, older than ``older_than``;
    returns how many."""
    cutoff = timezone.now() - older_than
    try:
        old = [name for name in _files(FOLDER) if private_storage.get_modified_time(name) < cutoff]
    except FileNotFoundError:  # no photo yet, or one deleted while the folder was read
        return 0
    orphans = set(old) - _named(old)
    delete_files(orphans)
    return len(orphans)
