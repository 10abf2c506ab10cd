"""Photos kept while a form comes back, so that a resident never chooses hers again.

A form sent with a photo may come back: a message left empty, the « Afficher les objectifs
de ce quartier » button without JavaScript, the rate limit. A browser cannot fill a file
input again, so the photo waits here between the two sendings:

* checked from its header only and stored as sent, unread: a form that comes back never
  decodes its photo (issue 15: work is bounded before any is done);
* in the private storage (``provisoires/``, never under MEDIA_ROOT, never served as sent,
  left out of backups), named by an unguessable token;
* decoded and re-encoded without metadata, its faces blurred (``images.clean_photo``) the
  first time it is needed: when her browser asks for the thumbnail, or when the corrected
  form stores it. The file as sent is then deleted; nobody, not even she, ever receives it.
  A photo is decoded once; how many faces were blurred waits beside it (``faces_name``);
* bound to the session and the account that sent it: the token is listed in that session
  only, and ``KeptPhotos.get`` answers nothing for any other (another session's token, a
  guessed one and an expired one all look alike: absent);
* for a day at most: the expression that takes it copies it and deletes it once stored
  (``services._create_once``), « Retirer » deletes it at once, and the beat task
  ``consultations.tasks.purge_kept_photos`` deletes whatever is older than ``LIFETIME``.

It is never an expression's photo before the expression is stored.
"""

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core import images

from ..storage import private_storage

FOLDER = "provisoires"
LIFETIME = timedelta(hours=24)
SESSION_KEY = "consultations.kept_photos"
# A session keeps the last few only (several tabs, several tries): the rest waits for the purge.
MAX_PER_SESSION = 5

# What the resident chooses for a kept photo (the form's « photo_choice »).
KEEP, REMOVE, REPLACE = "garder", "retirer", "remplacer"

# Said the same whether the photo was taken by the same form sent twice, is older than a day,
# or was never this session's: nothing tells whose it is.
GONE = _(
    "La photo gardée n'est plus disponible : choisissez-la à nouveau, ou envoyez votre "
    "message sans photo."
)


