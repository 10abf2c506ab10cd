from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("lues/", views.mark_all_read, name="mark_all_read"),
]
