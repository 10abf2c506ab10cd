"""Where expression photos live: a folder no web server serves.

Photos are only ever sent by the photo view, after it has checked who may see the
expression. The folder is ``PRIVATE_MEDIA_ROOT`` if set, else ``private/`` beside
``MEDIA_ROOT`` (never inside it, so a server publishing ``MEDIA_ROOT`` cannot reach it).
"""

import os
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
