"""Pages of the committee (dashboard, séances, answers, exports) and « Vous avez dit, nous
avons fait ». Thin: forms validate, committee.services writes, rules decide."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.accounts.rules import role_required
from participation.core.fragments import render_fragment, render_rows, state
from participation.core.pagecache import cache_for_anonymous, remember
from participation.core.pagination import page_counted_along
from participation.core.posters import poster_context
from participation.core.spreadsheets import csv_lines, csv_response, xlsx_tempfile
from participation.territory.models import Quartier

from .. import rules
from ..models import (
    AgendaEntry,
    AgendaItem,
    Decision,
    ExportJob,
    Expression,
    Seance,
    Status,
    Transmission,
)
from . import dashboard, dossier, export_jobs, exports, filters, revue, waiting
from . import services as committee
from .bilan import bilan_years
from .bilan import build as build_bilan
from .forms import AgendaAddForm, BilanForm, GroupForm, ReponseForm, RevueForm, SeanceForm

review_required = role_required(rules.can_review)
PAGE_SIZE = 20
CANDIDATES_PAGE_SIZE = 50


def _query_string(request, drop=("page", "format")) -> str:
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


# --- Dashboard -------------------------------------------------------------------------


@review_required
@require_GET
def committee_dashboard(request):
    """The figures are computed once per scope and filters, then kept DASHBOARD_CACHE_SECONDS:
    grouping every routed expression takes seconds at the scale of the agglomeration."""
    query_string = _query_string(request)
    seconds = settings.DASHBOARD_CACHE_SECONDS

    def compute():
        return render_to_string(
            "consultations/committee/partials/dashboard_body.html",
            {
                "board": dashboard.build(request.user, request.GET),
                "query_string": query_string,
                "filters_active": bool(query_string),
                "computed_at": timezone.localtime(),
                "cache_seconds": seconds,
            },
        )

    body, _computed_at = remember(filters.cache_key(request.user, request.GET), seconds, compute)
    return render(request, "consultations/committee/dashboard.html", {"body": mark_safe(body)})  # noqa: S308 (our own template, rendered above)


@review_required
@require_GET
def committee_waiting(request):
    """« Transmis à notre instance »: what waits for my instances, with what answering needs."""
    return render(
        request,
        "consultations/committee/waiting.html",
        {
            "board": waiting.build(request.user, request.GET, request.GET.get("page")),
            "query_string": _query_string(request),
        },
    )


# --- Exports ---------------------------------------------------------------------------


def _csv_response(queryset, *, instances, filename):
    lines = csv_lines(exports.header(), exports.iter_records(queryset, instances=instances))
    response = csv_response(lines, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx_response(sheets, *, filename):
    response = FileResponse(
        xlsx_tempfile(sheets),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@review_required
@require_http_methods(["GET", "POST"])
def committee_export(request, format):
    if format not in ExportJob.Format.values:
        raise Http404
    filterset, queryset = filters.filtered_expressions(request.user, request.GET)
    query_string = _query_string(request)
    context = {"format": format, "query_string": query_string, "filterset": filterset}
    if filterset.is_bound and not filterset.is_valid():
        context["invalid"] = True
        return render(request, "consultations/committee/export.html", context, status=400)
    total = queryset.count()
    context["total"] = total
    if total == 0:
        return render(request, "consultations/committee/export.html", context)
    if request.method == "POST":
        job = export_jobs.request_job(
            user=request.user, format=format, query=query_string, total=total
        )
        return redirect(job)
    if total > settings.EXPORT_INLINE_MAX_ROWS:
        context["background"] = True
        return render(request, "consultations/committee/export.html", context)
    instances = rules.instances_of(request.user)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    filename = f"expressions-{stamp}.{format}"
    if format == ExportJob.Format.CSV:
        return _csv_response(queryset, instances=instances, filename=filename)
    return _xlsx_response(
        [exports.expressions_sheet(queryset, instances=instances)], filename=filename
    )


def _own_job(request, pk) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk)
    if not rules.can_download_export(request.user, job):
        raise Http404
    return job


@review_required
@require_GET
def export_job(request, pk):
    job = _own_job(request, pk)
    return render(request, "consultations/committee/export_job.html", {"job": job})


@review_required
@require_GET
def export_job_state(request, pk):
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "progress": job.progress,
            "done": job.done,
            "total": job.total,
            "error": job.error,
            "download": job.state == ExportJob.State.READY
            and request.build_absolute_uri(f"{job.get_absolute_url()}fichier/"),
        },
        headers={"Cache-Control": "no-store"},
    )


@review_required
@require_GET
def export_job_download(request, pk):
    job = _own_job(request, pk)
    if job.state != ExportJob.State.READY or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Séances ---------------------------------------------------------------------------


def _seance_or_404(request, pk) -> Seance:
    """A séance exists only for the members of its instance (and the référent)."""
    seance = get_object_or_404(Seance.objects.select_related("instance"), pk=pk)
    if not rules.can_act_for_instance(request.user, seance.instance):
        raise Http404
    return seance


@review_required
@require_GET
def seance_list(request):
    instances = list(rules.instances_run_by(request.user).order_by("name"))
    seances = (
        Seance.objects.filter(instance__in=[i.pk for i in instances])
        .select_related("instance")
        .order_by("-starts_at", "-pk")
    )
    now = timezone.now()
    page = Paginator(seances, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/committee/seance_list.html",
        {"page": page, "instances": instances, "now": now},
    )


@review_required
@require_http_methods(["GET", "POST"])
def seance_edit(request, pk=None):
    seance = _seance_or_404(request, pk) if pk else None
    form = SeanceForm(request.POST or None, instance=seance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            seance = committee.save_seance(form, actor=request.user)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La séance est enregistrée."))
            return redirect(seance)
    return render(
        request, "consultations/committee/seance_form.html", {"form": form, "seance": seance}
    )


def _candidates(user, seance):
    """Routed expressions waiting for an answer and not on any agenda still open; for a
    référent given communes, those of her communes (an instance of the whole platform also
    reviews the others')."""
    pending = AgendaEntry.objects.filter(expression=OuterRef("pk"), item__reponse__isnull=True)
    return (
        rules.in_review_scope(user, Expression.objects.all())
        .filter(
            Exists(Transmission.objects.filter(expression=OuterRef("pk"), instance=seance.instance))
        )
        .filter(status__in=committee.AGENDA_STATUSES)
        .exclude(Exists(pending))
        .select_related("quartier", "author")
        .order_by("quartier__position", "-supports_count", "pk")
    )


def _seance_page(request, seance, *, add_form=None, group_form=None, status=200):
    items = dossier.seance_items(seance, with_notes=True)
    candidates = _candidates(request.user, seance)
    page = Paginator(candidates, CANDIDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    add_form = add_form or AgendaAddForm(candidates=candidates)
    group_form = group_form or GroupForm(seance=seance)
    unanswered = [item for item in items if not hasattr(item, "reponse")]
    checked = set(add_form.data.getlist("expressions")) if add_form.is_bound else set()
    grouped = set(group_form.data.getlist("items")) if group_form.is_bound else set()
    return render(
        request,
        "consultations/committee/seance_detail.html",
        {
            "seance": seance,
            "items": items,
            "unanswered": unanswered,
            "page": page,
            "add_form": add_form,
            "group_form": group_form,
            "checked": checked,
            "grouped": grouped,
            "to_examine": sum(
                1 for item in items for e in item.expressions.all() if e.status == Status.TRANSMISE
            ),
        },
        status=status,
    )


@review_required
@require_GET
def seance_detail(request, pk):
    return _seance_page(request, _seance_or_404(request, pk))


@review_required
@require_POST
def seance_agenda_add(request, pk):
    seance = _seance_or_404(request, pk)
    form = AgendaAddForm(request.POST, candidates=_candidates(request.user, seance))
    if form.is_valid():
        grouped = form.cleaned_data["mode"] == AgendaAddForm.GROUP
        try:
            items = committee.add_to_agenda(
                seance,
                form.cleaned_data["expressions"],
                actor=request.user,
                group_title=form.cleaned_data["group_title"] if grouped else "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)s point(s) ajouté(s) à l'ordre du jour.") % {"count": len(items)},
            )
            return redirect(seance)
    return _seance_page(request, seance, add_form=form, status=400)


@review_required
@require_POST
def seance_group(request, pk):
    seance = _seance_or_404(request, pk)
    form = GroupForm(request.POST, seance=seance)
    if form.is_valid():
        try:
            committee.group_items(
                seance,
                [item.pk for item in form.cleaned_data["items"]],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Les points sont regroupés : une seule réponse."))
            return redirect(seance)
    return _seance_page(request, seance, group_form=form, status=400)


@review_required
@require_POST
def seance_item_remove(request, pk, item_pk):
    seance = _seance_or_404(request, pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, seance=seance)
    try:
        committee.remove_item(item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le point est retiré de l'ordre du jour."))
    return redirect(seance)


@review_required
@require_POST
def seance_examined(request, pk):
    seance = _seance_or_404(request, pk)
    try:
        moved = committee.mark_examined(seance, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(seance)
    messages.success(
        request,
        _(
            "Séance tenue : %(count)s expression(s) passent à « examinée » ; "
            "leurs auteur·rices sont prévenu·es."
        )
        % {"count": moved},
    )
    return redirect(seance)


@review_required
@require_http_methods(["GET", "POST"])
def seance_answer(request, pk, item_pk):
    seance = _seance_or_404(request, pk)
    item = get_object_or_404(
        AgendaItem.objects.prefetch_related(
            "expressions__quartier",
            # The mediator's routing note to this instance, beside each expression.
            Prefetch(
                "expressions__transmissions",
                queryset=Transmission.objects.filter(instance=seance.instance),
                to_attr="routed_here",
            ),
        ),
        pk=item_pk,
        seance=seance,
    )
    if hasattr(item, "reponse"):
        messages.info(request, _("Ce point a déjà sa réponse."))
        return redirect(seance)
    form = ReponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            committee.record_answer(
                item,
                actor=request.user,
                decision=data["decision"],
                text=data["text"],
                public=data["public"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except committee.TransitionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("La réponse est enregistrée et envoyée aux auteur·rices."),
            )
            return redirect(seance)
    return render(
        request,
        "consultations/committee/answer_form.html",
        {"form": form, "seance": seance, "item": item, "expressions": item.expressions.all()},
        status=400 if form.is_bound and form.errors else 200,
    )


@review_required
@require_GET
def seance_dossier(request, pk):
    seance = _seance_or_404(request, pk)
    items = dossier.seance_items(seance, with_notes=True)
    return render(
        request,
        "consultations/committee/dossier.html",
        {
            "seance": seance,
            "items": items,
            "quartiers": dossier.seance_dossier(items),
            "total": len({e.pk for item in items for e in item.expressions.all()}),
        },
    )


@review_required
@require_GET
def seance_dossier_xlsx(request, pk):
    seance = _seance_or_404(request, pk)
    items = dossier.seance_items(seance)
    sheets = exports.dossier_sheets(items, dossier.seance_dossier(items))
    date = timezone.localtime(seance.starts_at).strftime("%Y-%m-%d")
    return _xlsx_response(sheets, filename=f"dossier-seance-{date}-{seance.pk}.xlsx")


# --- Annual bilan ----------------------------------------------------------------------


@review_required
@require_GET
def bilan(request):
    form = BilanForm(request.GET or None)
    years = bilan_years()
    year = timezone.localdate().year
    if form.is_bound and form.is_valid() and form.cleaned_data["annee"]:
        year = form.cleaned_data["annee"]
    blocks = build_bilan(year, request.user) if not form.errors else []
    if request.GET.get("format") == "xlsx" and not form.errors:
        return _xlsx_response(exports.bilan_sheets(blocks, year), filename=f"bilan-{year}.xlsx")
    return render(
        request,
        "consultations/committee/bilan.html",
        {
            "form": form,
            "year": year,
            "years": years,
            "blocks": blocks,
            "decisions": Decision.choices,
        },
        status=400 if form.errors else 200,
    )


# --- Annual review of the convention (Comité de Pilotage) --------------------------------


@review_required
@require_GET
def revue_annuelle(request):
    """Per objective in force in the year, for one commune: said, routed, answered, decided,
    the events held, and the objectives nobody spoke about. Printable; .xlsx and .csv."""
    form = RevueForm(request.GET or None, user=request.user)
    if form.is_bound and form.names_a_commune_out_of_reach():
        raise Http404  # another commune's review does not exist for a référent given communes
    year = timezone.localdate().year
    commune = None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["annee"] or year
        commune = form.cleaned_data["commune"]
    communes = list(form.fields["commune"].queryset)
    if commune is None and not form.errors and communes:
        commune = communes[0]
    review = revue.build(year, commune, request.user) if commune is not None else None
    export = request.GET.get("format")
    if review is not None and export in ("xlsx", "csv"):
        filename = f"revue-{year}-{commune.slug}"
        if export == "csv":
            lines = csv_lines(exports.review_columns(), exports.review_rows(review))
            response = csv_response(lines, filename=f"{filename}.csv")
            response["Cache-Control"] = "private, no-store"
            return response
        return _xlsx_response(exports.review_sheets(review), filename=f"{filename}.xlsx")
    return render(
        request,
        "consultations/committee/revue.html",
        {
            "form": form,
            "year": year,
            "years": bilan_years(),
            "commune": commune,
            "communes": communes,
            "review": review,
        },
        status=400 if form.errors else 200,
    )


# --- « Vous avez dit, nous avons fait » (public) --------------------------------------


@cache_for_anonymous
@require_GET
def retours(request, slug=None):
    # The quartier is one of the menu's: one query for both.
    quartiers = list(
        Quartier.objects.order_by("position", "name").only("slug", "short_name", "name")
    )
    quartier = None
    if slug:
        quartier = next((each for each in quartiers if each.slug == slug), None)
        if quartier is None:
            raise Http404
    answers = committee.public_answers(quartier)
    page = page_counted_along(answers, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "consultations/retours/retours.html",
        {
            "quartier": quartier,
            # Drawn from the quartiers as read and the one shown, nothing else.
            "quartier_switch": render_fragment(
                "consultations/retours/_quartier_switch.html",
                {"quartiers": quartiers, "quartier": quartier},
                material=(tuple(state(each) for each in quartiers), quartier and quartier.pk),
            ),
            "page": page,
            # Each answer drawn once per content (its text, decision, expressions…).
            "rows": render_rows(
                "consultations/retours/_answer.html", page.object_list, name="reponse"
            ),
        },
    )


# The latest answers an A4 poster of a quartier holds, each with the most supported of what
# was said and cut to a few lines: two of the longest still fit one page
# (tests/e2e/test_poster.py); the rest is one scan away.
POSTER_ANSWERS = 2


@cache_for_anonymous
@require_GET
def retours_poster(request, slug):
    """« Vous avez dit, nous avons fait » of a quartier on an A4 poster, for the social
    centre, the town hall, a hall: what became of what residents said reaches those who do
    not come to the platform; a QR code leads to every answer."""
    quartier = get_object_or_404(Quartier.objects.only("slug", "name", "short_name"), slug=slug)
    answers = list(committee.public_answers(quartier)[:POSTER_ANSWERS])
    path = reverse("consultations:retours_quartier", kwargs={"slug": quartier.slug})
    context = {
        "quartier": quartier,
        "answers": answers,
        **poster_context(path, back_url=path, quartiers=[quartier]),
    }
    return render(request, "consultations/retours/poster.html", context)
