"""Pages of the moderation: the live queue, the staff page of an expression, tags, audit.

Thin: forms validate, consultations.moderation writes (role, lock, audit, notification,
broadcast), consultations.rules decides. When a colleague acted first, the page comes back
with the form as it was typed and a message saying what happened (HTTP 409).
"""

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.accounts.rules import mediateur_required, referent_required
from participation.audit.models import AuditEntry
from participation.audit.services import entries_for
from participation.core.fragments import CSRF_SLOT, render_fragment, render_rows, with_csrf

from . import moderation, rules, waiting
from .filters_moderation import ModerationFilter
from .forms_moderation import (
    BulkForm,
    EtiquetteForm,
    EtiquettesForm,
    MergeForm,
    ObjectifsForm,
    RedactForm,
    RejectForm,
    RouteForm,
    SignalementsForm,
    fill_queue_choices,
)
from .models import (
    Etiquette,
    Expression,
    ExpressionStep,
    Redaction,
    Signalement,
    Status,
    Transmission,
)

ROW = "consultations/moderation/_row.html"
PAGE_SIZE = 25  # one screen of a laptop; the filters and the bulk actions do the rest
VIEWS = {
    "a-moderer": moderation.queue,
    "a-transmettre": moderation.to_route,
}


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would take « a b » for a URL name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _queue_queryset(view: str):
    """What a row of the queue shows (``moderation/_row.html``), and nothing more."""
    return (
        VIEWS[view]()
        .select_related("quartier", "consultation")
        .only(
            "status",
            "flagged_at",
            "source",
            "text",
            "created_at",
            "quartier__short_name",
            "consultation__title",
        )
        .prefetch_related(Prefetch("etiquettes", queryset=Etiquette.objects.only("name")))
    )


def _current_view(request) -> str:
    view = request.GET.get("vue", "a-moderer")
    return view if view in VIEWS else "a-moderer"


# --- The queue ---------------------------------------------------------------------------


@mediateur_required
@require_GET
def queue(request):
    return _render_queue(request)


def _render_queue(request, bulk_form=None, status=200):
    """The queue is the same for every mediator: drawn once per state of the queue (its
    generation, renewed by every change), view, filters and page, and role; a bulk action
    sent back with its errors is drawn for its sender alone."""
    view = _current_view(request)
    material = None
    if bulk_form is None:
        material = (
            waiting.PAGES.current(),
            view,
            sorted(request.GET.lists()),
            request.user.is_referent,
        )
    content = render_fragment(
        "consultations/moderation/_queue.html",
        lambda: _queue_context(request, view, bulk_form),
        material=material,
        request=request,
        seconds=waiting.PAGE_SECONDS,
    )
    return render(
        request,
        "consultations/moderation/queue.html",
        {"content": with_csrf(content, request)},
        status=status,
    )


def _queue_context(request, view, bulk_form) -> dict:
    filterset = ModerationFilter(request.GET or None, queryset=_queue_queryset(view))
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    if view == "a-moderer" and not filterset.is_active:
        paginator.count = waiting.count_for(request)  # the header's, counted once
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sent = bulk_form is not None
    checked = frozenset(bulk_form.data.getlist("ids")) if sent else frozenset()
    bulk_form = bulk_form or BulkForm()
    choices = fill_queue_choices(filterset.form, bulk_form)
    # Both forms are drawn from their choices and the values sent, and nothing else.
    filter_fields = render_fragment(
        "consultations/moderation/_filter_fields.html",
        {"filter": filterset},
        material=(choices, sorted(query.lists()), filterset.is_bound),
    )
    bulk_fields = render_fragment(
        "consultations/moderation/_bulk_fields.html",
        {"bulk_form": bulk_form},
        material=None if sent else choices,
    )
    return {
        "view": view,
        "filter": filterset,
        "filter_misread": filterset.is_bound and bool(filterset.errors),
        "page": page,
        "rows": render_rows(ROW, page.object_list, name="expression", checked=checked),
        "query_string": query.urlencode(),
        "bulk_form": bulk_form,
        "filter_fields": filter_fields,
        "bulk_fields": bulk_fields,
        "queue_count": waiting.count_for(request),
        "csrf_slot": CSRF_SLOT,
    }


