"""The events' public pages for ``/sitemap.xml`` (participation.core.sitemaps): the lists, and
every event the public may see (a cancelled one says so; drafts never)."""

from django.contrib.sitemaps import Sitemap

from participation.core.sitemaps import Pages

from .models import Evenement

PAGES = Pages("evenements:list", "evenements:calendar", "evenements:map")


class EvenementSitemap(Sitemap):
    def items(self):
        return Evenement.objects.public().order_by("-starts_at", "-pk").only("pk", "updated_at")

    def lastmod(self, item):
        """An edit, a cancellation: search engines read the page again."""
        return item.updated_at
