import posixpath
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults, static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participation.core.pagecache import cache_for_anonymous
from participation.territory.models import Quartier

from . import bodylimit, easyread, hooks, legal, sitemaps
from .addresses import absolute_url
from .fragments import render_fragment, state
from .health import may_read_details, public, run_checks
from .redirects import safe_next


@cache_for_anonymous
@require_GET
def home(request):
    """The quartiers, grouped by the commune that carries them when the platform serves
    several; a resident's own quartier and commune first (``nearest_first``)."""
    quartiers = list(
        Quartier.objects.nearest_first(request.user)
        .select_related("commune")
        .only(
            "slug",
            "name",
            "short_name",
            "population",
            "population_approximate",
            "summary",
            "commune__name",
        )
    )
    easy_read = easyread.is_on(request)
    context = {
        # Drawn from the quartiers as read (in her order, with their communes) and nothing
        # else: an edit of one makes another drawing.
        "quartiers_section": render_fragment(
            "core/_home_quartiers.html",
            lambda: _quartiers_context(quartiers, easy_read),
            material=(tuple(state(quartier) for quartier in quartiers), easy_read),
        ),
        **hooks.page_context("home", request),
    }
    return render(request, "core/home.html", context)


def _quartiers_context(quartiers, easy_read: bool) -> dict:
    communes: dict[int, tuple] = {}
    for quartier in quartiers:
        communes.setdefault(quartier.commune_id, (quartier.commune, []))[1].append(quartier)
    return {
        "quartiers": quartiers,
        "communes": list(communes.values()) if len(communes) > 1 else [],
        "easy_read": easy_read,
    }


@never_cache
@require_GET
def sante(request):
    healthy, report = run_checks()
    if not may_read_details(request):
        report = public(report)
    return JsonResponse(
        {"etat": "ok" if healthy else "degrade", "services": report},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def robots(request):
    """``/robots.txt``: every public page may be read, the private areas are left alone, and
    the sitemap says where the public pages are."""
    sitemap_url = absolute_url(reverse("sitemap"))
    return HttpResponse(sitemaps.robots_txt(sitemap_url), content_type="text/plain; charset=utf-8")


@cache_for_anonymous
@require_GET
def mentions_legales(request):
    return render(
        request, "core/legal/mentions_legales.html", legal.page_context("mentions_legales")
    )


@cache_for_anonymous
@require_GET
def donnees_personnelles(request):
    return render(
        request, "core/legal/donnees_personnelles.html", legal.page_context("donnees_personnelles")
    )


@cache_for_anonymous
@require_GET
def accessibilite(request):
    return render(request, "core/legal/accessibilite.html", legal.page_context("accessibilite"))


@never_cache
@require_GET
def easy_read(request):
    """« Facile à lire » or « Version habituelle » (``?version=facile|habituelle``), then
    back to the page it was asked from (``next``, on this site only; the home page otherwise).

    A link rather than a form, so that the pages offering it stay free of CSRF tokens (and
    cacheable for visitors); it only sets a display preference, the same whatever the number
    of clicks.
    """
    response = HttpResponseRedirect(safe_next(request, "/"))
    easyread.remember(response, request.GET.get("version", ""))
    return response


@require_GET
def bench_ceiling(request):
    """The ceiling of the stack for the performance bench (docs/performance.md).

    The same middleware as every page, but no template, no session read and no SQL:
    what a page costs is measured against what this one costs on the same server.
    """
    return HttpResponse("Bonjour, Auchel.\n", content_type="text/plain; charset=utf-8")


@require_GET
def media(request, path):
    """Embedded mode only: the public uploads under ``MEDIA_ROOT`` (event images).

    In production nginx serves ``/media/`` and this answers 404. Private files (expression
    photos, exports) live under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``: nothing that
    leads out of ``MEDIA_ROOT`` (a symbolic link) or into ``PRIVATE_MEDIA_ROOT`` (configured
    inside it) is served.
    """
    if not settings.EMBEDDED:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / posixpath.normpath(path).lstrip("/")).resolve()
    private = settings.PRIVATE_MEDIA_ROOT
    if not target.is_relative_to(root) or (
        private and target.is_relative_to(Path(private).resolve())
    ):
        raise Http404
    return static.serve(request, str(target.relative_to(root)), document_root=root)


def bad_request(request, exception=None):
    """A body too large to parse (``RequestDataTooBig``) is the French 413; others a 400."""
    if isinstance(exception, RequestDataTooBig):
        return bodylimit.too_large(request)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    # Rendered without the request, as Django's own: its context processors read the session
    # and the user from the database, which may be what just failed (docs/pannes.md).
    return HttpResponseServerError(render_to_string("errors/500.html"))
