"""Every write of the moderation, with its rules.

Transitions of the path (publish, reject, merge; routing in ``aiguillage``) go through
``transitions.change_status``, which locks the row, checks the status, writes the step and
the audit entry, notifies the author and tells the open queues after commit. The other
actions (redact, tag, link objectives, handle a report) follow the same pattern here:
check the role, lock the row, write, audit, notify when the author is concerned,
broadcast after commit.

Two mediators acting on the same expression at once: the row lock serialises them and
the second one gets a ``TransitionError`` (status already changed) or a
``ConflictError`` (text changed since their form was shown), whose message says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.audit.services import record
from participation.core import images
from participation.core.ids import is_pk
from participation.notifications.services import notify

from .. import changes, rules, storage
from ..expressions.services import TEXT_MAX_LENGTH
from ..models import (
    LISTED_STATUSES,
    Etiquette,
    Expression,
    Redaction,
    Signalement,
    Status,
    Support,
    Visibility,
)
from ..transitions import (
    TransitionError,
    can_reach_author,
    change_status,
    check_transition,
    notify_author,
)
from .queue import text_token, text_version


class ConflictError(TransitionError):
    """Someone changed the expression since the form was shown; nothing was written."""


class RejectionReason:
    """Why an expression is not published; the author reads the label and the free text."""

    CHOICES = [
        ("donnees_personnelles", gettext_lazy("Il donne le nom ou l'adresse de quelqu'un.")),
        ("propos_blessants", gettext_lazy("Il contient des propos blessants ou insultants.")),
        ("hors_sujet", gettext_lazy("Il ne parle pas des quartiers ni du contrat de ville.")),
        ("publicite", gettext_lazy("C'est de la publicité ou de la propagande.")),
        ("incomprehensible", gettext_lazy("Nous n'avons pas réussi à le comprendre.")),
        ("autre", gettext_lazy("Autre raison, expliquée ci-dessous.")),
    ]
    LABELS = dict(CHOICES)


class SignalementDecision:
    KEEP = "garder"
    HIDE = "masquer"
    CHOICES = [
        (KEEP, gettext_lazy("Le laisser publié : le signalement n'est pas fondé")),
        (HIDE, gettext_lazy("Le retirer de la publication : il ne sera plus lu que par l'équipe")),
    ]


def _deny_unless(allowed: bool, message=None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Votre rôle ne permet pas cette action."))


def _moderation_event(kind: str, expression: Expression, **extra) -> None:
    changes.announce(kind, expression.pk, quartier=expression.quartier_id, **extra)


def _deny_outside(actor, expression: Expression) -> None:
    """Staff given communes act only on the expressions of their communes' quartiers (the
    views answer 404 before: this is the rule itself, for every caller)."""
    _deny_unless(rules.covers(actor, expression))


def _check_scope(actor, expression: Expression | int) -> None:
    """``_deny_outside`` before a transition, which locks the row itself."""
    if not isinstance(expression, Expression):
        expression = Expression.objects.only("quartier").filter(pk=expression).first()
        if expression is None:
            return  # the transition says it does not exist
    _deny_outside(actor, expression)


def _lock(pk: int, actor) -> Expression:
    """The expression, locked, if ``actor`` works on it (PermissionDenied otherwise)."""
    locked = (
        Expression.objects.select_for_update(of=("self",))
        .select_related("author", "quartier")
        .get(pk=pk)
    )
    _deny_outside(actor, locked)
    return locked


def _pk(expression) -> int:
    return expression if isinstance(expression, int) else expression.pk


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


# --- Transitions -------------------------------------------------------------------------


def publish(expression: Expression | int, *, actor) -> Expression:
    _check_scope(actor, expression)
    return change_status(expression, to=Status.PUBLIEE, actor=actor, allowed=rules.can_moderate)


def reject(expression: Expression | int, *, actor, reason: str, details: str = "") -> Expression:
    """Not published; the author reads the reason (from the list) and the mediator's words."""
    _deny_unless(rules.can_moderate(actor))
    details = (details or "").strip()
    if reason not in RejectionReason.LABELS:
        raise ValidationError({"reason": _("Choisissez la raison dans la liste.")})
    if reason == "autre" and not details:
        raise ValidationError(
            {"details": _("Expliquez en quelques mots pourquoi le message n'est pas publié.")}
        )
    note = str(RejectionReason.LABELS[reason])
    if details:
        note = f"{note} {details}"
    _check_scope(actor, expression)
    return change_status(
        expression,
        to=Status.REJETEE,
        actor=actor,
        allowed=rules.can_moderate,
        note=note,
        public=False,
        data={"reason": reason},
    )


