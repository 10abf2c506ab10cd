from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from participation.accounts import views as accounts_views
from participation.core import views as core_views
from participation.notifications import views as notifications_views
from participation.sitemaps import SITEMAPS

admin.site.site_header = _("Administration — Participation Auchel")
admin.site.site_title = _("Participation Auchel")
admin.site.index_title = _("Référentiel, instances et comptes")

urlpatterns = [
    path("", include("participation.core.urls")),
    # For search engines (participation/sitemaps.py; robots.txt names it).
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("", include("participation.territory.urls")),
    path("comptes/", include("allauth.urls")),
    path("compte/", include("participation.accounts.urls")),
    path("notifications/", include("participation.notifications.urls")),
    # Short links in SMS (participation/notifications/links.py): « /r/e1f/ ».
    path("r/<str:code>/", notifications_views.follow_short_link, name="short_link"),
    path("evenements/", include("evenements.urls")),
    path("", include("consultations.urls")),
    path("terrain/", include("consultations.terrain.urls")),
    path("api/", include("participation.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The readable API page is served by us (no CDN-hosted viewer): /api/docs/ leads to it.
    path("api/docs/", RedirectView.as_view(pattern_name="api-reference"), name="api-docs"),
    path("gestion/", accounts_views.referent_space, name="referent_space"),
    path("gestion/roles/", accounts_views.roles, name="referent_roles"),
    path("gestion/roles/<int:pk>/", accounts_views.role_change, name="referent_role_change"),
    path("gestion/admin/", admin.site.urls),
    # Public uploads (event images) in embedded mode; nginx serves them in production.
    path("media/<path:path>", core_views.media, name="media"),
]

handler400 = "participation.core.views.bad_request"
handler404 = "participation.core.views.page_not_found"
handler403 = "participation.core.views.permission_denied"
handler500 = "participation.core.views.server_error"