@dataclass(frozen=True)
class KeptPhoto:
    token: str

    @property
    def sent_name(self) -> str:
        """The file as sent, until it is first needed: never served."""
        return f"{FOLDER}/{self.token}.envoi"

    @property
    def name(self) -> str:
        return f"{FOLDER}/{self.token}.jpg"

    @property
    def thumbnail_name(self) -> str:
        return f"{FOLDER}/{self.token}-mini.jpg"

    @property
    def faces_name(self) -> str:
        """How many faces were blurred when it was decoded: the expression records it."""
        return f"{FOLDER}/{self.token}-visages.txt"

    def exists(self) -> bool:
        return private_storage.exists(self.name) or private_storage.exists(self.sent_name)

    def read(self) -> images.CleanImage | None:
        """The photo re-encoded without metadata, decoded now if it was not yet; None once it
        is gone (taken, or too old). Raises ValidationError for a photo that cannot be read
        (it is then forgotten)."""
        try:
            with private_storage.open(self.name, "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            return self._clean_sent()
        try:
            with private_storage.open(self.faces_name, "rb") as handle:
                found = int(handle.read() or 0)
        except (FileNotFoundError, ValueError):
            # Kept before faces were blurred: blurred now, never stored with its faces.
            return images.clean_photo(ContentFile(content), blur_faces=True)
        # Its header gives the size (nothing decoded): it is our own JPEG.
        width, height = images.Image.open(io.BytesIO(content)).size
        return images.CleanImage(content=content, width=width, height=height, faces_blurred=found)

    def _clean_sent(self) -> images.CleanImage | None:
        try:
            with private_storage.open(self.sent_name, "rb") as sent:
                clean = images.clean_photo(sent, blur_faces=True)
        except FileNotFoundError:
            return None
        except ValidationError:
            self.delete()
            raise
        small = images.make_thumbnail(clean.content)
        # The count first: a photo read without it would be taken for one kept before faces
        # were blurred, and blurred again.
        for name, content in (
            (self.faces_name, str(clean.faces_blurred).encode()),
            (self.name, clean.content),
            (self.thumbnail_name, small.content),
        ):
            saved = private_storage.save(name, ContentFile(content))
            if saved != name:  # taken meanwhile by the same photo's other request: keep one
                private_storage.delete(saved)
        private_storage.delete(self.sent_name)
        return clean

    def open_thumbnail(self):
        """The small image the form shows, made now if it was not yet; raises
        FileNotFoundError once it is gone, ValidationError if it cannot be read."""
        if not private_storage.exists(self.thumbnail_name) and self._clean_sent() is None:
            raise FileNotFoundError(self.thumbnail_name)
        return private_storage.open(self.thumbnail_name, "rb")

    def delete(self) -> None:
        for name in (self.sent_name, self.name, self.thumbnail_name, self.faces_name):
            private_storage.delete(name)  # nothing to do when it is gone already


def digest(uploaded) -> str:
    """The same file sent twice (a form sent again) is kept once."""
    uploaded.seek(0)
    value = hashlib.sha256(uploaded.read(images.MAX_BYTES + 1)).hexdigest()
    uploaded.seek(0)
    return value


class KeptPhotos:
    """The photos kept for one session, as seen by the account signed in to it."""

    def __init__(self, session, user):
        self.session = session
        self.user_id = getattr(user, "pk", None)

    def _entries(self) -> dict:
        entries = self.session.get(SESSION_KEY)
        return entries if isinstance(entries, dict) else {}

    def _is_valid(self, entry) -> bool:
        if not isinstance(entry, dict) or self.user_id is None:
            return False
        age = timezone.now().timestamp() - entry.get("at", 0)
        return entry.get("user") == self.user_id and 0 <= age < LIFETIME.total_seconds()

    def get(self, token) -> KeptPhoto | None:
        """The photo this session kept under ``token``, or None (whatever the reason)."""
        if not isinstance(token, str) or not token:
            return None
        entry = self._entries().get(token)
        if not self._is_valid(entry):
            return None
        return KeptPhoto(token=token)

    def find(self, file_digest: str) -> KeptPhoto | None:
        """The same file, kept already by this session and still there."""
        for token, entry in self._entries().items():
            if self._is_valid(entry) and entry.get("digest") == file_digest:
                photo = self.get(token)
                if photo is not None and photo.exists():
                    return photo
        return None

    def add(self, uploaded, file_digest: str) -> KeptPhoto:
        """Store a checked photo as sent, unread, for this session (see the module's text)."""
        photo = KeptPhoto(token=secrets.token_urlsafe(32))
        uploaded.seek(0)
        saved = private_storage.save(photo.sent_name, ContentFile(uploaded.read()))
        uploaded.seek(0)
        if saved != photo.sent_name:  # never happens with 256 random bits; never mix files
            private_storage.delete(saved)
            raise FileExistsError(photo.sent_name)
        entries = {t: e for t, e in self._entries().items() if self._is_valid(e)}
        entries[photo.token] = {
            "user": self.user_id,
            "digest": file_digest,
            "at": timezone.now().timestamp(),
        }
        self.session[SESSION_KEY] = dict(list(entries.items())[-MAX_PER_SESSION:])
        return photo

    def forget(self, photo: KeptPhoto) -> None:
        """« Retirer »: the photo and its thumbnail are deleted at once."""
        photo.delete()
        entries = self._entries()
        if photo.token in entries:
            entries = {t: e for t, e in entries.items() if t != photo.token}
            self.session[SESSION_KEY] = entries


def purge(*, older_than: timedelta = LIFETIME) -> int:
    """Delete the kept photos (and thumbnails) older than ``older_than``; returns the files."""
    cutoff = timezone.now() - older_than
    try:
        _folders, files = private_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for filename in files:
        name = f"{FOLDER}/{filename}"
        try:
            if private_storage.get_modified_time(name) < cutoff:
                private_storage.delete(name)
                deleted += 1
        except FileNotFoundError:  # taken by its expression meanwhile
            continue
    return deleted
