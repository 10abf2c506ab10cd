"""Every write of the référent on the referential: one history entry per change, field by field
(what the public history page shows), and one audit entry (who, for the staff).

Rows loaded from the data files keep the fields the référent changed here: load_referentiel
reads this history (``edited_fields``) and never writes over them.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from participation.audit.services import record

from .figures import format_figure
from .models import Avenant, Commune, Finding, Objectif, Quartier, ReferentielChange

Action = ReferentielChange.Action
Origin = ReferentielChange.Origin


def display(obj: models.Model, name: str) -> str:
    """A field's value as people read it (« oui », « 45,4 », « 1 mars 2027 »)."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal):
        return format_figure(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, "j F Y")
    if field.is_relation:
        return str(getattr(obj, name))
    return str(value)


def quartier_of(obj: models.Model) -> Quartier | None:
    if isinstance(obj, Quartier):
        return obj
    return getattr(obj, "quartier", None)


def label_of(obj: models.Model) -> str:
    if isinstance(obj, Quartier):
        return obj.name
    return str(obj)[:300]


def record_change(
    *,
    actor,
    action: str,
    target: models.Model,
    fields: list[dict],
    avenant: Avenant | None = None,
    origin: str = Origin.PLATEFORME,
    reason: str = "",
) -> ReferentielChange:
    """One history entry, and for a person's change, its audit entry (call inside the transaction)."""
    change = ReferentielChange.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        origin=origin,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=label_of(target),
        quartier=quartier_of(target),
        fields=fields,
        avenant=avenant,
    )
    if origin == Origin.PLATEFORME:
        record(
            actor=actor,
            action=f"referentiel.{action}",
            target=target,
            before={f["field"]: f["before"] for f in fields},
            after={f["field"]: f["after"] for f in fields},
            reason=reason or (avenant.title if avenant else ""),
        )
    return change


def field_changes(obj: models.Model, values: dict) -> list[dict]:
    """``[{"field", "label", "before", "after"}]`` for the values that differ from ``obj``'s."""
    changes = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if getattr(obj, field.attname if not field.is_relation else name) == value:
            continue
        before = display(obj, name)
        setattr(obj, name, value)
        changes.append(
            {
                "field": name,
                "label": str(field.verbose_name),
                "before": before,
                "after": display(obj, name),
            }
        )
    return changes


@transaction.atomic
def update(actor, obj: models.Model, values: dict, *, avenant: Avenant | None = None) -> list[dict]:
    """Change ``obj``'s fields to ``values``; nothing is written when nothing differs."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    changes = field_changes(obj, values)
    if changes:
        obj.save(update_fields=[c["field"] for c in changes])
        record_change(
            actor=actor, action=Action.MODIFICATION, target=obj, fields=changes, avenant=avenant
        )
    return changes


def _creation_fields(obj: models.Model, names) -> list[dict]:
    return [
        {
            "field": name,
            "label": str(obj._meta.get_field(name).verbose_name),
            "before": "",
            "after": display(obj, name),
        }
        for name in names
        if display(obj, name)
    ]


@transaction.atomic
def add_finding(actor, quartier: Quartier, kind: str, text: str, *, avenant=None) -> Finding:
    """A new irritant, opportunité or enjeu prioritaire, last of its list; sent twice, one row."""
    Quartier.objects.select_for_update().get(pk=quartier.pk)
    existing = Finding.objects.filter(quartier=quartier, kind=kind, text=text).first()
    if existing:
        return existing
    last = Finding.objects.filter(quartier=quartier, kind=kind).aggregate(Max("position"))
    finding = Finding.objects.create(
        quartier=quartier, kind=kind, text=text, position=(last["position__max"] or 0) + 1
    )
    record_change(
        actor=actor,
        action=Action.CREATION,
        target=finding,
        fields=_creation_fields(finding, ["kind", "text"]),
        avenant=avenant,
    )
    return finding


@transaction.atomic
def add_objectif(actor, quartier: Quartier, values: dict, *, avenant=None) -> Objectif:
    """A new row of the quartier's table for its enjeu, last of it; sent twice, one row."""
    Quartier.objects.select_for_update().get(pk=quartier.pk)
    existing = Objectif.objects.filter(quartier=quartier, **values).first()
    if existing:
        return existing
    last = Objectif.objects.filter(quartier=quartier, enjeu=values["enjeu"]).aggregate(
        Max("position")
    )
    objectif = Objectif.objects.create(
        quartier=quartier, position=(last["position__max"] or 0) + 1, **values
    )
    record_change(
        actor=actor,
        action=Action.CREATION,
        target=objectif,
        fields=_creation_fields(
            objectif, ["enjeu", "orientation", "intercommunal", "operationnel"]
        ),
        avenant=avenant,
    )
    return objectif


