"""Every JSON endpoint under /api/; each app adds its router's URLs here."""

from django.urls import include, path, re_path

from participation.api import schema  # noqa: F401 - registers the schema's extensions
from participation.api.docs import reference
from participation.api.views import not_found

urlpatterns = [
    path("", include("participation.territory.api")),
    path("", include("evenements.api")),
    path("", include("consultations.api")),
    path("reference/", reference, name="api-reference"),
    # Last: any other address under /api/ (but the schema and its page) answers a JSON 404.
    re_path(r"^(?!schema/|docs/)(?P<rest>.*)$", not_found),
]
