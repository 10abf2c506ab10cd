"""Deploy checks of this platform's own settings (``manage.py check --deploy``).

``SITE_URL`` gives the links of every email and calendar and the only WebSocket origin the
CSP allows (settings.py): a deployment whose pages are served from another address would
send dead links and find its live pages blocked by the browser.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http.request import validate_host

from . import legal


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs) -> list[Warning]:
    parts = urlsplit(settings.SITE_URL)
    warnings = []
    if settings.SECURE_SSL_REDIRECT and parts.scheme != "https":
        warnings.append(
            Warning(
                f"SITE_URL ({settings.SITE_URL}) is not https while the site redirects to "
                "https: the links of the emails and the WebSocket origin of the CSP (ws://) "
                "do not match the pages.",
                hint="Set SITE_URL to the https:// address residents type.",
                id="participation.W001",
            )
        )
    if not validate_host(parts.hostname or "", settings.ALLOWED_HOSTS):
        warnings.append(
            Warning(
                f"The host of SITE_URL ({parts.hostname}) is not in ALLOWED_HOSTS: the pages "
                "the emails link to would answer 400.",
                hint="Add it to ALLOWED_HOSTS, or correct SITE_URL.",
                id="participation.W002",
            )
        )
    return warnings


@register(deploy=True)
def check_legal_details(app_configs, **kwargs) -> list[Warning]:
    """The legal pages name the publisher, the host and whom to write to: a public site of a
    commune must not open with them « à compléter »."""
    missing = legal.missing()
    if not missing:
        return []
    return [
        Warning(
            "The legal pages (/mentions-legales/, /donnees-personnelles/, /accessibilite/) "
            f"still say « À compléter par la commune » where these are empty: {', '.join(missing)}.",
            hint="Set them in the environment (deploy/participation.env, README « Configuration »).",
            id="participation.W003",
        )
    ]
