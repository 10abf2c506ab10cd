"""Every write of the référent's pages: consultations, instances and their members, audited.

A role given while seating someone in an instance goes through
``participation.accounts.services.change_role``, the one place where roles change.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.accounts import scope
from participation.accounts import services as accounts
from participation.accounts.models import Role
from participation.audit.services import record

from .. import changes, rules
from ..models import Consultation, Instance


class Refused(Exception):
    """An action the rules refuse; its message says why, in French."""


# --- Consultations ---------------------------------------------------------------------


def _consultation_state(consultation: Consultation) -> dict:
    return {
        "title": consultation.title,
        "opens_on": consultation.opens_on.isoformat(),
        "closes_on": consultation.closes_on.isoformat(),
        "quartiers": sorted(q.code for q in consultation.quartiers.all()),
    }


def _check_consultations(actor, consultation: Consultation | None = None) -> None:
    """A référent, and for an existing consultation, one of its quartiers in her communes."""
    if not rules.can_manage_consultations(actor):
        raise PermissionDenied
    if (
        consultation is not None
        and consultation.pk is not None
        and not rules.managed_consultations(actor).filter(pk=consultation.pk).exists()
    ):
        raise PermissionDenied


def save_consultation(form, *, actor) -> Consultation:
    """Create or change a consultation from its valid form."""
    _check_consultations(actor, form.instance)
    creating = form.instance.pk is None
    with transaction.atomic():
        before = (
            None if creating else _consultation_state(Consultation.objects.get(pk=form.instance.pk))
        )
        consultation = form.save(commit=False)
        if creating:
            consultation.created_by = actor
        consultation.save()
        form.save_m2m()
        record(
            actor=actor,
            action="consultation.ouverte" if creating else "consultation.modifiee",
            target=consultation,
            before=before,
            after=_consultation_state(consultation),
        )
        changes.queue_changed()  # the queue's filters list the consultations, its rows their titles
    return consultation


def open_consultation(consultation: Consultation, *, closes_on: dt.date, actor) -> Consultation:
    """Open from today until ``closes_on`` (included): residents can answer it at once."""
    _check_consultations(actor, consultation)
    today = timezone.localdate()
    if closes_on < today:
        raise Refused(_("Choisissez aujourd'hui ou un jour à venir."))
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        before = _consultation_state(locked)
        if not locked.is_open(today):
            locked.opens_on = today
        locked.closes_on = closes_on
        locked.save(update_fields=["opens_on", "closes_on", "updated_at"])
        record(
            actor=actor,
            action="consultation.ouverte",
            target=locked,
            before=before,
            after=_consultation_state(locked),
        )
        changes.queue_changed()
    return locked


def close_consultation(consultation: Consultation, *, actor) -> Consultation:
    """Close now: yesterday becomes its last day; what residents already said stays."""
    _check_consultations(actor, consultation)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.closes_on <= yesterday:
            return locked  # already closed (a second click): nothing changes
        before = _consultation_state(locked)
        locked.closes_on = yesterday
        # A consultation closed before it opened keeps its dates in order (the constraint).
        locked.opens_on = min(locked.opens_on, yesterday)
        locked.save(update_fields=["opens_on", "closes_on", "updated_at"])
        record(
            actor=actor,
            action="consultation.close",
            target=locked,
            before=before,
            after=_consultation_state(locked),
        )
        changes.queue_changed()
    return locked


# --- Instances and their members -------------------------------------------------------


def instance_state(instance: Instance) -> dict:
    return {
        "name": instance.name,
        "kind": instance.kind,
        "is_active": instance.is_active,
        "communes": sorted(instance.communes.values_list("slug", flat=True)),
        "members": sorted(filter(None, instance.members.values_list("email", flat=True))),
    }


def _check_instances(actor, instance: Instance | None = None) -> None:
    """A référent; for an existing instance, one whose communes hold all of its own
    (``rules.can_edit_instance``)."""
    if not rules.can_manage_instances(actor):
        raise PermissionDenied
    if instance is not None and instance.pk is not None:
        stored = Instance.objects.prefetch_related("communes").get(pk=instance.pk)
        if not rules.can_edit_instance(actor, stored):
            raise PermissionDenied


def save_instance(form, *, actor) -> Instance:
    """Create or change an instance (not its members) from its valid form; the communes
    given must be the actor's (``scope.communes_within``)."""
    _check_instances(actor, form.instance)
    communes = form.cleaned_data.get("communes")
    if communes is not None and not scope.communes_within(actor, [c.pk for c in communes]):
        raise PermissionDenied
    creating = form.instance.pk is None
    with transaction.atomic():
        before = None if creating else instance_state(Instance.objects.get(pk=form.instance.pk))
        instance = form.save()
        record(
            actor=actor,
            action="instance.creee" if creating else "instance.modifiee",
            target=instance,
            before=before,
            after=instance_state(instance),
        )
    return instance