# --- Merging ----------------------------------------------------------------------------
# A merge is read first (``merge_preview``, what the mediator confirms), then made (``merge``);
# both check the same rules and count the same « moi aussi ».


@dataclass(frozen=True)
class MergePreview:
    """What merging ``duplicate`` into ``target`` will do; nothing is written to know it."""

    duplicate: Expression
    target: Expression
    supports_before: int  # the « moi aussi » of ``target`` now
    supports_gained: int  # those of ``duplicate`` (and its author) not there yet
    signalements_closed: int  # reports waiting on ``duplicate``, closed by the merge
    tells_duplicate_author: bool  # by the platform or, for a field entry, by email
    tells_target_author: bool

    @property
    def supports_after(self) -> int:
        return self.supports_before + self.supports_gained


def _missing(number) -> ValidationError:
    return ValidationError(
        {"target": _("Il n'existe pas d'expression n° %(number)s.") % {"number": number}}
    )


def _check_numbers(duplicate_pk: int, target_pk) -> None:
    if not is_pk(target_pk):
        raise _missing(target_pk)
    if duplicate_pk == target_pk:
        raise ValidationError(
            {"target": _("Une expression ne peut pas être regroupée avec elle-même.")}
        )


def _hides_public_words(source: Expression, target: Expression) -> bool:
    """Whether merging ``source`` into ``target`` would take words a resident chose to make
    public (and their « moi aussi ») out of public view: into a private expression, read by
    the staff only, they would disappear from the site without their author's say."""
    return target.is_private and not source.is_private


def merge_targets(duplicate: Expression, *, actor):
    """The expressions ``duplicate`` may be merged into, as far as their publication goes
    (``_hides_public_words``) and ``actor``'s communes: where the staff page looks for
    likely duplicates."""
    targets = rules.staff_expressions(actor)
    if duplicate.is_private:
        return targets
    return targets.exclude(visibility=Visibility.PRIVATE)


def _check_merge(source: Expression, target: Expression) -> None:
    """The rules of a merge (beside the numbers): raises ValidationError or TransitionError."""
    if _hides_public_words(source, target):
        raise ValidationError(
            {
                "target": _(
                    "L'expression n° %(number)s est privée : y regrouper la n° %(duplicate)s, "
                    "publique, ferait disparaître de la vue de tous ses mots et ses « moi "
                    "aussi ». On ne regroupe une expression publique qu'avec une expression "
                    "publique : choisissez-en une autre, ou laissez-les séparées."
                )
                % {"number": target.pk, "duplicate": source.pk}
            }
        )
    if target.status not in LISTED_STATUSES:
        raise ValidationError(
            {
                "target": _(
                    "L'expression n° %(number)s est « %(status)s » : on ne regroupe qu'avec "
                    "une expression publiée."
                )
                % {"number": target.pk, "status": target.get_status_display()}
            }
        )
    if target.quartier_id != source.quartier_id:
        raise ValidationError(
            {
                "target": _(
                    "L'expression n° %(number)s concerne %(quartier)s : on ne regroupe que des "
                    "expressions du même quartier."
                )
                % {"number": target.pk, "quartier": target.quartier.short_name}
            }
        )
    check_transition(source, Status.FUSIONNEE)


def _supporters(source: Expression, target: Expression) -> tuple[set[int], set[int]]:
    """Who supports ``target`` now, and who will after the merge and does not yet: the
    supporters of ``source`` and its author (who said the same thing), never ``target``'s own
    author. One query."""
    rows = Support.objects.filter(expression_id__in=[source.pk, target.pk]).values_list(
        "expression_id", "user_id"
    )
    on_target, on_source = set(), {source.author_id} - {None}
    for expression_id, user_id in rows:
        (on_target if expression_id == target.pk else on_source).add(user_id)
    return on_target, on_source - on_target - {target.author_id}


def _tells_target_author(source: Expression, target: Expression, gained: set[int]) -> bool:
    """The kept expression's author hears of a merge only when it brings her « moi aussi »
    (and not when she wrote both)."""
    return bool(gained) and target.author_id is not None and target.author_id != source.author_id


