"""What every A4 poster shares (``templates/poster_base.html``): a QR code to its page at the
public address (``SITE_URL``), that address written out, and the mediation's contact of the
communes concerned, for whoever has no Internet."""

from participation.territory.models import MEDIATION_FIELDS, Commune

from .addresses import absolute_url
from .qr import qr_svg


def poster_context(page_path: str, *, back_url: str, quartiers) -> dict:
    """``quartiers``: the quartiers the poster is about (a queryset or a list); the mediation
    contact of every commune that carries one of them, by name."""
    page_url = absolute_url(page_path)
    contacts = (
        Commune.objects.with_mediation_contact()
        .filter(quartiers__in=quartiers)
        .distinct()
        .order_by("name")
        .only("name", *MEDIATION_FIELDS)
    )
    return {
        "back_url": back_url,
        "page_url": page_url,
        "short_url": page_url.split("://", 1)[-1],
        "qr": qr_svg(page_url),
        "contacts": list(contacts),
    }
