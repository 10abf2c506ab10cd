"""The anonymous page cache: fast public pages that stay fresh and never leak anything personal."""

import pytest
from django.db import connection
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from consultations.models import Status
from consultations.moderation import services as moderation
from participation.core import pagecache

from .factories import ExpressionFactory


@pytest.fixture
def page_cache(settings, cache_clock):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 5
    return cache_clock


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response, len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/quartiers/rimbart/", "/expressions/?quartier=rimbart&q=rue", "/evenements/"]
)
def test_a_public_page_is_served_from_the_cache_without_sql(client, page_cache, rimbart, url):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="La rue est sombre.")
    first, first_queries = get(client, url)
    again, again_queries = get(client, url)

    assert first["X-Cache"] == "miss" and first_queries > 0
    assert again["X-Cache"] == "hit" and again_queries == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_published_expression_appears_within_five_seconds(client, page_cache, rimbart, mediateur):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Premier avis publié.")
    waiting = ExpressionFactory(quartier=rimbart, status=Status.SOUMISE, text="Avis en attente.")
    url = "/expressions/?quartier=rimbart"
    assert b"Avis en attente." not in get(client, url)[0].content

    page_cache.advance(0.5)
    moderation.publish(waiting, actor=mediateur)
    page_cache.advance(0.5)
    assert b"Avis en attente." not in get(client, url)[0].content  # still the cached page

    page_cache.advance(4.0)  # five seconds after the page was rendered
    fresh, _ = get(client, url)
    assert fresh["X-Cache"] == "miss"
    assert b"Avis en attente." in fresh.content


@pytest.mark.django_db
def test_a_signed_in_page_is_neither_stored_nor_served_from_the_cache(
    client, page_cache, client_for, alice, rimbart
):
    signed_in = client_for(alice)
    mine, _ = get(signed_in, "/")
    assert "Se déconnecter".encode() in mine.content and "X-Cache" not in mine

    client.logout()
    anonymous, _ = get(client, "/")
    assert anonymous["X-Cache"] == "miss"
    assert "Se déconnecter".encode() not in anonymous.content
    assert b"csrfmiddlewaretoken" not in anonymous.content

    # Signed in again, the cached anonymous page is not what Alice sees.
    client.force_login(alice)
    again, _ = get(client, "/")
    assert "X-Cache" not in again and "Se déconnecter".encode() in again.content


@pytest.mark.django_db
def test_a_visitor_with_a_session_or_pending_messages_gets_a_rendered_page(
    client, page_cache, rimbart
):
    get(client, "/")
    client.cookies["messages"] = "quelque-chose"
    assert "X-Cache" not in get(client, "/")[0]
    del client.cookies["messages"]
    client.cookies["sessionid"] = "inconnue"
    assert "X-Cache" not in get(client, "/")[0]


def test_a_page_that_used_a_csrf_token_or_set_a_cookie_is_not_stored(
    page_cache, settings, rf: RequestFactory
):
    from django.http import HttpResponse

    from participation.core.pagecache import AnonymousPageCacheMiddleware, cache_for_anonymous

    @cache_for_anonymous
    def with_form(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @cache_for_anonymous
    def with_cookie(request):
        response = HttpResponse("bonjour")
        response.set_cookie("choix", "1")
        return response

    @cache_for_anonymous
    def plain(request):
        return HttpResponse("bonjour")

    for view, stored in ((with_form, False), (with_cookie, False), (plain, True)):
        middleware = AnonymousPageCacheMiddleware(view)
        request = rf.get(f"/{view.__name__}/")
        middleware(request)
        assert (middleware(rf.get(f"/{view.__name__}/")).get("X-Cache") == "hit") is stored


def test_when_the_entry_is_being_rendered_again_the_others_are_served_the_cached_page(
    page_cache, rf
):
    from django.core.cache import cache
    from django.http import HttpResponse

    from participation.core.pagecache import AnonymousPageCacheMiddleware, cache_for_anonymous

    renders = []

    @cache_for_anonymous
    def slow(request):
        renders.append(1)
        return HttpResponse(f"rendu {len(renders)}")

    middleware = AnonymousPageCacheMiddleware(slow)
    middleware(rf.get("/lent/"))
    key = pagecache.page_key(rf.get("/lent/"))

    page_cache.advance(4.2)  # in the last second: one request renders the page again…
    assert cache.add(f"{key}:verrou", 1, 10)  # …and it is already being rendered
    assert middleware(rf.get("/lent/")).content == b"rendu 1"
    assert len(renders) == 1

    cache.delete(f"{key}:verrou")
    assert middleware(rf.get("/lent/")).content == b"rendu 2"  # this one renders it again
    assert middleware(rf.get("/lent/")).content == b"rendu 2"

    page_cache.advance(5.0)  # past the limit the entry is never served, lock or not
    cache.add(f"{key}:verrou", 1, 10)
    assert middleware(rf.get("/lent/")).content == b"rendu 3"


def test_no_cache_when_turned_off(settings, rf):
    from django.http import HttpResponse

    from participation.core.pagecache import AnonymousPageCacheMiddleware, cache_for_anonymous

    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    middleware = AnonymousPageCacheMiddleware(cache_for_anonymous(lambda r: HttpResponse("x")))
    middleware(rf.get("/"))
    assert "X-Cache" not in middleware(rf.get("/"))
