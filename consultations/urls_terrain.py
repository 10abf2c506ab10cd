from django.urls import path

from . import views_terrain

app_name = "terrain"

urlpatterns = [
    path("", views_terrain.terrain, name="page"),
    path("sw.js", views_terrain.service_worker, name="service_worker"),
]
