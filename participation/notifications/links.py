"""Short links for SMS: ``SITE_URL/r/e1f/`` leads to the page an SMS is about.

An app registers, in its ``AppConfig.ready``, a one-letter prefix and the name of a URL
taking ``pk`` (``links.register("e", "evenements:detail")``); the code is the prefix and the
pk in base 36. The link only redirects: the page it leads to checks who may see it, so a
short link shows no more than the page's own address would.
"""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.http import int_to_base36

from participation.core.urls_fast import reverse_pk

_targets: dict[str, str] = {}


def register(prefix: str, url_name: str) -> None:
    if len(prefix) != 1 or not prefix.isalpha() or _targets.get(prefix, url_name) != url_name:
        raise ValueError(f"Short link prefix {prefix!r} is taken or not one letter")
    _targets[prefix.lower()] = url_name


def short_link(prefix: str, pk: int) -> str:
    """The absolute short link to the object ``pk`` of the URL registered under ``prefix``."""
    if prefix not in _targets:
        raise ValueError(f"No short link registered under {prefix!r}")
    return settings.SITE_URL + reverse("short_link", kwargs={"code": prefix + int_to_base36(pk)})


def target(code: str) -> str:
    """The path a code leads to; Http404 for a code that names nothing registered."""
    code = code.lower()
    url_name = _targets.get(code[:1])
    if url_name is None or not code[1:] or len(code) > 14:
        raise Http404
    try:
        pk = int(code[1:], 36)
    except ValueError as error:
        raise Http404 from error
    return reverse_pk(url_name, pk)