def merge_preview(duplicate: Expression, *, into, actor) -> MergePreview:
    """What ``merge(duplicate, into=into)`` would do, for the mediator to confirm: raises what
    ``merge`` would raise (ValidationError on ``target``, TransitionError), writes nothing."""
    _deny_unless(rules.can_moderate(actor))
    _deny_outside(actor, duplicate)
    _check_numbers(duplicate.pk, into)
    target = Expression.objects.select_related("author", "quartier").filter(pk=into).first()
    if target is None or not rules.covers(actor, target):
        raise _missing(into)
    _check_merge(duplicate, target)
    on_target, gained = _supporters(duplicate, target)
    return MergePreview(
        duplicate=duplicate,
        target=target,
        supports_before=len(on_target),
        supports_gained=len(gained),
        signalements_closed=Signalement.objects.filter(
            expression=duplicate, resolved_at__isnull=True
        ).count(),
        tells_duplicate_author=can_reach_author(duplicate),
        tells_target_author=_tells_target_author(duplicate, target, gained),
    )


def merge(duplicate: Expression | int, *, into: Expression | int, actor) -> Expression:
    """Fold ``duplicate`` into ``into``: its « moi aussi » (and its author) now support ``into``.

    The duplicate's author is told which expression hers was merged with; the kept one's
    author, only when the merge brings her « moi aussi ». Support rows move without
    creating twins, and both counters are recomputed from the rows, so a merge never
    double-counts.
    """
    _deny_unless(rules.can_moderate(actor))
    duplicate_pk, target_pk = _pk(duplicate), _pk(into)
    _check_numbers(duplicate_pk, target_pk)
    with transaction.atomic():
        # Both rows locked, always in the same order, so two merges cannot deadlock.
        locked = {
            e.pk: e
            for e in Expression.objects.select_for_update(of=("self",))
            .select_related("author", "quartier")
            .filter(pk__in=[duplicate_pk, target_pk])
            .order_by("pk")
        }
        if target_pk not in locked or not rules.covers(actor, locked[target_pk]):
            raise _missing(target_pk)
        source, target = locked[duplicate_pk], locked[target_pk]
        _deny_outside(actor, source)
        _check_merge(source, target)
        _on_target, gained = _supporters(source, target)
        Support.objects.filter(expression=source, user_id__in=gained).update(expression=target)
        Support.objects.filter(expression=source).delete()
        if source.author_id in gained:
            # The duplicate's author said the same thing: that counts as a « moi aussi ».
            Support.objects.get_or_create(expression=target, user_id=source.author_id)
        Signalement.objects.filter(expression=source, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=actor
        )
        merged = change_status(
            source,
            to=Status.FUSIONNEE,
            actor=actor,
            allowed=rules.can_moderate,
            note=_("Regroupée avec l'expression n° %(number)s, qui dit la même chose.")
            % {"number": target.pk},
            data={"merged_into": target.pk, "supports_moved": len(gained)},
            changes={"merged_into": target, "supports_count": 0, "flagged_at": None},
            # Where her words went: the number, which her expression's page links to.
            author_message=_(
                "Votre expression a été regroupée avec l'expression n° %(number)s, qui dit la "
                "même chose : votre avis y compte comme un « moi aussi », et les « moi aussi » "
                "que vous aviez reçus y sont passés."
            )
            % {"number": target.pk},
        )
        before_count = target.supports_count
        target.supports_count = Support.objects.filter(expression=target).count()
        target.save(update_fields=["supports_count", "updated_at"])
        record(
            actor=actor,
            action="expression.regroupement_recu",
            target=target,
            before={"supports_count": before_count},
            after={"supports_count": target.supports_count, "merged": source.pk},
        )
        if _tells_target_author(source, target, gained):
            notify(
                target.author,
                _(
                    "Une autre expression qui dit la même chose que la vôtre lui a été regroupée : "
                    "votre expression compte maintenant %(count)s « moi aussi »."
                )
                % {"count": target.supports_count},
                url=target.get_absolute_url(),
                email_subject=_("Votre expression n° %(number)s") % {"number": target.pk},
                email_body=_(
                    "Une autre expression qui dit la même chose que la vôtre lui a été "
                    "regroupée : elle compte maintenant %(count)s « moi aussi ».\n\n%(url)s"
                )
                % {
                    "count": target.supports_count,
                    "url": settings.SITE_URL + target.get_absolute_url(),
                },
            )
        _moderation_event("expression.updated", target)
    return merged


# --- Editing what mediators add --------------------------------------------------------