@mediateur_required
@require_GET
def queue_row(request, pk):
    """One row of the queue, for the page's script, if it belongs to the filtered view."""
    view = _current_view(request)
    filterset = ModerationFilter(request.GET or None, queryset=_queue_queryset(view).filter(pk=pk))
    expression = filterset.qs.first()
    if expression is None:
        return HttpResponse(status=204)
    (row,) = render_rows(ROW, [expression], name="expression", checked=frozenset())
    return HttpResponse(row)


@mediateur_required
@require_GET
def queue_counter(request):
    response = JsonResponse({"count": waiting.count()})
    response["Cache-Control"] = "no-store"
    return response


@mediateur_required
@require_POST
def bulk(request):
    form = BulkForm(request.POST)
    back = _safe_next(request, reverse("consultations:moderation_queue"))
    if not form.is_valid():
        # The queue as it was, with the boxes still checked and the errors beside the form.
        request.GET = request.GET.copy()
        for key in ("vue", "quartier", "source", "consultation", "etiquette"):
            if request.POST.get(f"filtre_{key}"):
                request.GET[key] = request.POST[f"filtre_{key}"]
        return _render_queue(request, bulk_form=form, status=400)
    data = form.cleaned_data
    if data["action"] == "etiqueter":
        result = moderation.bulk_tag(data["ids"], actor=request.user, etiquette=data["etiquette"])
        if result.done:
            messages.success(
                request,
                _("Étiquette « %(name)s » ajoutée à %(count)s expression(s).")
                % {"name": data["etiquette"].name, "count": len(result.done)},
            )
    else:
        result = moderation.bulk_route(
            data["ids"], actor=request.user, instances=data["instances"], note=data["note"]
        )
        if result.done:
            messages.success(
                request,
                _("%(count)s expression(s) transmise(s).") % {"count": len(result.done)},
            )
    for pk, message in result.refused:
        messages.warning(
            request,
            _("Expression n° %(number)s : %(message)s") % {"number": pk, "message": message},
        )
    return redirect(back)


# --- The staff page of an expression ------------------------------------------------------


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
            initial={"text": expression.text, "version": moderation.text_version(expression)}
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
        "original_text": moderation.original_text(expression, user=user)
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
    moderation.publish(expression, actor=request.user)
    return _("L'expression n° %(number)s est publiée.") % {"number": expression.pk}, None


