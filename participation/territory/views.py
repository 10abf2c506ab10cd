from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from participation.core import hooks
from participation.core.pagecache import cache_for_anonymous

from .charts import portrait_chart
from .models import Agglomeration, Finding, Objectif, Quartier


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


@cache_for_anonymous
@require_GET
def quartier_detail(request, slug):
    quartier = get_object_or_404(
        Quartier.objects.select_related("commune__agglomeration").prefetch_related(
            "communes",
            "indicators",
            "findings",
            Prefetch(
                "objectifs",
                queryset=Objectif.objects.select_related("enjeu").order_by(
                    "enjeu__number", "position"
                ),
            ),
        ),
        slug=slug,
    )
    indicators = list(quartier.indicators.all())
    findings = {kind: [] for kind in Finding.Kind.values}
    for finding in quartier.findings.all():
        findings[finding.kind].append(finding)
    context = {
        "quartier": quartier,
        "agglomeration": quartier.commune.agglomeration,
        "indicators": indicators,
        "chart": portrait_chart(indicators, quartier.commune.agglomeration.short_name),
        "irritants": findings[Finding.Kind.IRRITANT],
        "opportunites": findings[Finding.Kind.OPPORTUNITE],
        "enjeux_prioritaires": findings[Finding.Kind.ENJEU_PRIORITAIRE],
        "objectives": objectives_by_enjeu(quartier.objectifs.all()),
        **hooks.page_context("quartier", request, quartier=quartier),
    }
    return render(request, "territory/quartier.html", context)


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
