"""Sessions read from the cache and kept in the database, that a sign-out ends for good.

Django's ``cached_db`` store reads a session from the cache (Redis) first, so a signed-in page
does not ask PostgreSQL for it. A sign-out deletes it from both; but while Redis cannot be
reached, the cached copy stays, and once Redis is back that copy would be read again: the
signed-out session would come back to life for whoever kept its cookie.

This store notices when the cache could not forget a deleted session and then raises the
account's ``session_epoch``, which is part of every session's proof of sign-in
(``User._get_session_auth_hash``): the cached copy no longer proves anything and Django ends
it at its next use. The price, only during an outage, is that the account's other sessions
end too. Nothing is asked of the database on ordinary requests.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db.models import F

from .models import User


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._left_in_cache = False

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        DBStore.delete(self, session_key)
        delete = getattr(self._cache, "delete_or_report", None)
        if delete is None:  # a cache that is never out of reach (the embedded one)
            self._cache.delete(self.cache_key_prefix + session_key)
        elif not delete(self.cache_key_prefix + session_key):
            self._left_in_cache = True

    def flush(self):
        user_id = self.get(SESSION_KEY)
        super().flush()
        if self._left_in_cache and user_id:
            User.objects.filter(pk=user_id).update(session_epoch=F("session_epoch") + 1)
        self._left_in_cache = False
