"""Routes of the référent's pages, under /gestion/ beside the « Espace référent »."""

from django.urls import path

from . import views

# Mounted in the « consultations » namespace by consultations/urls.py, before the
# residents' routes: « consultations/nouvelle/ » must not be read as a consultation's slug.
# Creating and changing a consultation keep the addresses they had before this page existed.
urlpatterns = [
    path("consultations/nouvelle/", views.consultation_edit, name="consultation_create"),
    path("consultations/<slug:slug>/modifier/", views.consultation_edit, name="consultation_edit"),
    path("gestion/consultations/", views.consultations, name="gestion_consultations"),
    path(
        "gestion/consultations/<slug:slug>/ouvrir/",
        views.consultation_open,
        name="gestion_consultation_open",
    ),
    path(
        "gestion/consultations/<slug:slug>/clore/",
        views.consultation_close,
        name="gestion_consultation_close",
    ),
    path("gestion/instances/", views.instances, name="gestion_instances"),
    path("gestion/instances/nouvelle/", views.instance_create, name="gestion_instance_create"),
    path("gestion/instances/<slug:slug>/", views.instance_edit, name="gestion_instance"),
    path(
        "gestion/instances/<slug:slug>/membres/",
        views.instance_member_add,
        name="gestion_instance_member_add",
    ),
    path(
        "gestion/instances/<slug:slug>/membres/<int:pk>/retirer/",
        views.instance_member_remove,
        name="gestion_instance_member_remove",
    ),
]
