"""The staff page of an expression: read, redact, classify, then decide.

When a colleague acted first, the page comes back with the form as it was typed and a
message saying what happened (HTTP 409).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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
from ...transitions import TransitionError
from .. import aiguillage, services
from .. import queue as reads
from ..forms import (
    EtiquettesForm,
    MergeForm,
    ObjectifsForm,
    RedactForm,
    RejectForm,
    RouteForm,
    SignalementsForm,
)


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


def _default_forms(expression: Expression) -> dict:
    return {
        "reject": RejectForm(),
        "redact": RedactForm(
            initial={"text": expression.text, "version": reads.text_version(expression)}
        ),
        "etiquettes": EtiquettesForm.for_expression(expression),
        "objectifs": ObjectifsForm.for_expression(expression),
        "merge": MergeForm(),
        "route": RouteForm(),
        "signalements": SignalementsForm(),
    }


ACTION_OF_FORM = {
    "reject": "rejeter",
    "redact": "caviarder",
    "etiquettes": "etiquettes",
    "objectifs": "objectifs",
    "merge": "fusionner",
    "route": "transmettre",
    "signalements": "signalements",
}


def _render_staff(request, expression, forms=None, status=200, conflict=""):
    user = request.user
    all_forms = {**_default_forms(expression), **(forms or {})}
    routed_to = {t.instance_id for t in expression.transmissions.all()}
    all_forms["route"].fields["instances"].queryset = (
        all_forms["route"].fields["instances"].queryset.exclude(pk__in=routed_to)
    )
    context = {
        "expression": expression,
        "steps": expression.steps.all(),
        "forms": all_forms,
        "conflict": conflict,
        "audit": entries_for(expression),
        "original_text": services.original_text(expression, user=user)
        if rules.can_read_original_text(user)
        else None,
        "redacted": expression.redacted,
        "can_publish": expression.status == Status.SOUMISE,
        "can_route": expression.status in (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE),
        "can_merge": expression.status == Status.PUBLIEE,
        "has_reports": bool(expression.flagged_at or expression.open_signalements),
        "merged": list(expression.merged.all()),
    }
    shown = {
        "reject": context["can_publish"],
        "route": context["can_route"],
        "merge": context["can_merge"],
        "signalements": context["has_reports"],
    }
    # The section of a refused action may be gone (a colleague published it meanwhile):
    # what was typed is shown back above, so that nothing is lost.
    context["conflict_forms"] = [
        (ACTION_OF_FORM[name], form)
        for name, form in (forms or {}).items()
        if conflict and not shown.get(name, True)
    ]
    return render(request, "consultations/moderation/expression.html", context, status=status)


@mediateur_required
@require_GET
def expression(request, pk):
    return _render_staff(request, _staff_expression(pk))


def _publish(request, expression):
    services.publish(expression, actor=request.user)
    return _("L'expression n° %(number)s est publiée.") % {"number": expression.pk}, None


def _reject(request, expression):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return None, ("reject", form)
    services.reject(
        expression,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        details=form.cleaned_data["details"],
    )
    return _("L'expression n° %(number)s n'est pas publiée ; son auteur lit la raison.") % {
        "number": expression.pk
    }, None


def _redact(request, expression):
    form = RedactForm(request.POST)
    if not form.is_valid():
        return None, ("redact", form)
    done = services.redact(
        expression,
        actor=request.user,
        text=form.cleaned_data["text"],
        version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
    )
    if done is None:
        return _("Le texte n'a pas changé."), None
    return _("Le texte est modifié ; l'original est gardé pour le ou la référent·e."), None


def _etiquettes(request, expression):
    form = EtiquettesForm(request.POST)
    if not form.is_valid():
        return None, ("etiquettes", form)
    chosen = list(form.cleaned_data["etiquettes"])
    if form.cleaned_data["new"].strip():
        try:
            chosen.append(services.create_etiquette(form.cleaned_data["new"], actor=request.user))
        except ValidationError as error:
            form.add_error("new", error.message_dict.get("name", error.messages))
            return None, ("etiquettes", form)
    services.set_etiquettes(expression, actor=request.user, etiquettes=chosen)
    return _("Les étiquettes sont enregistrées."), None


def _objectifs(request, expression):
    form = ObjectifsForm(request.POST, expression=expression)
    if not form.is_valid():
        return None, ("objectifs", form)
    services.set_objectifs(expression, actor=request.user, objectifs=form.cleaned_data["objectifs"])
    return _("Les objectifs sont enregistrés."), None


def _merge(request, expression):
    form = MergeForm(request.POST)
    if not form.is_valid():
        return None, ("merge", form)
    services.merge(expression, into=form.cleaned_data["target"], actor=request.user)
    return _("Regroupée avec l'expression n° %(number)s ; les deux auteurs sont prévenus.") % {
        "number": form.cleaned_data["target"]
    }, None


def _route(request, expression):
    form = RouteForm(request.POST)
    if not form.is_valid():
        return None, ("route", form)
    rows = aiguillage.route(
        expression,
        actor=request.user,
        instances=form.cleaned_data["instances"],
        note=form.cleaned_data["note"],
    )
    return _("Transmise à %(names)s.") % {
        "names": ", ".join(row.instance.name for row in rows)
    }, None


def _signalements(request, expression):
    form = SignalementsForm(request.POST)
    if not form.is_valid():
        return None, ("signalements", form)
    services.handle_signalements(
        expression,
        actor=request.user,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
    )
    if form.cleaned_data["decision"] == services.SignalementDecision.HIDE:
        return _("Le message n'est plus public ; son auteur sait pourquoi."), None
    return _("Le signalement est classé ; le message reste publié."), None


ACTIONS = {
    "publier": (_publish, None),
    "rejeter": (_reject, "reject"),
    "caviarder": (_redact, "redact"),
    "etiquettes": (_etiquettes, "etiquettes"),
    "objectifs": (_objectifs, "objectifs"),
    "fusionner": (_merge, "merge"),
    "transmettre": (_route, "route"),
    "signalements": (_signalements, "signalements"),
}
FORM_CLASSES = {
    "reject": RejectForm,
    "redact": RedactForm,
    "etiquettes": EtiquettesForm,
    "merge": MergeForm,
    "route": RouteForm,
    "signalements": SignalementsForm,
}


def _bound(name, request, expression):
    """The form of ``name`` filled with what was posted, for showing it back."""
    if name == "objectifs":
        form = ObjectifsForm(request.POST, expression=expression)
    else:
        form = FORM_CLASSES[name](request.POST)
    form.is_valid()
    return form


@mediateur_required
@require_POST
def action(request, pk, name):
    if name not in ACTIONS:
        raise Http404
    handler, form_name = ACTIONS[name]
    expression = _staff_expression(pk)
    staff_page = reverse("consultations:moderation_expression", args=[pk])
    try:
        message, failed = handler(request, expression)
    except TransitionError as error:
        # A colleague was faster (or the path forbids it): nothing written, nothing lost.
        fresh = _staff_expression(pk)
        forms = {form_name: _bound(form_name, request, fresh)} if form_name else {}
        if name == "caviarder":
            forms["redact"].data = forms["redact"].data.copy()
            forms["redact"].data["version"] = reads.text_version(fresh)
        messages.error(request, error.message)
        return _render_staff(request, fresh, forms=forms, status=409, conflict=error.message)
    except ValidationError as error:
        form = _bound(form_name, request, expression) if form_name else None
        if form is None:
            for text in error.messages:
                messages.error(request, text)
            return redirect(staff_page)
        if hasattr(error, "error_dict"):
            for field, texts in error.message_dict.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            form.add_error(None, error.messages)
        return _render_staff(request, expression, forms={form_name: form}, status=400)
    if failed is not None:
        return _render_staff(request, expression, forms=dict([failed]), status=400)
    messages.success(request, message)
    return redirect(safe_next(request, staff_page))
