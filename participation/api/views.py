"""The API's answer to an address that does not exist: the same French error format."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from .errors import CODES, error_response


@csrf_exempt
def not_found(request, rest=""):
    path = request.path
    if not path.endswith("/"):
        # What CommonMiddleware's APPEND_SLASH would do, had this view not matched.
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(path + "/" + (f"?{query}" if query else ""))
    return error_response("introuvable", CODES["introuvable"], status=404)
