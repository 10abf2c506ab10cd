"""The staff page of an expression: one form in the order of the work (read, remove personal
data, classify, then decide).

Every decision button posts the whole form: the redaction, the classification and the
decision are written in that order, in one transaction, each audited as always, or nothing
is (``staff_page.save_moderation_page``; this view reads the form and draws the outcome). A refused part comes back with everything typed, its error at its
place and the page anchored there (``#resultat``); a saved one comes back to the place of
the action with its message. When a colleague acted first, the page says so (HTTP 409) and
keeps what was typed.

« Regrouper » is the one decision taken in two steps: its button saves the page as the others
do and checks the expression chosen (a likely duplicate the page suggests, or a number), then
leads to the preview of the merge (``views/merge.py``), where the merge is confirmed or not.
"""

from django.contrib import messages
from django.contrib.messages import get_messages
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
from .. import queue as reads
from .. import services
from ..forms import BlurAreaForm, ModerationForm, typed_values
from ..staff_page import ModerationPage, PageRefused, save_moderation_page

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


def _staff_expression(pk, user) -> Expression:
    """The expression, for staff who work on it: another commune's does not exist (404)."""
    return get_object_or_404(
        rules.staff_expressions(user)
        .select_related(
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


def _render_staff(request, expression, form=None, *, status=200, conflict="", blur_form=None):
    user = request.user
    # « Flouter une zone » says what it did beside the photo, the other actions under « Décider ».
    stored = list(get_messages(request))
    form = form or ModerationForm(expression)
    routed_to = {t.instance_id for t in expression.transmissions.all()}
    _offer_instances(form, expression, user)
    instances = form["route"].fields["instances"]
    instances.queryset = instances.queryset.exclude(pk__in=routed_to)
    shown = {
        "reject": expression.status == Status.SOUMISE,
        "route": expression.status in (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE),
        "merge": expression.status == Status.PUBLIEE,
        "signalements": bool(expression.flagged_at or expression.open_signalements),
    }
    suggestions = (
        likely_duplicates(
            expression,
            limit=SUGGESTIONS,
            queryset=services.merge_targets(expression, actor=user),
        )
        if shown["merge"]
        else []
    )
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
        "blur_form": blur_form or BlurAreaForm(),
        "messages": [message for message in stored if "photo" not in message.tags],
        "photo_messages": [message for message in stored if "photo" in message.tags],
    }
    return render(request, "consultations/moderation/expression.html", context, status=status)


def _offer_instances(form, expression, user) -> None:
    """« Transmettre » offers the instances of ``user``'s communes (or of the whole
    platform) that review the expression's quartier: the service refuses the others."""
    field = form["route"].fields["instances"]
    field.queryset = rules.instances_covering(
        expression, rules.instances_in_scope(user, field.queryset)
    )


@mediateur_required
@require_http_methods(["GET", "POST"])
def expression(request, pk):
    expression = _staff_expression(pk, request.user)
    if request.method == "GET":
        return _render_staff(request, expression)
    decision = request.POST.get("decision", ModerationForm.SAVE)
    form = ModerationForm(expression, request.POST, decision=decision)
    _offer_instances(form, expression, request.user)
    if decision not in ModerationForm.DECISIONS:
        return _render_staff(
            request, expression, form, status=400, conflict=_("Cette décision n'existe pas.")
        )
    if not form.is_valid():
        return _render_staff(request, expression, form, status=400)
    try:
        done = save_moderation_page(expression, _page(form), actor=request.user)
    except PageRefused as refused:
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


def _page(form) -> ModerationPage:
    """What the form holds, for the service that saves the page."""
    redaction = form["redact"].cleaned_data
    tags = form["etiquettes"]
    name = ModerationForm.DECISIONS[form.decision]
    return ModerationPage(
        text=redaction["text"],
        version=redaction["version"],
        reason=redaction["reason"],
        etiquettes=tuple(tags.cleaned_data["etiquettes"]),
        new_etiquette=tags.cleaned_data["new"],
        etiquettes_changed="etiquettes" in tags.changed_data,
        objectifs=tuple(form["objectifs"].cleaned_data["objectifs"]),
        objectifs_changed="objectifs" in form["objectifs"].changed_data,
        decision=form.decision,
        decision_data=form[name].cleaned_data if name else {},
    )


def _render_refused(request, pk, form, refused):
    """The page again, fresh, with what was typed and the refusal at the part refused."""
    fresh = _staff_expression(pk, request.user)
    error = refused.error
    part = refused.part
    if part == "decision":  # its own part of the form, if it has one
        part = ModerationForm.DECISIONS[form.decision] or form.decision
    if isinstance(error, TransitionError) and part != "redact":
        # The decision: a colleague was faster, or the path forbids it.
        return _render_staff(request, fresh, form, status=409, conflict=error.message)
    if part not in form.forms:  # a decision without fields of its own
        return _render_staff(request, fresh, form, status=400, conflict=" ".join(error.messages))
    target = form[part]
    if isinstance(error, TransitionError):
        # The text changed since the page showed it: the mediator's version is kept, and
        # saving again, having compared, writes it over the new one.
        target.add_error(None, error.message)
        target.data = target.data.copy()
        target.data[target.add_prefix("version")] = reads.text_version(fresh)
        return _render_staff(request, fresh, form, status=409)
    fields = FIELD_OF.get(part, {})
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
    """« Publier » from the queue, for an expression read there: the decision alone. One its
    row did not show whole (a longer text, a photo) is read on its page first."""
    expression = get_object_or_404(rules.staff_expressions(request.user), pk=pk)
    staff_page = reverse("consultations:moderation_expression", args=[pk])
    if not expression.read_whole_in_queue:
        messages.info(
            request,
            _(
                "L'expression n° %(number)s est plus longue que ce que la file montre, ou a une photo : lisez-la en entier ici avant de la publier."
            )
            % {"number": pk},
        )
        return redirect(staff_page)
    try:
        services.publish(expression, actor=request.user)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'expression n° %(number)s est publiée.") % {"number": pk})
    return redirect(safe_next(request, staff_page))
