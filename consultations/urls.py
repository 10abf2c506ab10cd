from django.urls import path

from . import views, views_moderation

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
]
