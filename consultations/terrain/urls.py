from django.urls import path

from . import views

app_name = "terrain"

urlpatterns = [
    path("", views.terrain, name="page"),
    path("sw.js", views.service_worker, name="service_worker"),
]
