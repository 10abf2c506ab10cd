"""Routes of the residents' side: expressions and the calls for expression."""

from django.urls import path

from . import views

# Mounted in the « consultations » namespace by consultations/urls.py.
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
    # The thumbnail of a photo kept while a form comes back: for the session that kept it.
    path("expressions/photo-gardee/<str:token>/", views.kept_photo, name="kept_photo"),
    path("mes-expressions/", views.my_expressions, name="my_expressions"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation_detail"),
]
