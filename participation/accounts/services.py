"""Every write on accounts that has rules: roles and access are audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from participation.audit.services import record

from . import scope
from .models import STAFF_ROLES, Role, User
from .signals import role_changed


def access_snapshot(user: User) -> dict:
    """The part of an account that decides what its owner may do (its communes: slugs)."""
    return {
        "role": user.role,
        "is_active": user.is_active,
        "communes": sorted(user.communes.values_list("slug", flat=True)) if user.pk else [],
    }


def record_access_change(*, actor, user: User, before: dict | None, reason: str = ""):
    """Audit a change of role or of access, if there was one; call it inside the transaction."""
    after = access_snapshot(user)
    if before == after:
        return None
    return record(
        actor=actor,
        action="compte.acces" if before is not None else "compte.creation",
        target=user,
        before=before,
        after=after,
        reason=reason,
    )


def mark_my_space_seen(user: User, *, at) -> None:
    """``user`` opened « Mon espace » at ``at``: what changes after it will be « nouveau »."""
    User.objects.filter(pk=user.pk).update(my_space_seen_at=at)
    user.my_space_seen_at = at


class RoleChangeRefused(Exception):
    """A role change the platform refuses; its message says why, in French."""


def change_role(user: User, *, role: str, actor, reason: str = "", communes=None) -> bool:
    """Give ``user`` the role ``role`` (a ``Role``) and, for a staff role, the communes it
    works for (``communes``: communes or their ids; None keeps those it has), audited.
    Returns whether anything changed.

    Only a référent gives roles. A référent given communes (participation.accounts.scope)
    changes only residents and the staff working inside her communes, and gives only her
    communes, at least one (hers when none is given). A resident's role has no commune.
    The last active référent keeps the role, so that someone can always give roles. A new
    staff role needs the second factor: the ``StaffSecondFactorMiddleware`` sends its owner
    to set it up at their next page; a lost role closes their live feeds
    (``participation.core.consumers`` checks the role again); ``signals.role_changed`` lets
    the apps drop what the old role gave (instance seats).
    """
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.REFERENT):
        raise PermissionDenied
    if role not in Role.values:
        raise RoleChangeRefused(_("Ce rôle n'existe pas."))
    with transaction.atomic():
        # Every référent row is locked: two référents demoting each other at once wait in turn.
        referents = list(
            User.objects.select_for_update()
            .filter(role=Role.REFERENT, is_active=True)
            .values_list("pk", flat=True)
        )
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_staff_role and not scope.account_within(actor, locked):
            raise PermissionDenied
        current = set(locked.communes.values_list("pk", flat=True))
        if role not in STAFF_ROLES:
            wanted = set()
        elif communes is not None:
            wanted = {getattr(commune, "pk", commune) for commune in communes}
        elif current or scope.is_platform_wide(actor):
            wanted = current
        else:
            wanted = set(scope.commune_ids(actor))
        if not scope.communes_within(actor, wanted):
            raise RoleChangeRefused(
                _(
                    "Choisissez au moins une commune, parmi les vôtres : vous ne pouvez pas "
                    "donner un rôle de l'équipe hors de vos communes."
                )
            )
        if locked.is_deleted or not locked.is_active:
            raise RoleChangeRefused(
                _("Ce compte est désactivé ou supprimé : son rôle ne peut plus changer.")
            )
        if locked.role == role and wanted == current:
            return False
        if role in STAFF_ROLES and not locked.email:
            # A staff role signs in with an address and a second factor, never a code by SMS.
            raise RoleChangeRefused(
                _(
                    "Ce compte n'a pas d'adresse électronique : la personne doit d'abord en "
                    "ajouter une, car les rôles de l'équipe se connectent avec elle."
                )
            )
        if locked.role == Role.REFERENT and role != Role.REFERENT and referents == [locked.pk]:
            raise RoleChangeRefused(
                _(
                    "C'est le dernier compte référent·e : donnez d'abord ce rôle à une autre "
                    "personne, sinon plus personne ne pourrait gérer les rôles."
                )
            )
        before = access_snapshot(locked)
        previous_role = locked.role
        if previous_role != role:
            locked.role = role
            locked.save(update_fields=["role"])
        if wanted != current:
            locked.communes.set(wanted)
            scope.forget(locked)
        record_access_change(actor=actor, user=locked, before=before, reason=reason)
        if previous_role != role:
            role_changed.send(
                sender=User,
                user=locked,
                previous_role=previous_role,
                role=role,
                actor=actor,
                reason=reason,
            )
    user.role = role
    scope.forget(user)
    return True
