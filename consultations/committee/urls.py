"""Routes of the committee (comité, référent) and the public « vous avez dit, nous avons fait »."""

from django.urls import path

from . import views

# Mounted in the « consultations » namespace by consultations/urls.py.
urlpatterns = [
    path("comite/", views.committee_dashboard, name="committee_dashboard"),
    path("comite/transmis/", views.committee_waiting, name="committee_waiting"),
    path("comite/export/<slug:format>/", views.committee_export, name="committee_export"),
    path("comite/exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("comite/exports/<uuid:pk>/etat/", views.export_job_state, name="export_job_state"),
    path(
        "comite/exports/<uuid:pk>/fichier/",
        views.export_job_download,
        name="export_job_download",
    ),
    path("comite/seances/", views.seance_list, name="seance_list"),
    path("comite/seances/nouvelle/", views.seance_edit, name="seance_create"),
    path("comite/seances/<int:pk>/", views.seance_detail, name="seance_detail"),
    path("comite/seances/<int:pk>/modifier/", views.seance_edit, name="seance_edit"),
    path(
        "comite/seances/<int:pk>/ordre-du-jour/",
        views.seance_agenda_add,
        name="seance_agenda_add",
    ),
    path("comite/seances/<int:pk>/regrouper/", views.seance_group, name="seance_group"),
    path("comite/seances/<int:pk>/tenue/", views.seance_examined, name="seance_examined"),
    path(
        "comite/seances/<int:pk>/points/<int:item_pk>/retirer/",
        views.seance_item_remove,
        name="seance_item_remove",
    ),
    path(
        "comite/seances/<int:pk>/points/<int:item_pk>/reponse/",
        views.seance_answer,
        name="seance_answer",
    ),
    path("comite/seances/<int:pk>/dossier/", views.seance_dossier, name="seance_dossier"),
    path(
        "comite/seances/<int:pk>/dossier.xlsx",
        views.seance_dossier_xlsx,
        name="seance_dossier_xlsx",
    ),
    path("comite/bilan/", views.bilan, name="bilan"),
    path("comite/revue-annuelle/", views.revue_annuelle, name="revue_annuelle"),
    # « Vous avez dit, nous avons fait » (public)
    path("vous-avez-dit-nous-avons-fait/", views.retours, name="retours"),
    path(
        "vous-avez-dit-nous-avons-fait/<slug:slug>/",
        views.retours,
        name="retours_quartier",
    ),
    path(
        "vous-avez-dit-nous-avons-fait/<slug:slug>/affiche/",
        views.retours_poster,
        name="retours_poster",
    ),
]
