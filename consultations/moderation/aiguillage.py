"""Routing (« aiguillage ») of published expressions to the instances that will review them.

A published expression becomes « transmise » through ``transitions.change_status``; one
already transmise or examinée can be sent to more instances. The committee's open
dashboards are told after commit (``realtime.COMITE_GROUP``).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from participation.audit.services import record
from participation.core import realtime

from .. import changes, rules
from ..models import Expression, Instance, Status, Transmission
from ..transitions import TransitionError, add_step, change_status, notify_author
from .services import BulkResult, _deny_unless, _lock, _moderation_event, _pk


def _instance_names(instances) -> str:
    names = [instance.name for instance in instances]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s et %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def route(expression: Expression | int, *, actor, instances: Iterable[Instance], note: str = ""):
    """Send a published expression to one or more instances, with a note for their members.

    A published expression becomes « transmise »; one already transmise or examinée can be
    sent to more instances (those it had are left out). Staff given communes route only the
    expressions of their communes, to the instances of their communes (or of the whole
    platform), and an instance receives only what concerns its communes
    (``rules.instances_covering``). Returns the new Transmission rows.
    """
    _deny_unless(rules.can_route(actor))
    instances = sorted({i.pk: i for i in instances}.values(), key=lambda i: i.name)
    if not instances:
        raise ValidationError({"instances": _("Choisissez au moins une instance.")})
    inactive = [i.name for i in instances if not i.is_active]
    if inactive:
        raise ValidationError(
            {
                "instances": _("Ces instances ne reçoivent plus d'expressions : %(names)s.")
                % {"names": ", ".join(inactive)}
            }
        )
    mine = rules.instances_in_scope(actor).filter(pk__in=[i.pk for i in instances])
    if mine.count() != len(instances):
        # Another commune's instance does not exist for this person.
        raise ValidationError({"instances": _("Choisissez les instances dans la liste.")})
    note = (note or "").strip()
    pk = _pk(expression)
    with transaction.atomic():
        locked = _lock(pk, actor)
        covering = set(
            rules.instances_covering(
                locked, Instance.objects.filter(pk__in=[i.pk for i in instances])
            ).values_list("pk", flat=True)
        )
        foreign = [i for i in instances if i.pk not in covering]
        if foreign:
            raise ValidationError(
                {
                    "instances": _(
                        "%(names)s n'examine pas les expressions de %(quartier)s : choisissez "
                        "une instance de ses communes."
                    )
                    % {"names": _instance_names(foreign), "quartier": locked.quartier.short_name}
                }
            )
        if locked.status == Status.PUBLIEE:
            new = instances
            to_step = True
        elif locked.status in (Status.TRANSMISE, Status.EXAMINEE):
            had = set(locked.transmissions.values_list("instance_id", flat=True))
            new = [i for i in instances if i.pk not in had]
            if not new:
                raise TransitionError(
                    _("Cette expression a déjà été transmise à %(names)s.")
                    % {"names": _instance_names(instances)}
                )
            to_step = False
        else:
            raise TransitionError(
                _(
                    "Cette expression est « %(current)s » : seule une expression publiée peut être "
                    "transmise à une instance. Quelqu'un l'a peut-être traitée entre-temps : "
                    "rechargez la page."
                )
                % {"current": locked.get_status_display()}
            )
        rows = Transmission.objects.bulk_create(
            [Transmission(expression=locked, instance=i, note=note, created_by=actor) for i in new]
        )
        changes.figures_changed()
        names = _instance_names(new)
        data = {"instances": [i.pk for i in new]}
        if to_step:
            change_status(
                locked,
                to=Status.TRANSMISE,
                actor=actor,
                allowed=rules.can_route,
                note=names,
                data=data,
            )
        else:
            add_step(
                locked,
                status=locked.status,
                actor=actor,
                note=_("Transmise aussi à %(names)s.") % {"names": names},
                data=data,
            )
            record(
                actor=actor,
                action="expression.transmise_aussi",
                target=locked,
                before={"status": locked.status},
                after={"status": locked.status, "data": data},
                reason=note,
            )
            notify_author(
                locked,
                _("Votre expression a aussi été transmise à %(names)s.") % {"names": names},
            )
            _moderation_event("expression.updated", locked)
        realtime.broadcast(
            realtime.COMITE_GROUP,
            {
                "type": "expression.routed",
                "id": locked.pk,
                "instances": data["instances"],
                "quartiers": [locked.quartier_id],
            },
        )
    return rows


def bulk_route(ids: Iterable[int], *, actor, instances, note: str = "") -> BulkResult:
    """Route each expression on its own: one refused does not stop the others."""
    _deny_unless(rules.can_route(actor))
    result = BulkResult()
    for pk in sorted(set(ids)):
        try:
            route(pk, actor=actor, instances=instances, note=note)
        except ValidationError as error:  # an instance that does not review its quartier
            result.refused.append((pk, " ".join(error.messages)))
        except (TransitionError, Expression.DoesNotExist, PermissionDenied) as error:
            # Another commune's expression does not exist for staff given communes.
            message = getattr(error, "message", _("Cette expression n'existe plus."))
            result.refused.append((pk, message))
        else:
            result.done.append(pk)
    return result
