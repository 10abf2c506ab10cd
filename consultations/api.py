"""The JSON endpoints of the app, composed from its features (mounted under /api/)."""

from django.urls import include, path

urlpatterns = [
    path("", include("consultations.expressions.api")),
    path("", include("consultations.terrain.api")),
    path("", include("consultations.opendata.api")),
]
