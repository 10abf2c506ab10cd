from typing import Any

from django.db import models

from .models import AuditEntry


def record(
    *,
    actor,
    action: str,
    target: models.Model,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the audit log; call it inside the transaction of the action."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=getattr(actor, "email", "") or "système",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
        reason=reason,
    )


def entries_for(target: models.Model):
    return AuditEntry.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")


def pseudonymise_actor(user, label: str) -> int:
    """The one rewrite the append-only log allows: when an account is erased (RGPD), the
    entries it made keep their place and their facts, and its address gives way to ``label``.

    Django's plain base manager is used on purpose: ``AuditEntry.objects`` refuses updates.
    """
    return AuditEntry._base_manager.filter(actor=user).update(actor_label=label)
