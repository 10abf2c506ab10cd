"""The staff page of an expression: one form in the order of the work (read, remove personal
data, classify, then decide).

Every decision button posts the whole form: the redaction, the classification and the
decision are written by their services in that order, in one transaction, each audited as
always, or nothing is. A refused part comes back with everything typed, its error at its
place and the page anchored there (``#resultat``); a saved one comes back to the place of
the action with its message. When a colleague acted first, the page says so (HTTP 409) and
keeps what was typed.

« Regrouper » is the one decision taken in two steps: its button saves the page as the others
do and checks the expression chosen (a likely duplicate the page suggests, or a number), then
leads to the preview of the merge (``views/merge.py``), where the merge is confirmed or not.
"""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from participation.accounts.rules import mediateur_required
from participation.audit.services import entries_for
from participation.core.redirects import safe_next

from ... import rules
from ...models import (
    Expression,
    ExpressionStep,
    Redaction,
    Signalement,
    Status,
    Transmission,
)
from ...search import likely_duplicates
from ...transitions import TransitionError
from .. import aiguillage, services
from .. import queue as reads
from ..forms import ModerationForm, typed_values

# The fragment a post comes back to: the outcome of the action, at the first part refused,
# else with the message under « Décider ».
RESULT = "resultat"
# A service names a field as its model does; the form may call it otherwise.
FIELD_OF = {"etiquettes": {"name": "new"}}
# Decisions after which the expression leaves the queue: the mediator goes back to it.
BACK_TO_QUEUE = {"publier", "rejeter"}
# « Regrouper » saves the page, then leads to the preview where the merge is confirmed.
MERGE = "fusionner"
# The likely duplicates offered under « Regrouper ».
SUGGESTIONS = 5


