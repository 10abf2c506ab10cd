from itertools import groupby

from django.contrib.postgres.aggregates import ArrayAgg, JSONBAgg
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from participation.core import hooks
from participation.core.fragments import render_fragment, state
from participation.core.pagecache import cache_for_anonymous

from .charts import portrait_chart
from .models import (
    MEDIATION_FIELDS,
    Agglomeration,
    Avenant,
    Commune,
    Finding,
    Objectif,
    Quartier,
    ReferentielChange,
)

HISTORY_PAGE_SIZE = 30


def objectives_by_enjeu(objectifs) -> list[dict]:
    """``[{"enjeu": Enjeu, "orientations": [{"title": str, "objectifs": [...]}]}]``, in table order."""
    tables = []
    for enjeu, rows in groupby(objectifs, key=lambda objectif: objectif.enjeu):
        orientations = [
            {"title": title, "objectifs": list(group)}
            for title, group in groupby(rows, key=lambda objectif: objectif.orientation)
        ]
        tables.append({"enjeu": enjeu, "orientations": orientations})
    return tables


def _rows_of(model, *fields: str, order_by: tuple[str, ...]):
    """A quartier's rows of ``model`` (its ``fields``, in order) as one JSON list read with the
    quartier itself: no query of their own."""
    return Subquery(
        model.objects.filter(quartier=OuterRef("pk"))
        .order_by()
        .values("quartier")
        .annotate(rows=JSONBAgg(JSONObject(**{f: f for f in fields}), order_by=order_by))
        .values("rows")
    )


@cache_for_anonymous
@require_GET
def quartier_detail(request, slug):
    # The last closed avenant, read with the quartier (no query of its own).
    last_avenant = Avenant.objects.filter(in_progress=False).order_by("-signed_on", "-pk")[:1]
    # Its communes and findings (short texts) ride along with it too: the page keeps to its
    # query budget once signed in (the session, the account, the unread count).
    # PostgreSQL's aggregates only: the embedded SQLite reads them with a query each.
    along = {}
    if connection.vendor == "postgresql":
        along = {
            "commune_names": Subquery(
                Quartier.communes.through.objects.filter(quartier=OuterRef("pk"))
                .order_by()
                .values("quartier")
                .annotate(names=ArrayAgg("commune__name", order_by="commune__name"))
                .values("names")
            ),
            "finding_rows": _rows_of(Finding, "kind", "text", order_by=("kind", "position")),
        }
    quartier = get_object_or_404(
        Quartier.objects.select_related("commune__agglomeration")
        .annotate(
            avenant_title=Subquery(last_avenant.values("title")),
            avenant_signed_on=Subquery(last_avenant.values("signed_on")),
            **along,
        )
        .prefetch_related(
            "indicators",
            Prefetch(
                "objectifs",
                queryset=Objectif.objects.select_related("enjeu").order_by(
                    "enjeu__number", "position"
                ),
            ),
        ),
        slug=slug,
    )
    if along:
        commune_names, finding_rows = quartier.commune_names or [], quartier.finding_rows or []
    else:
        commune_names = list(quartier.communes.order_by("name").values_list("name", flat=True))
        finding_rows = Finding.objects.filter(quartier=quartier).order_by("kind", "position")
        finding_rows = list(finding_rows.values("kind", "text"))
    today = timezone.localdate()
    context = {
        "quartier": quartier,
        "communes": commune_names,
        **hooks.page_context("quartier", request, quartier=quartier),
    }
    # The portrait is drawn from the quartier as read (its indicators, findings, objectives),
    # the counts under its objectives and the day, and nothing else: any edit of the
    # referential makes another drawing. What only the portrait shows (its chart, its
    # tables) is made only when it is drawn.
    context["portrait"] = render_fragment(
        "territory/_portrait.html",
        lambda: {**context, **_portrait(quartier, finding_rows, today)},
        # Its findings' rows too: on SQLite they are read by a query of their own, not with
        # the quartier (on PostgreSQL they ride along with it, in ``state`` already).
        material=(
            state(quartier),
            finding_rows,
            context.get("objectif_expression_counts"),
            today,
        ),
    )
    return render(request, "territory/quartier.html", context)


def _portrait(quartier, finding_rows, today) -> dict:
    indicators = list(quartier.indicators.all())
    findings = {kind: [] for kind in Finding.Kind.values}
    for row in finding_rows:
        findings[row["kind"]].append(Finding(quartier=quartier, **row))
    # The referential in force: a retired objective leaves the tables, listed apart with
    # its date and reason (what was said about it stays on the expressions).
    objectifs = list(quartier.objectifs.all())
    return {
        "agglomeration": quartier.commune.agglomeration,
        "indicators": indicators,
        "chart": portrait_chart(indicators, quartier.commune.agglomeration.short_name),
        "irritants": findings[Finding.Kind.IRRITANT],
        "opportunites": findings[Finding.Kind.OPPORTUNITE],
        "enjeux_prioritaires": findings[Finding.Kind.ENJEU_PRIORITAIRE],
        "objectives": objectives_by_enjeu([o for o in objectifs if not o.is_retired(today)]),
        "retired_objectifs": [o for o in objectifs if o.is_retired(today)],
    }


@cache_for_anonymous
@require_GET
def pilotage(request):
    context = {
        "agglomeration": Agglomeration.objects.order_by("pk").first(),
        "quartiers": Quartier.objects.order_by("position", "name").only(
            "slug", "name", "short_name", "code"
        ),
    }
    return render(request, "territory/pilotage.html", context)


@cache_for_anonymous
@require_GET
def mediation(request):
    """« Joindre un·e médiateur·rice »: for whoever has no email, no account, or would rather
    speak to someone: how to call or meet the mediators of each commune, and (from the apps,
    hooks page ``mediation``) where they will be next."""
    # A resident's own commune first: the number she is most likely to call.
    communes = (
        Commune.objects.with_mediation_contact()
        .nearest_first(request.user)
        .only("name", *MEDIATION_FIELDS)
    )
    context = {"communes": communes, **hooks.page_context("mediation", request)}
    return render(request, "territory/mediation.html", context)


@cache_for_anonymous
@require_GET
def history(request):
    """The public history of the referential: every change, when, under which avenant, from
    where (the platform or the data files), never by whom."""
    changes = ReferentielChange.objects.select_related("avenant", "quartier")
    quartier = None
    if request.GET.get("quartier"):
        # Any string can come in a query: only a slug can name a quartier (a NUL byte would
        # otherwise reach PostgreSQL).
        if not slug_re.fullmatch(request.GET["quartier"]):
            raise Http404
        quartier = get_object_or_404(
            Quartier.objects.only("slug", "name", "short_name"), slug=request.GET["quartier"]
        )
        changes = changes.filter(Q(quartier=quartier) | Q(quartier__isnull=True))
    page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "quartier": quartier,
        "page": page,
        "query_string": f"quartier={quartier.slug}" if quartier else "",
        "avenants": Avenant.objects.annotate(change_count=Count("changes")),
    }
    return render(request, "territory/history.html", context)