@transaction.atomic
def retire_objectif(actor, objectif: Objectif, on: dt.date, reason: str, *, avenant=None):
    """From ``on``, the objective is no longer offered; what was said about it stays attached."""
    objectif = Objectif.objects.select_for_update().get(pk=objectif.pk)
    changes = field_changes(objectif, {"retired_on": on, "retired_reason": reason})
    if changes:
        objectif.save(update_fields=["retired_on", "retired_reason"])
        record_change(
            actor=actor,
            action=Action.RETRAIT,
            target=objectif,
            fields=changes,
            avenant=avenant,
            reason=reason,
        )
    return objectif


@transaction.atomic
def restore_objectif(actor, objectif: Objectif, *, avenant=None):
    """The objective is offered again (a retirement decided by mistake, or undone by avenant)."""
    objectif = Objectif.objects.select_for_update().get(pk=objectif.pk)
    changes = field_changes(objectif, {"retired_on": None, "retired_reason": ""})
    if changes:
        objectif.save(update_fields=["retired_on", "retired_reason"])
        record_change(
            actor=actor, action=Action.REMISE, target=objectif, fields=changes, avenant=avenant
        )
    return objectif


@transaction.atomic
def save_avenant(actor, avenant: Avenant, values: dict, changes) -> Avenant:
    """Create or change an avenant, and attach to it the changes it covers (those not attached
    to another one). Sent twice, a new avenant is created once (same date and title)."""
    if avenant.pk is None:
        existing = Avenant.objects.filter(
            signed_on=values["signed_on"], title=values["title"]
        ).first()
        if existing is not None:
            avenant = existing
    creating = avenant.pk is None
    before = {} if creating else {name: display(avenant, name) for name in values}
    for name, value in values.items():
        setattr(avenant, name, value)
    avenant.save()
    attached = ReferentielChange.objects.filter(
        pk__in=[c.pk for c in changes], avenant__isnull=True
    ).update(avenant=avenant)
    after = {name: display(avenant, name) for name in values}
    record(
        actor=actor,
        action="referentiel.avenant",
        target=avenant,
        before=before or None,
        after={**after, "modifications rattachées": attached},
        reason=avenant.title,
    )
    return avenant


def edited_fields() -> dict[tuple[str, int], set[str]]:
    """``{(model_name, pk): {field names}}`` changed in the platform, and ``"*"`` for rows
    added here: what load_referentiel must not write over (one query)."""
    edited: dict[tuple[str, int], set[str]] = defaultdict(set)
    for target_type, target_id, action, fields in ReferentielChange.objects.filter(
        origin=Origin.PLATEFORME
    ).values_list("target_type", "target_id", "action", "fields"):
        names = edited[(target_type, target_id)]
        if action == Action.CREATION:
            names.add("*")
        names.update(f["field"] for f in fields)
    return edited


@transaction.atomic
def update_mediation_contact(actor, commune: Commune, values: dict) -> list[str]:
    """Change how residents reach ``commune``'s mediators (phone, hours, place); return the
    labels of the fields changed. Audited; not in the referential's history, which is the
    convention's (the contact is no part of it)."""
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    changes = field_changes(commune, values)
    if changes:
        commune.save(update_fields=[c["field"] for c in changes])
        record(
            actor=actor,
            action="commune.mediation",
            target=commune,
            before={c["field"]: c["before"] for c in changes},
            after={c["field"]: c["after"] for c in changes},
        )
    return [c["label"] for c in changes]
