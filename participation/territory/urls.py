from django.urls import path

from . import views
from .gestion import views as gestion

app_name = "territory"

urlpatterns = [
    path("quartiers/<slug:slug>/", views.quartier_detail, name="quartier"),
    path("pilotage/", views.pilotage, name="pilotage"),
    path("mediation/", views.mediation, name="mediation"),
    path(
        "gestion/communes/<slug:slug>/mediation/",
        gestion.commune_mediation,
        name="commune_mediation",
    ),
    path("referentiel/historique/", views.history, name="history"),
    path("gestion/referentiel/", gestion.index, name="referentiel_manage"),
    path(
        "gestion/referentiel/communes/<slug:slug>/referentiel.json",
        gestion.referentiel_export,
        name="referentiel_export",
    ),
    path("gestion/referentiel/importer/", gestion.referentiel_import, name="referentiel_import"),
    path("gestion/referentiel/quartiers/<slug:slug>/", gestion.quartier_edit, name="quartier_edit"),
    path(
        "gestion/referentiel/quartiers/<slug:slug>/constats/ajouter/",
        gestion.finding_add,
        name="finding_add",
    ),
    path(
        "gestion/referentiel/quartiers/<slug:slug>/objectifs/ajouter/",
        gestion.objectif_add,
        name="objectif_add",
    ),
    path("gestion/referentiel/chiffres/<int:pk>/", gestion.indicator_edit, name="indicator_edit"),
    path("gestion/referentiel/constats/<int:pk>/", gestion.finding_edit, name="finding_edit"),
    path("gestion/referentiel/enjeux/<int:pk>/", gestion.enjeu_edit, name="enjeu_edit"),
    path("gestion/referentiel/objectifs/<int:pk>/", gestion.objectif_edit, name="objectif_edit"),
    path(
        "gestion/referentiel/objectifs/<int:pk>/retrait/",
        gestion.objectif_retire,
        name="objectif_retire",
    ),
    path(
        "gestion/referentiel/objectifs/<int:pk>/remise/",
        gestion.objectif_restore,
        name="objectif_restore",
    ),
    path("gestion/referentiel/avenants/nouveau/", gestion.avenant_edit, name="avenant_add"),
    path("gestion/referentiel/avenants/<int:pk>/", gestion.avenant_edit, name="avenant_edit"),
]
