"""The platform's public address (``SITE_URL``, without its final slash: settings.py) before a
path: what an email, a calendar, a poster's QR code, a shared link or a search engine holds
(a page's own links stay relative)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
