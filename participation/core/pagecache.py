"""The anonymous page cache: public pages served from the cache to visitors who are not signed in.

A public page (home, quartier, events, expressions, answers) is the same for every visitor
who is not signed in, so it is rendered once and served from the cache for at most
``ANONYMOUS_PAGE_CACHE_SECONDS`` (5 s by default; 0 turns the cache off). What that promises:

* **fresh within 5 s.** An entry is never served once it is older than the limit, counted
  from the moment its rendering *started* (what the page read from the database is at least
  that recent). A newly published expression or answer therefore appears within 5 s.
* **one copy per reading version.** The « Facile à lire » version (``easyread``, a cookie)
  is another page at the same URL: the key says which version it holds.
* **no stampede.** Shortly before the limit, one request (the one that takes a short lock)
  renders the page again while the others keep being served the entry, so a slow page is not
  rendered by every worker at once when its entry expires.
* **nobody else's data, no CSRF token.** Only requests that carry no session cookie and no
  messages cookie are looked up or stored; a response is stored only when the view opted in
  (``cache_for_anonymous``), the visitor was anonymous, the status is 200, no cookie is set
  and no CSRF token was used while rendering (a page with a POST form is never stored).

The middleware sits right after WhiteNoise, before the session, CSRF and authentication
middleware: a hit costs one cache read and none of their work (docs/performance.md). When the
cache is unreachable (Redis down), every request is a miss and pages are rendered as usual.
"""

import functools
import hashlib
import math
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse

from . import easyread

KEY_PREFIX = "page-anonyme"
REFRESH_MARGIN = 1.0  # seconds before the limit at which one request renders the page again
LOCK_SECONDS = 10
MESSAGES_COOKIE = CookieStorage.cookie_name  # a message waits for this visitor
# Response headers worth replaying; Set-Cookie never is (a response that sets one is not stored).
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Cross-Origin-Opener-Policy",
    "Referrer-Policy",
    "Vary",
    "X-Content-Type-Options",
    "X-Frame-Options",
)


def cache_for_anonymous(view):
    """Let the anonymous page cache store what ``view`` answers to visitors who are not signed in."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.anonymous_cacheable = True
        return response

    return wrapper


def lifetime() -> float:
    return float(settings.ANONYMOUS_PAGE_CACHE_SECONDS or 0)


def is_anonymous_visit(request) -> bool:
    """A GET without a session or messages cookie: nobody signed in, nothing personal pending."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def page_key(request) -> str:
    url = f"{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()
    version = f"{easyread.EASY}:" if easyread.is_on(request) else ""
    return f"{KEY_PREFIX}:{version}{digest}"


def storable(request, response) -> bool:
    user = getattr(request, "user", None)
    return (
        getattr(response, "anonymous_cacheable", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (user is not None and user.is_authenticated)
    )


def replay(entry) -> HttpResponse:
    status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = "hit"
    return response


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = lifetime()
        if not seconds or not is_anonymous_visit(request):
            return self.get_response(request)
        key = page_key(request)
        entry = servable(key, seconds)
        if entry is not None:
            return replay(entry[1])
        started = time.time()
        response = self.get_response(request)
        if storable(request, response):
            headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
            store(key, seconds, started, (response.status_code, headers, response.content))
            response["X-Cache"] = "miss"
        return response


# --- What the page cache and the other cached views share --------------------------------


def servable(key: str, seconds: float):
    """The cached ``(started, value)`` to serve, or None when the caller must compute it.

    Fresh entries are served; in the last ``REFRESH_MARGIN`` seconds of an entry's life, the
    first caller takes the lock and computes (None), the others are served the entry; past
    ``seconds`` it is never served.
    """
    entry = cache.get(key)
    if entry is None:
        return None
    age = time.time() - entry[0]
    if age < seconds - REFRESH_MARGIN:
        return entry
    if age < seconds and not cache.add(f"{key}:verrou", 1, LOCK_SECONDS):
        return entry  # another request is computing it again
    return None


def store(key: str, seconds: float, started: float, value) -> None:
    remaining = seconds - (time.time() - started)
    if remaining > 0:
        cache.set(key, (started, value), math.ceil(remaining))
    cache.delete(f"{key}:verrou")


def remember(key: str, seconds: float, compute):
    """``(value, computed_at)``: ``compute()`` at most once per ``seconds`` for all callers."""
    entry = servable(key, seconds) if seconds else None
    if entry is not None:
        return entry[1], entry[0]
    started = time.time()
    value = compute()
    if seconds:
        store(key, seconds, started, value)
    return value, started
