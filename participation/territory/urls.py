from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("quartiers/<slug:slug>/", views.quartier_detail, name="quartier"),
    path("pilotage/", views.pilotage, name="pilotage"),
]
