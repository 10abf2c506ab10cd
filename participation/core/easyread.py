"""The « Facile à lire » version of the pages (FALC: facile à lire et à comprendre).

A visitor switches between the usual version and the easy-to-read one from the header of
every page; the choice is kept in a cookie of this browser for a year. A cookie rather than
the account: it works the same for visitors and signed-in residents, before and after they
sign in, and it is read before the session, so that the anonymous page cache
(``pagecache.page_key``) keeps one copy of each version apart. Nothing personal is in it.

This module is the one place that reads the preference: the context processor gives
``easy_read`` to every template, the page cache adds it to its key.
"""

from django.conf import settings

COOKIE_NAME = "lecture"
EASY = "facile"  # the cookie's value, and the ``version`` a link asks for
USUAL = "habituelle"  # the other ``version``: the cookie is removed
MAX_AGE = 365 * 24 * 60 * 60


def is_on(request) -> bool:
    """Whether this browser asked for the « Facile à lire » version."""
    return request.COOKIES.get(COOKIE_NAME) == EASY


def remember(response, version: str) -> None:
    """Keep ``version`` (``EASY`` or ``USUAL``) for this browser; any other value changes nothing."""
    if version == EASY:
        response.set_cookie(
            COOKIE_NAME,
            EASY,
            max_age=MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    elif version == USUAL:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
