"""Every JSON endpoint under /api/; each app adds its router's URLs here."""

from django.urls import include, path

urlpatterns = [
    path("", include("participation.territory.api")),
    path("", include("evenements.api")),
    path("", include("consultations.api")),
]
