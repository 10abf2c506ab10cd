"""Pagination of every list of the API: ``?page=2`` and ``?taille=100`` (100 at most)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination

from .errors import PageNotFound


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; an impossible page is a French 404."""

    page_size_query_param = "taille"
    page_size_query_description = _("Nombre de résultats par page (100 au plus).")
    page_query_description = _("Numéro de la page (à partir de 1).")
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            page = request.query_params.get(self.page_query_param, "")
            raise PageNotFound(
                _("La page « %(page)s » n'existe pas dans cette liste.") % {"page": page[:20]}
            ) from exc
