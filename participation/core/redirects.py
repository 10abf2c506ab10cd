"""Where a form may send the person back to: a path of this site, never elsewhere."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The ``next`` path asked for (POST, then GET) if it is one of this site's, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would take « a b » for a URL name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
