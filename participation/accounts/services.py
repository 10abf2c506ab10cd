"""Every write on accounts that has rules: roles and access are audited."""

from participation.audit.services import record

from .models import User


def access_snapshot(user: User) -> dict:
    """The part of an account that decides what its owner may do."""
    return {"role": user.role, "is_active": user.is_active}


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