def redact(expression: Expression | int, *, actor, text: str, version: str, reason: str = ""):
    """Replace the text (personal data removed); the words before are kept for the référent.

    ``version`` is ``text_version`` of the text the mediator edited: if a colleague changed
    it meanwhile, ConflictError, and nothing is written. A text left as it was shown is no
    redaction (None): every decision of the staff page posts it, and writing it back would
    undo what a colleague removed meanwhile.
    """
    _deny_unless(rules.can_moderate(actor))
    text = (text or "").strip()
    if text_token(text) == version:
        return None
    if not text:
        raise ValidationError(
            {"text": _("Le message ne peut pas être vide : retirez seulement ce qui doit l'être.")}
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Le message ne doit pas dépasser %(limit)s caractères.")
                % {"limit": TEXT_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        locked = _lock(_pk(expression), actor)
        if text_version(locked) != version:
            raise ConflictError(
                _(
                    "Le message a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert. "
                    "Votre version est gardée ci-dessous : comparez avec le texte actuel, puis "
                    "enregistrez de nouveau."
                )
            )
        if text_token(text) == text_version(locked):
            return None
        redaction = Redaction.objects.create(
            expression=locked,
            previous_text=locked.text,
            new_text=text,
            reason=(reason or "").strip()[:200],
            created_by=actor,
        )
        before_length = len(locked.text)
        locked.text = text
        locked.save(update_fields=["text", "updated_at"])
        changes.figures_changed()  # the dashboard shows the texts of the most supported ones
        # The words removed stay out of the audit log: mediators read it, only the référent
        # reads the original (Redaction rows).
        record(
            actor=actor,
            action="expression.caviardee",
            target=locked,
            before={"length": before_length},
            after={"length": len(text), "redaction": redaction.pk},
            reason=redaction.reason,
        )
        notify_author(
            locked,
            _(
                "Un·e médiateur·rice a retiré de votre expression des informations qui "
                "permettaient de reconnaître quelqu'un."
            ),
        )
        _moderation_event("expression.updated", locked)
    return redaction


def original_text(expression: Expression, *, user) -> str | None:
    """The text as its author wrote it, for the référent; None if it was never redacted."""
    _deny_unless(rules.can_read_original_text(user))
    first = expression.redactions.order_by("created_at", "pk").first()
    return first.previous_text if first else None


def _names(etiquettes) -> list[str]:
    return sorted(e.name for e in etiquettes)


def set_etiquettes(expression: Expression | int, *, actor, etiquettes: Iterable[Etiquette]):
    """The tags of one expression become exactly ``etiquettes``."""
    _deny_unless(rules.can_manage_etiquettes(actor))
    wanted = {e.pk: e for e in etiquettes}
    with transaction.atomic():
        locked = _lock(_pk(expression), actor)
        current = {e.pk: e for e in locked.etiquettes.all()}
        if set(current) == set(wanted):
            return False
        locked.etiquettes.set(wanted.values())
        changes.figures_changed()
        record(
            actor=actor,
            action="expression.etiquetee",
            target=locked,
            before={"etiquettes": _names(current.values())},
            after={"etiquettes": _names(wanted.values())},
        )
        _moderation_event("expression.updated", locked)
    return True


def bulk_tag(ids: Iterable[int], *, actor, etiquette: Etiquette) -> BulkResult:
    """Add one tag to many expressions (one audit entry each, so each page shows it)."""
    _deny_unless(rules.can_manage_etiquettes(actor))
    result = BulkResult()
    ids = {pk for pk in ids if is_pk(pk)}
    with transaction.atomic():
        # Those of other communes do not exist for staff given communes.
        expressions = list(
            rules.staff_expressions(actor)
            .select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
        )
        tagged = set(
            etiquette.expressions.filter(pk__in=[e.pk for e in expressions]).values_list(
                "pk", flat=True
            )
        )
        fresh = [e for e in expressions if e.pk not in tagged]
        etiquette.expressions.add(*fresh)
        changes.figures_changed()
        for expression in fresh:
            record(
                actor=actor,
                action="expression.etiquetee",
                target=expression,
                after={"ajout": etiquette.name},
            )
            _moderation_event("expression.updated", expression)
        result.done = [e.pk for e in fresh]
        result.refused = [
            (e.pk, _("Elle portait déjà l'étiquette « %(name)s ».") % {"name": etiquette.name})
            for e in expressions
            if e.pk in tagged
        ]
    return result


def _validate_etiquette_name(name: str, *, exclude=None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom à l'étiquette.")})
    if len(name) > 60:
        raise ValidationError({"name": _("60 caractères au plus.")})
    # Compared in Python: SQLite's LOWER() leaves « É » alone; the table stays small.
    others = Etiquette.objects.exclude(pk=exclude.pk) if exclude is not None else Etiquette.objects
    if name.casefold() in {other.casefold() for other in others.values_list("name", flat=True)}:
        raise ValidationError({"name": _("L'étiquette « %(name)s » existe déjà.") % {"name": name}})
    return name


def create_etiquette(name: str, *, actor) -> Etiquette:
    _deny_unless(rules.can_manage_etiquettes(actor))
    name = _validate_etiquette_name(name)
    try:
        with transaction.atomic():
            etiquette = Etiquette.objects.create(name=name, created_by=actor)
            changes.figures_changed()
            changes.queue_changed()  # the queue's filters list the tags
            record(actor=actor, action="etiquette.creee", target=etiquette, after={"name": name})
    except IntegrityError as error:  # the same name created at the same moment
        raise ValidationError(
            {"name": _("L'étiquette « %(name)s » existe déjà.") % {"name": name}}
        ) from error
    return etiquette


def rename_etiquette(etiquette: Etiquette, name: str, *, actor) -> Etiquette:
    _deny_unless(rules.can_manage_etiquettes(actor))
    name = _validate_etiquette_name(name, exclude=etiquette)
    if not rules.may_rename_etiquette(actor, etiquette):
        raise ValidationError(
            {
                "name": _(
                    "Cette étiquette est aussi posée sur des expressions d'autres communes : "
                    "seule l'équipe de toute la plateforme peut la renommer. Créez-en une autre "
                    "pour vos communes."
                )
            }
        )
    try:
        with transaction.atomic():
            locked = Etiquette.objects.select_for_update().get(pk=etiquette.pk)
            before = locked.name
            locked.name = name
            locked.save(update_fields=["name", "updated_at"])
            changes.figures_changed()
            changes.queue_changed()  # the queue shows the tags by name
            record(
                actor=actor,
                action="etiquette.renommee",
                target=locked,
                before={"name": before},
                after={"name": name},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"name": _("L'étiquette « %(name)s » existe déjà.") % {"name": name}}
        ) from error
    return locked


def set_objectifs(expression: Expression | int, *, actor, objectifs: Iterable) -> bool:
    """Link the expression to exactly these objectives of its quartier (none: « à trouver »)."""
    _deny_unless(rules.can_moderate(actor))
    objectifs = list(objectifs)
    with transaction.atomic():
        locked = _lock(_pk(expression), actor)
        foreign = [str(o) for o in objectifs if o.quartier_id != locked.quartier_id]
        if foreign:
            raise ValidationError(
                {
                    "objectifs": _(
                        "Ces objectifs sont ceux d'un autre quartier que %(quartier)s : %(names)s."
                    )
                    % {"quartier": locked.quartier.short_name, "names": " ; ".join(foreign)}
                }
            )
        current = set(locked.objectifs.values_list("pk", flat=True))
        wanted = {o.pk for o in objectifs}
        if current == wanted:
            return False
        locked.objectifs.set(objectifs)
        locked.objectifs_unknown = not objectifs
        locked.save(update_fields=["objectifs_unknown", "updated_at"])
        changes.figures_changed()
        record(
            actor=actor,
            action="expression.objectifs",
            target=locked,
            before={"objectifs": sorted(current)},
            after={"objectifs": sorted(wanted)},
        )
        _moderation_event("expression.updated", locked)
    return True


def handle_signalements(expression: Expression | int, *, actor, decision: str, note: str = ""):
    """A mediator reads the reports of a published expression: keep it, or take it down.

    Taking it down makes it private (the path has no way back): its author and the team
    still read it, and the author is told why.
    """
    _deny_unless(rules.can_moderate(actor))
    note = (note or "").strip()
    if decision not in (SignalementDecision.KEEP, SignalementDecision.HIDE):
        raise ValidationError({"decision": _("Choisissez ce que devient le message.")})
    if decision == SignalementDecision.HIDE and not note:
        raise ValidationError(
            {"note": _("Dites à son auteur pourquoi le message n'est plus public.")}
        )
    with transaction.atomic():
        locked = _lock(_pk(expression), actor)
        reports = Signalement.objects.filter(expression=locked, resolved_at__isnull=True)
        count = reports.count()
        if locked.flagged_at is None and not count:
            raise TransitionError(
                _(
                    "Les signalements de ce message ont déjà été traités, peut-être par un·e collègue : rechargez la page."
                )
            )
        now = timezone.now()
        reports.update(resolved_at=now, resolved_by=actor)
        before = {"visibility": locked.visibility, "signalements": count}
        locked.flagged_at = None
        fields = ["flagged_at", "updated_at"]
        if decision == SignalementDecision.HIDE:
            locked.visibility = Visibility.PRIVATE
            fields.append("visibility")
        locked.save(update_fields=fields)
        record(
            actor=actor,
            action="expression.masquee"
            if decision == SignalementDecision.HIDE
            else "expression.signalement_classe",
            target=locked,
            before=before,
            after={"visibility": locked.visibility, "signalements": 0},
            reason=note,
        )
        if decision == SignalementDecision.HIDE:
            notify_author(
                locked,
                _(
                    "Votre expression n'est plus publique ; l'équipe la lit toujours. Raison : %(note)s"
                )
                % {"note": note},
            )
        _moderation_event("expression.reviewed", locked, decision=decision, by=actor.pk)
    return count


# --- Photo ---------------------------------------------------------------------------------

NO_PHOTO = gettext_lazy("Cette expression n'a pas de photo à flouter.")
AREA_OUTSIDE = gettext_lazy(
    "La zone dépasse de la photo : la position plus la taille doit rester à 100 % au plus "
    "(par exemple 30 % depuis la gauche et 70 % de largeur au plus)."
)


@dataclass(frozen=True)
class Area:
    """An area of a photo in percent of its width and height, from its top left corner."""

    left: float
    top: float
    width: float
    height: float

    def as_fractions(self) -> dict[str, float]:
        return {
            "left": self.left / 100,
            "top": self.top / 100,
            "width": self.width / 100,
            "height": self.height / 100,
        }

    def as_audit(self) -> dict[str, float]:
        return {name: round(value, 1) for name, value in vars(self).items()}


def check_area(*, left, top, width, height) -> Area:
    """The area to blur, or a ValidationError naming the field at fault."""
    area = Area(float(left), float(top), float(width), float(height))
    errors = {}
    for name in ("left", "top"):
        if not 0 <= getattr(area, name) < 100:
            errors[name] = [_("Donnez une position entre 0 et 100 %.")]
    for name in ("width", "height"):
        if not 0 < getattr(area, name) <= 100:
            errors[name] = [_("Donnez une taille de plus de 0 % et de 100 % au plus.")]
    if errors:
        raise ValidationError(errors)
    # A rectangle drawn to the edge may round a hair past it.
    if area.left + area.width > 100.5:
        errors["width"] = [AREA_OUTSIDE]
    if area.top + area.height > 100.5:
        errors["height"] = [AREA_OUTSIDE]
    if errors:
        raise ValidationError(errors)
    return area


def blur_photo_area(expression: Expression | int, *, actor, area: Area) -> Expression:
    """Blur by hand an area the face detector missed (a face, a name, a plate…).

    The stored photo is the only copy: it and its thumbnail are replaced by blurred ones,
    under new names (the served ETag changes with them: no browser shows the old ones
    again), and the old files are deleted once the change is committed. Blurring again adds
    to what was blurred. Audited; raises PermissionDenied or ValidationError.
    """
    _deny_unless(rules.can_moderate(actor))
    area = check_area(**vars(area))
    # The new files are deleted if the change is not stored; the old ones once it is.
    with storage.files_undone_on_error(), transaction.atomic():
        locked = _lock(_pk(expression), actor)
        if not locked.photo:
            raise ValidationError(NO_PHOTO)
        old = [name for name in (locked.photo.name, locked.thumbnail.name) if name]
        with locked.photo.open("rb") as handle:
            blurred = images.blur_area(handle.read(), **area.as_fractions())
        small = images.make_thumbnail(blurred.content)
        locked.photo.save("photo.jpg", blurred.as_file(), save=False)
        storage.note_written(locked.photo.name)
        locked.thumbnail.save("mini.jpg", small.as_file(), save=False)
        storage.note_written(locked.thumbnail.name)
        locked.save(update_fields=["photo", "thumbnail", "updated_at"])
        record(
            actor=actor,
            action="expression.photo_floutee",
            target=locked,
            after={"zone_pourcent": area.as_audit()},
        )
        transaction.on_commit(lambda: storage.delete_files(old))
        _moderation_event("expression.updated", locked)
    return locked