def add_member(instance: Instance, account, *, actor, give_comite_role: bool) -> bool:
    """Seat ``account`` in ``instance``; a resident first gets the « comité » role if asked.

    Returns whether the person was added (False: already a member). Mediators and référents
    are refused: they would lose their own pages, or already see every instance.
    """
    _check_instances(actor, instance)
    with transaction.atomic():
        Instance.objects.select_for_update().filter(pk=instance.pk).first()
        if instance.members.filter(pk=account.pk).exists():
            return False
        if account.role in {Role.MEDIATEUR, Role.REFERENT}:
            raise Refused(
                _(
                    "« %(name)s » est %(role)s : ce rôle n'est pas celui d'un membre d'instance. "
                    "Changez d'abord son rôle dans « Rôles des comptes » si elle doit siéger."
                )
                % {"name": account, "role": account.get_role_display()}
            )
        if account.role == Role.COMITE and not scope.account_within(actor, account):
            # A member working for other communes is seated by a référent of those communes.
            raise Refused(
                _(
                    "« %(name)s » est membre d'instance pour d'autres communes que les vôtres : "
                    "un·e référent·e de ses communes peut l'ajouter."
                )
                % {"name": account}
            )
        role_given = False
        if account.role != Role.COMITE:
            if not give_comite_role:
                raise Refused(
                    _(
                        "« %(name)s » n'a pas le rôle « membre d'une instance » : cochez la case "
                        "pour le lui donner, sinon elle ne verra pas ce que l'instance reçoit."
                    )
                    % {"name": account}
                )
            try:
                accounts.change_role(
                    account,
                    role=Role.COMITE,
                    actor=actor,
                    # The member works for the instance's communes (the whole platform's
                    # for an instance without commune).
                    communes=[commune.pk for commune in instance.communes.all()],
                    reason=_("Ajout à l'instance « %(instance)s »") % {"instance": instance},
                )
            except accounts.RoleChangeRefused as refusal:
                raise Refused(str(refusal)) from refusal
            role_given = True
        instance.members.add(account)
        record(
            actor=actor,
            action="instance.membre_ajoute",
            target=instance,
            after={"member": account.email, "role_given": role_given},
        )
    return True


# The roles that may sit in an instance (a référent sees every instance without a seat, but
# keeps the seats they had as a member).
SEATED_ROLES = {Role.COMITE, Role.REFERENT}


def leave_instances(account, *, actor, reason: str = "") -> int:
    """Take ``account`` out of every instance they sit in, one audit entry per instance (called
    when they lose the « comité » role: the instance pages list only real members). Returns
    how many seats they left."""
    instances = list(Instance.objects.filter(members=account).order_by("pk"))
    for instance in instances:
        instance.members.remove(account)
        record(
            actor=actor,
            action="instance.membre_retire",
            target=instance,
            before={"member": account.email},
            reason=reason,
        )
    return len(instances)


def on_role_changed(sender, *, user, previous_role, role, actor, reason="", **kwargs) -> None:
    """Receiver of ``participation.accounts.signals.role_changed`` (see ``apps.py``)."""
    if role not in SEATED_ROLES:
        leave_instances(
            user,
            actor=actor,
            reason=_("Rôle « %(role)s » retiré") % {"role": Role(previous_role).label},
        )


def remove_member(instance: Instance, account, *, actor) -> bool:
    """Take ``account`` out of ``instance``; their role stays (they may sit elsewhere)."""
    _check_instances(actor, instance)
    with transaction.atomic():
        if not instance.members.filter(pk=account.pk).exists():
            return False
        instance.members.remove(account)
        record(
            actor=actor,
            action="instance.membre_retire",
            target=instance,
            before={"member": account.email},
        )
    return True
