from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("mon-espace/", views.my_space, name="my_space"),
    path("profil/", views.profile, name="profile"),
    path("inscription-par-sms/", views.signup_by_phone, name="signup_phone"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/mes-donnees.json", views.export_data, name="export"),
    path("mes-donnees/supprimer-mon-compte/", views.delete_account, name="delete"),
    path("compte-supprime/", views.account_deleted, name="deleted"),
]
