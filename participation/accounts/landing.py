"""Where each role lands after signing in, when no page was asked for (``?next=``).

Staff land on their work, not on the public home page: the référent on the « Espace
référent »; the apps register theirs in their ``AppConfig.ready``
(``landing.register(Role.MEDIATEUR, "consultations:moderation_queue")``). A resident, or a
role nothing registered, lands on ``LOGIN_REDIRECT_URL`` (the home page).
"""

from django.urls import reverse

from .models import Role

_pages: dict[str, str] = {Role.REFERENT: "referent_space"}


def register(role: str, url_name: str) -> None:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    _pages[role] = url_name


def page_for(user) -> str | None:
    """The path a signed-in account lands on, or None for the default."""
    url_name = _pages.get(getattr(user, "role", None))
    return reverse(url_name) if url_name else None
