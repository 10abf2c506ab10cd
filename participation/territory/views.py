from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from participation.core import hooks

from .models import Quartier


@require_GET
def quartier_detail(request, slug):
    quartier = get_object_or_404(Quartier, slug=slug)
    context = {"quartier": quartier, **hooks.page_context("quartier", request, quartier=quartier)}
    return render(request, "territory/quartier.html", context)


@require_GET
def pilotage(request):
    return render(request, "territory/pilotage.html")