def _reject(request, expression):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return None, ("reject", form)
    moderation.reject(
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
    done = moderation.redact(
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
            chosen.append(moderation.create_etiquette(form.cleaned_data["new"], actor=request.user))
        except ValidationError as error:
            form.add_error("new", error.message_dict.get("name", error.messages))
            return None, ("etiquettes", form)
    moderation.set_etiquettes(expression, actor=request.user, etiquettes=chosen)
    return _("Les étiquettes sont enregistrées."), None


def _objectifs(request, expression):
    form = ObjectifsForm(request.POST, expression=expression)
    if not form.is_valid():
        return None, ("objectifs", form)
    moderation.set_objectifs(
        expression, actor=request.user, objectifs=form.cleaned_data["objectifs"]
    )
    return _("Les objectifs sont enregistrés."), None


def _merge(request, expression):
    form = MergeForm(request.POST)
    if not form.is_valid():
        return None, ("merge", form)
    moderation.merge(expression, into=form.cleaned_data["target"], actor=request.user)
    return _("Regroupée avec l'expression n° %(number)s ; les deux auteurs sont prévenus.") % {
        "number": form.cleaned_data["target"]
    }, None


def _route(request, expression):
    form = RouteForm(request.POST)
    if not form.is_valid():
        return None, ("route", form)
    rows = moderation.route(
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
    moderation.handle_signalements(
        expression,
        actor=request.user,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
    )
    if form.cleaned_data["decision"] == moderation.SignalementDecision.HIDE:
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
    except moderation.TransitionError as error:
        # A colleague was faster (or the path forbids it): nothing written, nothing lost.
        fresh = _staff_expression(pk)
        forms = {form_name: _bound(form_name, request, fresh)} if form_name else {}
        if name == "caviarder":
            forms["redact"].data = forms["redact"].data.copy()
            forms["redact"].data["version"] = moderation.text_version(fresh)
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
    return redirect(_safe_next(request, staff_page))


# --- Audit log as CSV --------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A spreadsheet never runs what a cell holds: formulas are neutralised with a quote."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


AUDIT_HEADER = ["date", "par", "action", "objet", "identifiant", "avant", "après", "motif"]


def _audit_rows(entries):
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(AUDIT_HEADER)
    for entry in entries:
        yield writer.writerow(
            [
                _cell(timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")),
                _cell(entry.actor_label),
                _cell(entry.action),
                _cell(entry.target_type),
                _cell(entry.target_id),
                _cell(entry.before),
                _cell(entry.after),
                _cell(entry.reason),
            ]
        )


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@mediateur_required
@require_GET
def audit_csv(request, pk):
    expression = get_object_or_404(Expression, pk=pk)
    if not rules.can_read_audit(request.user):
        raise PermissionDenied
    entries = entries_for(expression).order_by("created_at", "id").iterator(chunk_size=500)
    return _csv_response(_audit_rows(entries), f"journal-expression-{expression.pk}.csv")


@referent_required
@require_GET
def audit_export(request):
    """The whole audit log, streamed: constant memory whatever its length."""
    if not rules.can_export_whole_audit(request.user):
        raise PermissionDenied
    entries = AuditEntry.objects.order_by("created_at", "id").iterator(chunk_size=2000)
    stamp = timezone.localdate().isoformat()
    return _csv_response(_audit_rows(entries), f"journal-{stamp}.csv")


# --- Tags --------------------------------------------------------------------------------


@mediateur_required
@require_http_methods(["GET", "POST"])
def etiquettes(request):
    form = EtiquetteForm(request.POST or None)
    rename_forms = {}
    status = 200
    if request.method == "POST":
        target = request.POST.get("etiquette")
        if target:
            etiquette = get_object_or_404(Etiquette, pk=target) if target.isdigit() else None
            if etiquette is None:
                raise Http404
            rename = EtiquetteForm(request.POST, prefix=f"e{etiquette.pk}")
            if rename.is_valid():
                try:
                    moderation.rename_etiquette(
                        etiquette, rename.cleaned_data["name"], actor=request.user
                    )
                except ValidationError as error:
                    rename.add_error("name", error.message_dict.get("name", error.messages))
                else:
                    messages.success(request, _("L'étiquette est renommée."))
                    return redirect("consultations:moderation_etiquettes")
            rename_forms[etiquette.pk] = rename
            form = EtiquetteForm()
            status = 400
        elif form.is_valid():
            try:
                moderation.create_etiquette(form.cleaned_data["name"], actor=request.user)
            except ValidationError as error:
                form.add_error("name", error.message_dict.get("name", error.messages))
                status = 400
            else:
                messages.success(request, _("L'étiquette est créée."))
                return redirect("consultations:moderation_etiquettes")
        else:
            status = 400
    rows = []
    for etiquette in Etiquette.objects.annotate(count=Count("expressions")).order_by("name"):
        rows.append(
            (
                etiquette,
                rename_forms.get(etiquette.pk)
                or EtiquetteForm(prefix=f"e{etiquette.pk}", initial={"name": etiquette.name}),
            )
        )
    return render(
        request,
        "consultations/moderation/etiquettes.html",
        {"form": form, "rows": rows},
        status=status,
    )
