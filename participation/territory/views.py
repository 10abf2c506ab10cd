from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Quartier


@require_GET
def quartier_detail(request, slug):
    quartier = get_object_or_404(Quartier, slug=slug)
    return render(request, "territory/quartier.html", {"quartier": quartier})


@require_GET
def pilotage(request):
    return render(request, "territory/pilotage.html")
