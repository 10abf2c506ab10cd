"""The size of a request's body: refused, in French, before anything reads it.

``MAX_REQUEST_BODY_BYTES`` (12 MiB, nginx's ``client_max_body_size 12m``) bounds the whole
body, files included: Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` counts only the fields that
are not files. A request whose ``Content-Length`` is larger gets a 413 before its body is read
or parsed, and before any view runs: a French page for people, the API's French JSON error
under ``/api/``. Django's ``RequestDataTooBig`` (too many bytes of fields, found while
parsing) gets the same answer through ``handler400`` (``participation.core.views``).

Behind nginx, nginx refuses first with its own static page (``static/erreurs/413.html``);
this answers when Django is reached directly (embedded mode, a proxy configured otherwise).
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from participation.api.errors import error_response, too_large_message
from participation.api.middleware import API_PREFIX

STATUS = 413


def limit_label() -> str:
    """« 12,0 Mo »: the limit as people read it."""
    return filesizeformat(settings.MAX_REQUEST_BODY_BYTES)


def too_large(request) -> HttpResponse:
    """The French 413: the API's JSON error under /api/, a page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return error_response("trop_volumineux", too_large_message(), status=STATUS)
    return render(request, "errors/413.html", {"limit": limit_label()}, status=STATUS)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body from a request without a valid length


class RequestBodyLimitMiddleware:
    """A body declared larger than ``MAX_REQUEST_BODY_BYTES`` is a French 413, unread.

    Placed after the middleware that add the security headers, so that the page gets them:
    those before it do not read the body (only views, and ``process_view`` hooks such as the
    CSRF check, which run after every middleware's request phase, do).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _declared_length(request) > settings.MAX_REQUEST_BODY_BYTES:
            return too_large(request)
        return self.get_response(request)
