"""Where expression photos live: a folder no web server serves.

Photos are only ever sent by the photo view, after it has checked who may see the
expression. The folder is ``PRIVATE_MEDIA_ROOT`` if set, else ``private/`` beside
``MEDIA_ROOT`` (never inside it, so a server publishing ``MEDIA_ROOT`` cannot reach it).
"""

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def private_root() -> Path:
    configured = settings.PRIVATE_MEDIA_ROOT
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "private"


@deconstructible(path="consultations.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A file system storage without URL; its folder follows the settings at each use."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return private_root()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


private_storage = PrivateStorage()

logger = logging.getLogger(__name__)


def delete_files(names: Iterable[str]) -> None:
    """Delete these private files; one that cannot be deleted is logged, the others go on."""
    for name in names:
        try:
            private_storage.delete(name)
        except OSError:
            logger.warning("Private file %s could not be deleted", name, exc_info=True)


# The files written by the block of ``files_undone_on_error`` running now, if any.
_written: ContextVar[list[str] | None] = ContextVar("consultations_written_files", default=None)


@contextmanager
def files_undone_on_error() -> Iterator[None]:
    """Delete the files written inside the block (``note_written``) when the block fails.

    A photo is written before the row that names it; wrapped around that row's transaction,
    this deletes the photo when the transaction is rolled back, instead of leaving a resident's
    photo that no expression names, and so no moderation, export or erasure reaches. A block
    inside another hands what it wrote to the enclosing one, which deletes it too if it fails
    later (the field sync's savepoint around a submission's own transaction).
    """
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        delete_files(written)  # never hides the error that undid the block
        raise
    finally:
        _written.reset(token)
    enclosing = _written.get()
    if enclosing is not None:
        enclosing.extend(written)


def note_written(name: str) -> None:
    """A file just written to the private storage, for ``files_undone_on_error``."""
    written = _written.get()
    if written is not None:
        written.append(name)
