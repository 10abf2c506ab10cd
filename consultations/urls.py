from django.urls import path

from . import views, views_committee, views_moderation

app_name = "consultations"

urlpatterns = [
    path("expressions/", views.expression_list, name="expression_list"),
    path("expressions/nouvelle/", views.expression_create, name="expression_create"),
    path("expressions/terrain/", views.field_create, name="field_create"),
    path("expressions/<int:pk>/", views.expression_detail, name="expression_detail"),
    path("expressions/<int:pk>/modifier/", views.expression_edit, name="expression_edit"),
    path("expressions/<int:pk>/moi-aussi/", views.expression_support, name="expression_support"),
    path("expressions/<int:pk>/signaler/", views.expression_report, name="expression_report"),
    path("expressions/<int:pk>/photo/", views.expression_photo, name="expression_photo"),
    path(
        "expressions/<int:pk>/photo/miniature/",
        views.expression_photo,
        {"size": "miniature"},
        name="expression_thumbnail",
    ),
    path("mes-expressions/", views.my_expressions, name="my_expressions"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/nouvelle/", views.consultation_edit, name="consultation_create"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<slug:slug>/modifier/", views.consultation_edit, name="consultation_edit"),
    # Moderation (médiateurs, référent)
    path("moderation/", views_moderation.queue, name="moderation_queue"),
    path("moderation/compteur/", views_moderation.queue_counter, name="moderation_counter"),
    path("moderation/lot/", views_moderation.bulk, name="moderation_bulk"),
    path("moderation/ligne/<int:pk>/", views_moderation.queue_row, name="moderation_row"),
    path("moderation/etiquettes/", views_moderation.etiquettes, name="moderation_etiquettes"),
    path("moderation/journal.csv", views_moderation.audit_export, name="moderation_audit_export"),
    path(
        "moderation/expressions/<int:pk>/",
        views_moderation.expression,
        name="moderation_expression",
    ),
    path(
        "moderation/expressions/<int:pk>/journal.csv",
        views_moderation.audit_csv,
        name="moderation_audit_csv",
    ),
    path(
        "moderation/expressions/<int:pk>/<slug:name>/",
        views_moderation.action,
        name="moderation_action",
    ),
    # The committee (comité, référent)
    path("comite/", views_committee.committee_dashboard, name="committee_dashboard"),
    path("comite/export/<slug:format>/", views_committee.committee_export, name="committee_export"),
    path("comite/exports/<uuid:pk>/", views_committee.export_job, name="export_job"),
    path(
        "comite/exports/<uuid:pk>/etat/", views_committee.export_job_state, name="export_job_state"
    ),
    path(
        "comite/exports/<uuid:pk>/fichier/",
        views_committee.export_job_download,
        name="export_job_download",
    ),
    path("comite/seances/", views_committee.seance_list, name="seance_list"),
    path("comite/seances/nouvelle/", views_committee.seance_edit, name="seance_create"),
    path("comite/seances/<int:pk>/", views_committee.seance_detail, name="seance_detail"),
    path("comite/seances/<int:pk>/modifier/", views_committee.seance_edit, name="seance_edit"),
    path(
        "comite/seances/<int:pk>/ordre-du-jour/",
        views_committee.seance_agenda_add,
        name="seance_agenda_add",
    ),
    path("comite/seances/<int:pk>/regrouper/", views_committee.seance_group, name="seance_group"),
    path("comite/seances/<int:pk>/tenue/", views_committee.seance_examined, name="seance_examined"),
    path(
        "comite/seances/<int:pk>/points/<int:item_pk>/retirer/",
        views_committee.seance_item_remove,
        name="seance_item_remove",
    ),
    path(
        "comite/seances/<int:pk>/points/<int:item_pk>/reponse/",
        views_committee.seance_answer,
        name="seance_answer",
    ),
    path("comite/seances/<int:pk>/dossier/", views_committee.seance_dossier, name="seance_dossier"),
    path(
        "comite/seances/<int:pk>/dossier.xlsx",
        views_committee.seance_dossier_xlsx,
        name="seance_dossier_xlsx",
    ),
    path("comite/bilan/", views_committee.bilan, name="bilan"),
    # « Vous avez dit, nous avons fait » (public)
    path("vous-avez-dit-nous-avons-fait/", views_committee.retours, name="retours"),
    path(
        "vous-avez-dit-nous-avons-fait/<slug:slug>/",
        views_committee.retours,
        name="retours_quartier",
    ),
]
