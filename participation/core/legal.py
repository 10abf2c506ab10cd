"""The commune's own details on the legal pages, from ``settings.LEGAL_DETAILS``.

Whoever installs the platform sets them (``LEGAL_*`` in the environment, README): the
publisher's address and switchboard, the host, how long the host keeps its server logs,
the data protection officer, where to write about accessibility. A page shows each one
set and marks each one missing « À compléter par la commune »; ``check --deploy`` names
the missing ones (``checks.check_legal_details``).
"""

from urllib.parse import urlsplit

from django.conf import settings

# The environment variable of each detail, as the README and deploy/participation.env name it.
VARIABLES = {
    "publisher_address": "LEGAL_PUBLISHER_ADDRESS",
    "publisher_contact": "LEGAL_PUBLISHER_CONTACT",
    "host": "LEGAL_HOST",
    "host_log_retention": "LEGAL_HOST_LOG_RETENTION",
    "dpo_contact": "LEGAL_DPO_CONTACT",
    "accessibility_contact": "LEGAL_ACCESSIBILITY_CONTACT",
}

# The details each legal page shows: its « to be completed » note goes once they are all set
# (the privacy and accessibility pages also hold the commune's decisions, marked apart).
PAGES = {
    "mentions_legales": ("publisher_address", "publisher_contact", "host"),
    "donnees_personnelles": ("host", "host_log_retention", "dpo_contact"),
    "accessibilite": ("accessibility_contact",),
}


def missing(names=VARIABLES) -> list[str]:
    """The environment variables of the details among ``names`` that are not set."""
    return [VARIABLES[name] for name in names if not settings.LEGAL_DETAILS.get(name)]


def page_context(page: str) -> dict:
    tiles = urlsplit(settings.MAP_TILE_URL).hostname if settings.MAP_TILE_URL else ""
    return {
        "legal": settings.LEGAL_DETAILS,
        "legal_missing": missing(PAGES[page]),
        "map_tile_host": tiles,
    }
