"""The role checks of the pages (participation.accounts.rules), for API views."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from participation.accounts.rules import has_totp, is_mediateur


def role_permission(predicate, message) -> type[permissions.BasePermission]:
    """A DRF permission matching ``role_required``: the role, and TOTP for staff.

    Anonymous requests get 401/403 « non_authentifie » from DRF (not this message).
    """

    class RolePermission(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            return bool(predicate(user)) and not (user.is_staff_role and not has_totp(user))

    RolePermission.message = message
    RolePermission.__name__ = f"RolePermission_{predicate.__name__}"
    return RolePermission


IsMediateur = role_permission(
    is_mediateur,
    _("Seul·es les médiateur·rices (et le référent) utilisent le mode terrain."),
)
