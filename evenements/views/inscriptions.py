"""A resident registers, sees « mes inscriptions », cancels (after confirming) and may take
the cancellation back for a few minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services, undo
from ..forms import RegistrationForm
from ..models import Evenement, Inscription
from .public import detail_queryset, render_detail

# Where a cancellation (or its undo) leads back to: the page it was started from. Each of
# them offers « Annuler l'annulation ».
BACK_TO = {"mine": "evenements:mine", "espace": "accounts:my_space"}


def _back(request, event_pk: int) -> tuple[str, str]:
    """(the key of the page to go back to, its URL); the event's page by default."""
    key = request.POST.get("next") or request.GET.get("next") or ""
    if key in BACK_TO:
        return key, reverse(BACK_TO[key])
    return "", reverse("evenements:detail", kwargs={"pk": event_pk})


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
@require_http_methods(["GET", "POST"])
def unregister(request, pk):
    """« Annuler mon inscription ? »: a page that asks, then the cancellation (POST)."""
    next_key, back_url = _back(request, pk)
    inscription = (
        Inscription.objects.filter(evenement_id=pk, user=request.user)
        .exclude(status=Inscription.Status.ANNULEE)
        .select_related("evenement")
        .first()
    )
    if inscription is None:
        messages.info(request, _("Vous n'étiez pas inscrit·e à cet événement."))
        return redirect(back_url)
    if request.method == "GET":
        context = {
            "inscription": inscription,
            "event": inscription.evenement,
            "next": next_key,
            "back_url": back_url,
            "undo_minutes": int(services.UNDO_WINDOW.total_seconds() // 60),
        }
        return render(request, "evenements/unregister.html", context)
    services.cancel_inscription(inscription, actor=request.user)
    # No message: the page she goes back to says it, beside « Annuler l'annulation ».
    undo.offer(request, inscription)
    return redirect(back_url)


@login_required
@require_POST
def restore(request, pk):
    """« Annuler l'annulation »: her registration back, if the place is still free."""
    inscription = get_object_or_404(
        Inscription.objects.select_related("evenement"), pk=pk, user=request.user
    )
    event = inscription.evenement
    _next_key, back_url = _back(request, event.pk)
    if inscription.status != Inscription.Status.ANNULEE:
        messages.info(request, _("Votre inscription est toujours valable."))
        return redirect(back_url)
    if not undo.is_offered(request, inscription.pk):
        messages.info(
            request,
            _("Cette annulation ne peut plus être reprise : inscrivez-vous à nouveau."),
        )
        return redirect(event)
    undo.withdraw(request, inscription.pk)
    try:
        inscription = services.restore_inscription(inscription, user=request.user)
    except services.RegistrationRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(event)
    if inscription.status == Inscription.Status.CONFIRMEE:
        message = _("C'est réparé : votre inscription à « %(title)s » est de nouveau confirmée.")
    else:
        message = _(
            "C'est réparé : vous êtes de nouveau sur la liste d'attente de « %(title)s », "
            "à la même place."
        )
    messages.success(request, message % {"title": event.title})
    return redirect(back_url)


@login_required
def my_inscriptions(request):
    inscriptions = list(
        Inscription.objects.filter(user=request.user)
        .filter(~Q(status=Inscription.Status.ANNULEE) | undo.undoable_q(request))
        .select_related("evenement")
        .order_by("evenement__starts_at")
    )
    now = timezone.now()
    active = [i for i in inscriptions if i.status != Inscription.Status.ANNULEE]
    return render(
        request,
        "evenements/mine.html",
        {
            "undoable": [i for i in inscriptions if i.status == Inscription.Status.ANNULEE],
            "coming": [i for i in active if i.evenement.ends_at >= now],
            "past": [i for i in active if i.evenement.ends_at < now][::-1],
        },
    )
