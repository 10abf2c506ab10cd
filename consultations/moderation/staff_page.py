"""The staff page of an expression, saved as a whole: one form in the order of the work
(read, remove personal data, classify, then decide).

Every button of the page saves the whole of it: the redaction, the tags, the objectives,
then the decision, each through its service (``services``, ``aiguillage``: role, lock,
audit, notification, broadcast), in one transaction, or nothing is written. The view
(views/expression.py) only reads the form and draws the outcome.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Expression
from ..transitions import TransitionError
from . import aiguillage, services

SAVE = "enregistrer"


class PageRefused(Exception):
    """One part of the page was refused: nothing of the page is written.

    ``part`` names it: ``redact``, ``etiquettes``, ``objectifs``, or ``decision``; ``error``
    is the service's ValidationError or TransitionError, as it was raised."""

    def __init__(self, part: str, error: ValidationError | TransitionError):
        super().__init__(part)
        self.part, self.error = part, error


@dataclass(frozen=True)
class ModerationPage:
    """What the page sends, validated (``forms.ModerationForm``).

    ``version`` is ``queue.text_version`` of the text the mediator edited. The tags and the
    objectives are written only when she touched them (``…_changed``), so that a colleague's
    change meanwhile stands. ``decision`` is one of ``DECISIONS``, its own fields (reason,
    instances, target…) in ``decision_data``."""

    text: str
    version: str
    reason: str = ""
    etiquettes: tuple = ()
    new_etiquette: str = ""
    etiquettes_changed: bool = False
    objectifs: tuple = ()
    objectifs_changed: bool = False
    decision: str = SAVE
    decision_data: dict = field(default_factory=dict)


def _publish(actor, expression, _data) -> str:
    services.publish(expression, actor=actor)
    return _("L'expression n° %(number)s est publiée.") % {"number": expression.pk}


def _reject(actor, expression, data) -> str:
    services.reject(expression, actor=actor, reason=data["reason"], details=data["details"])
    return _("L'expression n° %(number)s n'est pas publiée ; son auteur lit la raison.") % {
        "number": expression.pk
    }


def _route(actor, expression, data) -> str:
    rows = aiguillage.route(expression, actor=actor, instances=data["instances"], note=data["note"])
    return _("Transmise à %(names)s.") % {"names": ", ".join(row.instance.name for row in rows)}


def _choose_merge(actor, expression, data) -> str:
    """The expression chosen is checked as the merge will check it; the merge itself waits
    for the mediator's confirmation on the preview (views/merge.py)."""
    services.merge_preview(expression, into=data["target"], actor=actor)
    return ""


def _signalements(actor, expression, data) -> str:
    services.handle_signalements(
        expression, actor=actor, decision=data["decision"], note=data["note"]
    )
    if data["decision"] == services.SignalementDecision.HIDE:
        return _("Le message n'est plus public ; son auteur sait pourquoi.")
    return _("Le signalement est classé ; le message reste publié.")


# Each decision of the page, as its button names it, and what it does once the rest is saved.
DECISIONS = {
    SAVE: lambda actor, expression, data: "",
    "publier": _publish,
    "rejeter": _reject,
    "transmettre": _route,
    "fusionner": _choose_merge,
    "signalements": _signalements,
}


class _Part:
    """Runs one part of the page; a refusal becomes ``PageRefused(name)``."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError | TransitionError):
            raise PageRefused(self.name, error) from error
        return False


def save_moderation_page(expression: Expression, page: ModerationPage, *, actor) -> list[str]:
    """Save the page in the order of the work: redaction, tags, objectives, then the
    decision, in one transaction. Returns what each part did, for the mediator's message;
    raises PageRefused (nothing written) when a service refuses a part."""
    done = []
    with transaction.atomic():
        with _Part("redact"):
            if services.redact(
                expression,
                actor=actor,
                text=page.text,
                version=page.version,
                reason=page.reason,
            ):
                done.append(
                    _("Le texte est modifié ; l'original est gardé pour le ou la référent·e.")
                )
        with _Part("etiquettes"):
            chosen = list(page.etiquettes)
            if page.new_etiquette.strip():
                chosen.append(services.create_etiquette(page.new_etiquette, actor=actor))
            changed = page.new_etiquette.strip() or page.etiquettes_changed
            if changed and services.set_etiquettes(expression, actor=actor, etiquettes=chosen):
                done.append(_("Les étiquettes sont enregistrées."))
        with _Part("objectifs"):
            if page.objectifs_changed and services.set_objectifs(
                expression, actor=actor, objectifs=page.objectifs
            ):
                done.append(_("Les objectifs sont enregistrés."))
        with _Part("decision"):
            decided = DECISIONS[page.decision](actor, expression, page.decision_data)
    return [*done, *([decided] if decided else [])]
