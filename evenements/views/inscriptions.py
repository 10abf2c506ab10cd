"""A resident registers, sees « mes inscriptions », cancels."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import RegistrationForm
from ..models import Evenement, Inscription
from .public import detail_queryset, render_detail


@login_required
@require_POST
def register(request, pk):
    # The event's page is read only to be shown again (an error); registering locks the row.
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return render_detail(request, get_object_or_404(detail_queryset(), pk=pk), form=form)
    try:
        inscription, created = services.register(
            pk,
            request.user,
            adults=form.cleaned_data["adults"],
            children=form.cleaned_data["children"],
            join_waiting_list=form.cleaned_data["join_waiting_list"],
        )
    except Evenement.DoesNotExist as missing:
        raise Http404 from missing
    except services.RegistrationRefused as refusal:
        messages.error(request, refusal.message)
        event = get_object_or_404(detail_queryset(), pk=pk)
        if refusal.can_wait:
            # Keep what was asked, and offer the waiting list.
            return render_detail(request, event, form=form, offer_waiting=True)
        return redirect(event)
    event = inscription.evenement
    if not created:
        messages.info(request, _("Vous êtes déjà inscrit·e à cet événement."))
    elif inscription.status == Inscription.Status.CONFIRMEE:
        messages.success(
            request, _("C'est noté : votre inscription est confirmée. Un courriel va suivre.")
        )
    else:
        messages.success(
            request,
            _(
                "Vous êtes sur la liste d'attente. Si une place se libère, votre inscription "
                "sera confirmée et vous serez prévenu·e."
            ),
        )
    return redirect(event)


@login_required
@require_POST
def unregister(request, pk):
    inscription = (
        Inscription.objects.filter(evenement_id=pk, user=request.user)
        .exclude(status=Inscription.Status.ANNULEE)
        .select_related("evenement")
        .first()
    )
    if inscription is None:
        messages.info(request, _("Vous n'étiez pas inscrit·e à cet événement."))
    else:
        services.cancel_inscription(inscription, actor=request.user)
        messages.success(request, _("Votre inscription est annulée. Merci de l'avoir signalé."))
    next_url = request.POST.get("next", "")
    if next_url == "mine":
        return redirect("evenements:mine")
    return redirect("evenements:detail", pk=pk)


@login_required
def my_inscriptions(request):
    inscriptions = list(
        Inscription.objects.filter(user=request.user)
        .exclude(status=Inscription.Status.ANNULEE)
        .select_related("evenement")
        .order_by("evenement__starts_at")
    )
    now = timezone.now()
    return render(
        request,
        "evenements/mine.html",
        {
            "coming": [i for i in inscriptions if i.evenement.ends_at >= now],
            "past": [i for i in inscriptions if i.evenement.ends_at < now][::-1],
        },
    )
