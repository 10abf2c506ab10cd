"""Pagination of every list of the API: ``?page=2`` and ``?taille=100`` (100 at most)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, serializers

from .errors import PageNotFound
from .query import QueryParameters, as_openapi, checked

MAX_PAGE_SIZE = 100


class PageParameters(QueryParameters):
    page = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Numéro de la page (à partir de 1).")
    )
    taille = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=_("Nombre de résultats par page (100 au plus)."),
    )


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``.

    ``page`` and ``taille`` of the wrong form (not a whole number, 0, 101) are a French 400;
    a page past the last one is a French 404.
    """

    page_size_query_param = "taille"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        checked(PageParameters, request)
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            page = request.query_params.get(self.page_query_param, "")
            raise PageNotFound(
                _("La page « %(page)s » n'existe pas dans cette liste.") % {"page": page[:20]}
            ) from exc

    def get_schema_operation_parameters(self, view):
        return as_openapi(view.schema, PageParameters)