def _staff_expression(pk) -> Expression:
    return get_object_or_404(
        Expression.objects.select_related(
            "quartier", "author", "consultation", "evenement", "recorded_by", "merged_into"
        )
        .annotate(redacted=Exists(Redaction.objects.filter(expression=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("steps", queryset=ExpressionStep.objects.select_related("actor")),
            Prefetch(
                "transmissions",
                queryset=Transmission.objects.select_related("instance", "created_by"),
            ),
            Prefetch(
                "signalements",
                queryset=Signalement.objects.filter(resolved_at__isnull=True).select_related(
                    "reporter"
                ),
                to_attr="open_signalements",
            ),
            Prefetch("merged", queryset=Expression.objects.only("pk", "merged_into")),
        ),
        pk=pk,
    )


def _render_staff(request, expression, form=None, *, status=200, conflict=""):
    user = request.user
    form = form or ModerationForm(expression)
    routed_to = {t.instance_id for t in expression.transmissions.all()}
    instances = form["route"].fields["instances"]
    instances.queryset = instances.queryset.exclude(pk__in=routed_to)
    shown = {
        "reject": expression.status == Status.SOUMISE,
        "route": expression.status in (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE),
        "merge": expression.status == Status.PUBLIEE,
        "signalements": bool(expression.flagged_at or expression.open_signalements),
    }
    suggestions = likely_duplicates(expression, limit=SUGGESTIONS) if shown["merge"] else []
    form["merge"].offer(suggestions)
    refused = form.first_refused() if form.forms["redact"].is_bound else None
    chosen = ModerationForm.DECISIONS.get(form.decision)
    context = {
        "expression": expression,
        "steps": expression.steps.all(),
        "forms": form.forms,
        "unsaved": form.forms["redact"].is_bound,
        "result_at": refused or "decision",
        "conflict": conflict,
        # The decision refused may have no place on the page any more (a colleague published
        # the expression meanwhile): what was typed in it is read back there.
        "conflict_typed": typed_values(form[chosen])
        if conflict and chosen and not shown[chosen]
        else [],
        "audit": entries_for(expression),
        "original_text": services.original_text(expression, user=user)
        if rules.can_read_original_text(user)
        else None,
        "redacted": expression.redacted,
        "can_publish": shown["reject"],
        "can_route": shown["route"],
        "can_merge": shown["merge"],
        "suggestions": suggestions,
        "has_reports": shown["signalements"],
        "merged": list(expression.merged.all()),
    }
    return render(request, "consultations/moderation/expression.html", context, status=status)


@mediateur_required
@require_http_methods(["GET", "POST"])
def expression(request, pk):
    expression = _staff_expression(pk)
    if request.method == "GET":
        return _render_staff(request, expression)
    decision = request.POST.get("decision", ModerationForm.SAVE)
    form = ModerationForm(expression, request.POST, decision=decision)
    if decision not in ModerationForm.DECISIONS:
        return _render_staff(
            request, expression, form, status=400, conflict=_("Cette décision n'existe pas.")
        )
    if not form.is_valid():
        return _render_staff(request, expression, form, status=400)
    try:
        with transaction.atomic():
            done = _save(request.user, expression, form)
    except _Refused as refused:
        return _render_refused(request, pk, form, refused)
    if decision == MERGE:
        # Nothing is merged yet: the page is saved, the preview shows what will happen.
        if done:
            messages.success(request, " ".join(done))
        target = form["merge"].cleaned_data["target"]
        # Its own fragment, or the browser would keep the form's (#resultat).
        preview = reverse("consultations:moderation_merge", args=[pk, target])
        return redirect(f"{preview}#contenu")
    messages.success(request, " ".join(done) or _("Rien n'a changé."))
    if decision in BACK_TO_QUEUE:
        # Its own fragment, or the browser would keep the form's (#resultat) on the queue:
        # the message is at the top of the main content.
        queue = safe_next(request, reverse("consultations:moderation_queue")).split("#")[0]
        return redirect(f"{queue}#contenu")
    staff_page = reverse("consultations:moderation_expression", args=[pk])
    return redirect(f"{staff_page}#{RESULT}")


class _Refused(Exception):
    """A service refused a part of the form: the transaction is undone, nothing is written."""

    def __init__(self, part: str, error: ValidationError | TransitionError):
        super().__init__(part)
        self.part, self.error = part, error


@contextmanager
def _part(name: str):
    try:
        yield
    except (ValidationError, TransitionError) as error:
        raise _Refused(name, error) from error


def _save(actor, expression, form) -> list[str]:
    """The services, in the order of the work: redaction, classification, then the decision.
    Returns what each one did, for the message."""
    done = []
    with _part("redact"):
        data = form["redact"].cleaned_data
        if services.redact(
            expression,
            actor=actor,
            text=data["text"],
            version=data["version"],
            reason=data["reason"],
        ):
            done.append(_("Le texte est modifié ; l'original est gardé pour le ou la référent·e."))
    with _part("etiquettes"):
        data = form["etiquettes"].cleaned_data
        chosen = list(data["etiquettes"])
        if data["new"].strip():
            chosen.append(services.create_etiquette(data["new"], actor=actor))
        changed = data["new"].strip() or "etiquettes" in form["etiquettes"].changed_data
        if changed and services.set_etiquettes(expression, actor=actor, etiquettes=chosen):
            done.append(_("Les étiquettes sont enregistrées."))
    with _part("objectifs"):
        objectifs = form["objectifs"].cleaned_data["objectifs"]
        if "objectifs" in form["objectifs"].changed_data and services.set_objectifs(
            expression, actor=actor, objectifs=objectifs
        ):
            done.append(_("Les objectifs sont enregistrés."))
    name = ModerationForm.DECISIONS[form.decision]
    with _part(name or form.decision):
        decided = DECISIONS[form.decision](actor, expression, form[name] if name else None)
    return [*done, *([decided] if decided else [])]


def _publish(actor, expression, _form):
    services.publish(expression, actor=actor)
    return _("L'expression n° %(number)s est publiée.") % {"number": expression.pk}


def _reject(actor, expression, form):
    services.reject(
        expression,
        actor=actor,
        reason=form.cleaned_data["reason"],
        details=form.cleaned_data["details"],
    )
    return _("L'expression n° %(number)s n'est pas publiée ; son auteur lit la raison.") % {
        "number": expression.pk
    }


def _route(actor, expression, form):
    rows = aiguillage.route(
        expression,
        actor=actor,
        instances=form.cleaned_data["instances"],
        note=form.cleaned_data["note"],
    )
    return _("Transmise à %(names)s.") % {"names": ", ".join(row.instance.name for row in rows)}


def _choose_merge(actor, expression, form):
    """The expression chosen is checked as the merge will check it; the merge itself waits
    for the mediator's confirmation on the preview (views/merge.py)."""
    services.merge_preview(expression, into=form.cleaned_data["target"], actor=actor)
    return ""


def _signalements(actor, expression, form):
    services.handle_signalements(
        expression,
        actor=actor,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
    )
    if form.cleaned_data["decision"] == services.SignalementDecision.HIDE:
        return _("Le message n'est plus public ; son auteur sait pourquoi.")
    return _("Le signalement est classé ; le message reste publié.")


DECISIONS = {
    "enregistrer": lambda actor, expression, form: "",
    "publier": _publish,
    "rejeter": _reject,
    "transmettre": _route,
    MERGE: _choose_merge,
    "signalements": _signalements,
}


def _render_refused(request, pk, form, refused):
    """The page again, fresh, with what was typed and the refusal at the part refused."""
    fresh = _staff_expression(pk)
    error = refused.error
    if isinstance(error, TransitionError) and refused.part != "redact":
        # The decision: a colleague was faster, or the path forbids it.
        return _render_staff(request, fresh, form, status=409, conflict=error.message)
    if refused.part not in form.forms:  # a decision without fields of its own
        return _render_staff(request, fresh, form, status=400, conflict=" ".join(error.messages))
    target = form[refused.part]
    if isinstance(error, TransitionError):
        # The text changed since the page showed it: the mediator's version is kept, and
        # saving again, having compared, writes it over the new one.
        target.add_error(None, error.message)
        target.data = target.data.copy()
        target.data[target.add_prefix("version")] = reads.text_version(fresh)
        return _render_staff(request, fresh, form, status=409)
    fields = FIELD_OF.get(refused.part, {})
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            field = fields.get(field, field)
            target.add_error(field if field in target.fields else None, texts)
    else:
        target.add_error(None, error.messages)
    return _render_staff(request, fresh, form, status=400)


@mediateur_required
@require_POST
def publish(request, pk):
    """« Publier » from the queue, for an expression read there: the decision alone."""
    expression = get_object_or_404(Expression, pk=pk)
    try:
        services.publish(expression, actor=request.user)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'expression n° %(number)s est publiée.") % {"number": pk})
    return redirect(safe_next(request, reverse("consultations:moderation_expression", args=[pk])))
