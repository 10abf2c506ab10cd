"""What search engines are told to read (``/sitemap.xml``) and to leave (``/robots.txt``).

Each app lists its own public pages with ``Pages`` (and its own objects with a sitemap of
its own); ``participation/sitemaps.py`` gathers them. Pages for staff, for a signed-in
resident or for a form are never listed, and ``robots.txt`` asks crawlers to stay out of
their areas (they would only meet the sign-in page).
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class Pages(Sitemap):
    """Pages without an object, named by their URL names."""

    def __init__(self, *names: str):
        self.names = names

    def items(self):
        return list(self.names)

    def location(self, item: str) -> str:
        return reverse(item)


# The areas of staff, of one's own account and of forms (every one of them asks to sign in,
# or acts rather than shows), as robots.txt prefixes; « * » stands for an event's number.
PRIVATE_AREAS = (
    "/comptes/",
    "/compte/",
    "/notifications/",
    "/gestion/",
    "/moderation/",
    "/comite/",
    "/terrain/",
    "/mes-expressions/",
    "/expressions/nouvelle/",
    "/expressions/photo-gardee/",
    "/evenements/mes-inscriptions/",
    "/evenements/gestion/",
    "/evenements/inscriptions/",
    "/evenements/*/inscription/",
    "/evenements/*/desinscription/",
    "/consultations/nouvelle/",
    "/lecture-facile/",
    "/r/",
    "/sante/",
    "/bench/",
    "/api/",
)


def robots_txt(sitemap_url: str) -> str:
    lines = ["User-agent: *", *(f"Disallow: {area}" for area in PRIVATE_AREAS)]
    return "\n".join([*lines, "", f"Sitemap: {sitemap_url}", ""])
