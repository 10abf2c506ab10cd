"""Staff sessions end after ``STAFF_IDLE_TIMEOUT_MINUTES`` without a request of theirs.

A staff session reads personal data (the moderation queue, registrations, the committee's
exports): left open on a shared computer, it must not stay usable for the next person. The
session keeps the time of the person's last request, written at most once a minute
(``SEEN_RESOLUTION``) so that an ordinary request does not write the session; the limit is
therefore kept to the minute. Residents' sessions are not concerned.

What a page's script fetches by itself is not activity: a GET sent by ``fetch()`` (a live
counter, a row fetched when a live event arrives) would keep an unattended screen signed in
for as long as events come. Browsers say so in ``Sec-Fetch-Mode``; one that does not send it
counts every request.
"""

from django.conf import settings

LAST_SEEN = "staff_last_seen"
SEEN_RESOLUTION = 60  # seconds


def has_idle_timeout(user) -> bool:
    """Staff roles and administrators: their sessions end when left idle."""
    return user.is_authenticated and (user.is_staff_role or user.is_superuser)


def is_idle(session, now: float) -> bool:
    seen = session.get(LAST_SEEN)
    return seen is not None and now - seen > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60


def is_activity(request) -> bool:
    """Whether the person made ``request`` (a page, a form), not a page's script on its own."""
    mode = request.headers.get("Sec-Fetch-Mode")
    return request.method not in {"GET", "HEAD"} or mode in {None, "navigate"}


def is_navigation(request) -> bool:
    """A page the person asked for, which can be answered by the sign-in page."""
    return request.method in {"GET", "HEAD"} and is_activity(request)


def note_activity(session, now: float) -> None:
    seen = session.get(LAST_SEEN)
    if seen is None or now - seen >= SEEN_RESOLUTION:
        session[LAST_SEEN] = int(now)
