"""Refuse, for the whole API, query parameters that no database can store or compare."""

from django.utils.translation import gettext as _

from .errors import error_response

API_PREFIX = "/api/"


class RefuseNulBytesMiddleware:
    """A NUL character in a query parameter of /api/ is a French 400, before any view.

    PostgreSQL refuses NUL in text, so a view filtering on a raw parameter would fail with a
    server error; forms already refuse it, but API views may read parameters directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            fields = {
                name or "?": [_("Ce paramètre contient un caractère nul (\\0) : retirez-le.")]
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            }
            if fields:
                return error_response(
                    "donnees_invalides",
                    _("Certaines informations sont à corriger."),
                    status=400,
                    fields=fields,
                )
        return self.get_response(request)
