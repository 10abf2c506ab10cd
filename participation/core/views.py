from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participation.core.pagecache import cache_for_anonymous
from participation.territory.models import Quartier

from . import hooks
from .health import run_checks


@cache_for_anonymous
@require_GET
def home(request):
    quartiers = Quartier.objects.order_by("position").only(
        "slug", "name", "short_name", "population", "population_approximate", "summary"
    )
    context = {"quartiers": quartiers, **hooks.page_context("home", request)}
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def sante(request):
    healthy, report = run_checks()
    return JsonResponse(
        {"etat": "ok" if healthy else "degrade", "services": report},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )


@cache_for_anonymous
@require_GET
def mentions_legales(request):
    return render(request, "core/legal/mentions_legales.html")


@cache_for_anonymous
@require_GET
def donnees_personnelles(request):
    return render(request, "core/legal/donnees_personnelles.html")


@cache_for_anonymous
@require_GET
def accessibilite(request):
    return render(request, "core/legal/accessibilite.html")


@require_GET
def bench_ceiling(request):
    """The ceiling of the stack for the performance bench (docs/performance.md).

    The same middleware as every page, but no template, no session read and no SQL:
    what a page costs is measured against what this one costs on the same server.
    """
    return HttpResponse("Bonjour, Auchel.\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    # Rendered without the request, as Django's own: its context processors read the session
    # and the user from the database, which may be what just failed (docs/pannes.md).
    return HttpResponseServerError(render_to_string("errors/500.html"))
