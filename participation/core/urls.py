from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.sante, name="sante"),
    path("robots.txt", views.robots, name="robots"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("lecture-facile/", views.easy_read, name="easy_read"),
    path("bench/ceiling/", views.bench_ceiling, name="bench_ceiling"),
]
