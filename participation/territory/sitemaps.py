"""The referential's public pages for ``/sitemap.xml`` (participation.core.sitemaps)."""

from django.contrib.sitemaps import Sitemap

from participation.core.sitemaps import Pages

from .models import Quartier

PAGES = Pages("territory:pilotage", "territory:mediation", "territory:history")


class QuartierSitemap(Sitemap):
    def items(self):
        return Quartier.objects.order_by("position", "name").only("slug")
