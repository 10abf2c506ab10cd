"""Routes of the moderation (médiateurs, référent)."""

from django.urls import path

from .views import etiquettes, expression, journal, merge, photo, queue

# Mounted in the « consultations » namespace by consultations/urls.py.
urlpatterns = [
    path("moderation/", queue.queue, name="moderation_queue"),
    path("moderation/compteur/", queue.queue_counter, name="moderation_counter"),
    path("moderation/lot/", queue.bulk, name="moderation_bulk"),
    path("moderation/ligne/<int:pk>/", queue.queue_row, name="moderation_row"),
    path("moderation/etiquettes/", etiquettes.etiquettes, name="moderation_etiquettes"),
    path("moderation/journal.csv", journal.audit_export, name="moderation_audit_export"),
    path(
        "moderation/expressions/<int:pk>/",
        expression.expression,
        name="moderation_expression",
    ),
    path(
        "moderation/expressions/<int:pk>/regrouper/<int:target>/",
        merge.merge,
        name="moderation_merge",
    ),
    path(
        "moderation/expressions/<int:pk>/journal.csv",
        journal.audit_csv,
        name="moderation_audit_csv",
    ),
    path(
        "moderation/expressions/<int:pk>/publier/",
        expression.publish,
        name="moderation_publish",
    ),
    path(
        "moderation/expressions/<int:pk>/photo/flouter/",
        photo.blur_area,
        name="moderation_blur_photo",
    ),
]
