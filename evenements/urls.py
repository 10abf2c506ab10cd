from django.urls import path

from .views import gestion, inscriptions, public

app_name = "evenements"

urlpatterns = [
    path("", public.event_list, name="list"),
    path("calendrier/", public.calendar_month, name="calendar"),
    path("calendrier/<int:year>/<int:month>/", public.calendar_month, name="calendar_month"),
    path("carte/", public.event_map, name="map"),
    path("calendrier.ics", public.feed_all, name="feed"),
    path("quartiers/<slug:slug>/calendrier.ics", public.feed_quartier, name="feed_quartier"),
    path("<int:pk>/", public.event_detail, name="detail"),
    path("<int:pk>/evenement.ics", public.feed_event, name="feed_event"),
    path("<int:pk>/affiche/", public.event_poster, name="poster"),
    path("<int:pk>/inscription/", inscriptions.register, name="register"),
    path("<int:pk>/desinscription/", inscriptions.unregister, name="unregister"),
    path("mes-inscriptions/", inscriptions.my_inscriptions, name="mine"),
    path("gestion/", gestion.manage_list, name="manage"),
    path("gestion/nouveau/", gestion.event_create, name="create"),
    path("<int:pk>/modifier/", gestion.event_edit, name="edit"),
    path("<int:pk>/apercu/", gestion.event_preview, name="preview"),
    path("<int:pk>/publier/", gestion.event_publish, name="publish"),
    path("<int:pk>/dupliquer/", gestion.event_duplicate, name="duplicate"),
    path("<int:pk>/annuler/", gestion.event_cancel, name="cancel"),
    path("<int:pk>/inscriptions/", gestion.registrants, name="registrants"),
    path("<int:pk>/inscriptions.csv", gestion.registrants_csv, name="registrants_csv"),
    path("<int:pk>/presences/", gestion.attendance, name="attendance"),
    path("<int:pk>/inscrire-une-personne/", gestion.register_guest, name="register_guest"),
    path("inscriptions/<int:pk>/annuler/", gestion.cancel_inscription, name="cancel_inscription"),
    path("inscriptions/<int:pk>/retablir/", inscriptions.restore, name="restore"),
]
