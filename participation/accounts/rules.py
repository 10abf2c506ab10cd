"""Every permission about roles, in one place.

Views call these helpers; they raise ``PermissionDenied`` (403) or send anonymous people
to the login page. Staff roles must have a TOTP second factor before anything else.
"""

from functools import wraps

from allauth.account.decorators import verified_email_required as _verified_email_required
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from participation.core.cache import forget

from .models import Role

TOTP_CACHE_SECONDS = 300


def totp_cache_key(user_id) -> str:
    return f"totp:{user_id}"


def has_totp(user) -> bool:
    """Whether the account has a TOTP authenticator: asked by every staff page, so kept in
    the cache, which ``forget_totp`` empties as soon as an authenticator is added or removed
    (a missing cache only means asking the database)."""
    cached = getattr(user, "_has_totp", None)
    if cached is None:
        cached = user._has_totp = cache.get_or_set(
            totp_cache_key(user.pk),
            lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
            TOTP_CACHE_SECONDS,
        )
    return cached


def forget_totp(sender, instance, **kwargs) -> None:
    """Receiver of Authenticator's post_save and post_delete (apps.py)."""
    forget(totp_cache_key(instance.user_id))


def has_verified_email(user) -> bool:
    """True once the person has typed the code sent to their address (needed to post)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_has_verified_email", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._has_verified_email = cached
    return cached


def has_verified_phone(user) -> bool:
    """True once the person has typed the code sent by SMS to their mobile number."""
    return bool(user.is_authenticated and user.phone and user.phone_verified)


def is_mediateur(user) -> bool:
    return user.is_authenticated and user.role in {Role.MEDIATEUR, Role.REFERENT}


def is_comite(user) -> bool:
    return user.is_authenticated and user.role in {Role.COMITE, Role.REFERENT}


def is_referent(user) -> bool:
    return user.is_authenticated and user.role == Role.REFERENT


def is_staff_role(user) -> bool:
    return user.is_authenticated and user.is_staff_role


def role_required(predicate):
    """Decorator: anonymous → login; wrong role, or staff without TOTP → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(user) or (user.is_staff_role and not has_totp(user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Apps take every access helper from here. Anonymous → login; an unverified address gets
# a new code and the code page, then comes back to where it was going.
verified_email_required = _verified_email_required

mediateur_required = role_required(is_mediateur)
referent_required = role_required(is_referent)
