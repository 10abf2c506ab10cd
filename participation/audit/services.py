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


def forget_words(targets, *, keys=("text",)) -> int:
    """For targets of one model, the other rewrite the append-only log allows, for erasure (RGPD): words a person typed
    that entries about ``targets`` kept under ``keys`` (in ``before`` and ``after``) give way
    to their length; who did what, when and why stays. Returns how many entries changed.

    Entries written since the author's edits are audited by lengths hold no such words; this
    reaches the older ones. Django's plain base manager is used on purpose, as below.
    """
    targets = list(targets)
    if not targets:
        return 0
    entries = AuditEntry.objects.filter(
        target_type=targets[0]._meta.label_lower, target_id__in=[str(t.pk) for t in targets]
    )
    changed = 0
    for entry in entries.iterator():
        before, after = _without_words(entry.before, keys), _without_words(entry.after, keys)
        if (before, after) != (entry.before, entry.after):
            AuditEntry._base_manager.filter(pk=entry.pk).update(before=before, after=after)
            changed += 1
    return changed


def _without_words(data, keys):
    if not isinstance(data, dict) or not any(isinstance(data.get(k), str) for k in keys):
        return data
    return {
        name: {"length": len(value)} if name in keys and isinstance(value, str) else value
        for name, value in data.items()
    }


def pseudonymise_actor(user, label: str) -> int:
    """The first rewrite the append-only log allows: when an account is erased (RGPD), the
    entries it made keep their place and their facts, and its address gives way to ``label``.

    Django's plain base manager is used on purpose: ``AuditEntry.objects`` refuses updates.
    """
    return AuditEntry._base_manager.filter(actor=user).update(actor_label=label)
