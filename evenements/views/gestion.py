"""Running events (médiateur, référent): create, edit, duplicate, cancel, registrants."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.audit.services import record
from participation.core.spreadsheets import csv_response

from .. import geo, services
from ..exports import registrants_csv_lines
from ..forms import AttendanceForm, CancelEventForm, EvenementForm, GuestRegistrationForm
from ..models import Evenement, Inscription
from ..rules import managed_events, manager_required
from .public import detail_queryset_with_drafts, render_detail

# The no-JavaScript button that shows the objectives of the quartiers ticked, keeping what
# was typed (the form is drawn again, nothing is saved).
SHOW_OBJECTIFS = "afficher_objectifs"


def _managed(request, queryset=None):
    """The events ``request.user`` runs: another commune's do not exist for her (404)."""
    return managed_events(request.user, Evenement.objects.all() if queryset is None else queryset)


def _waiting_count():
    return Count("inscriptions", filter=Q(inscriptions__status=Inscription.Status.ATTENTE))


@manager_required
def manage_list(request):
    since = timezone.now() - timezone.timedelta(days=30)
    show_past = request.GET.get("passes") == "1"
    queryset = _managed(request, Evenement.objects.all()).annotate(waiting=_waiting_count())
    queryset = (
        queryset.filter(ends_at__lt=timezone.now())
        if show_past
        else queryset.filter(ends_at__gte=since)
    )
    events = list(
        queryset.prefetch_related("quartiers").order_by(
            "-starts_at" if show_past else "starts_at", "pk"
        )[:300]
    )
    return render(
        request, "evenements/gestion/list.html", {"events": events, "show_past": show_past}
    )


def _after_save(event):
    """A draft is looked at in its preview; a published event on its public page."""
    if event.is_draft:
        return redirect("evenements:preview", pk=event.pk)
    return redirect(event)


def _form(request, **kwargs) -> EvenementForm:
    """The event form, bound to what was posted, or drawn again with it unvalidated when
    the no-JavaScript button asked for the chosen quartiers' objectives."""
    if request.method == "POST" and SHOW_OBJECTIFS in request.POST:
        form = EvenementForm(user=request.user, **kwargs)
        form.keep_typed(request.POST)
        return form
    return EvenementForm(request.POST or None, request.FILES or None, user=request.user, **kwargs)


def _submitted(request, form) -> bool:
    return request.method == "POST" and form.is_bound and form.is_valid()


def _render_form(request, form, **context):
    return render(
        request,
        "evenements/gestion/form.html",
        {
            "form": form,
            "show_objectifs": SHOW_OBJECTIFS,
            "tile_url": settings.MAP_TILE_URL,
            "map_centre": geo.CENTRE,
            **context,
        },
    )


def _save_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@manager_required
def event_create(request):
    form = _form(request)
    if _submitted(request, form):
        try:
            created = services.create_event(
                actor=request.user,
                data=form.event_data(),
                quartiers=form.cleaned_data["quartiers"],
                objectifs=form.cleaned_data["objectifs"],
                recurrence=form.recurrence(),
            )
        except ValidationError as error:
            _save_error(form, error)
        else:
            if len(created) > 1:
                messages.success(
                    request,
                    _(
                        "Le brouillon de la série est enregistré : %(count)s dates. Vérifiez "
                        "l'aperçu, puis publiez."
                    )
                    % {"count": len(created)},
                )
            else:
                messages.success(
                    request,
                    _("Le brouillon est enregistré. Vérifiez l'aperçu, puis publiez."),
                )
            return _after_save(created[0])
    return _render_form(request, form, title=_("Nouvel événement"))


@manager_required
def event_duplicate(request, pk):
    source = get_object_or_404(_managed(request).prefetch_related("quartiers", "objectifs"), pk=pk)
    if request.method == "POST":
        form = _form(request)
        if _submitted(request, form):
            data = form.event_data()
            if "image" not in data and source.image:
                data["image"] = source.image.name
            try:
                created = services.create_event(
                    actor=request.user,
                    data=data,
                    quartiers=form.cleaned_data["quartiers"],
                    objectifs=form.cleaned_data["objectifs"],
                    recurrence=form.recurrence(),
                    duplicated_from=source,
                )
            except ValidationError as error:
                _save_error(form, error)
            else:
                messages.success(
                    request,
                    _("La copie est enregistrée comme brouillon. Vérifiez l'aperçu, puis publiez."),
                )
                return _after_save(created[0])
    else:
        initial = {name: getattr(source, name) for name in services.EVENT_FIELDS}
        initial.pop("image")
        initial["quartiers"] = list(source.quartiers.all())
        initial["objectifs"] = list(source.objectifs.all())
        form = EvenementForm(initial=initial, user=request.user)
    return _render_form(
        request, form, title=_("Dupliquer « %(title)s »") % {"title": source.title}, source=source
    )


@manager_required
def event_edit(request, pk):
    event = get_object_or_404(_managed(request).prefetch_related("quartiers", "objectifs"), pk=pk)
    form = _form(request, instance=event, allow_repeat=False, series_scope=bool(event.series_id))
    if _submitted(request, form):
        try:
            updated = services.update_event(
                event,
                actor=request.user,
                data=form.event_data(),
                quartiers=form.cleaned_data["quartiers"],
                objectifs=form.cleaned_data["objectifs"],
                scope=form.cleaned_data.get("scope", "this"),
            )
        except ValidationError as error:
            _save_error(form, error)
        else:
            if len(updated) > 1:
                messages.success(
                    request,
                    _("Les changements valent pour %(count)s dates de la série.")
                    % {"count": len(updated)},
                )
            else:
                messages.success(request, _("L'événement est modifié."))
            return _after_save(updated[0])
    return _render_form(
        request, form, title=_("Modifier « %(title)s »") % {"title": event.title}, event=event
    )


@manager_required
def event_preview(request, pk):
    """« Aperçu »: a draft as the public will see it, with « Publier »."""
    event = get_object_or_404(_managed(request, detail_queryset_with_drafts()), pk=pk)
    if not event.is_draft:
        return redirect(event)
    return render_detail(request, event, preview=True)


@manager_required
@require_POST
def event_publish(request, pk):
    event = get_object_or_404(_managed(request), pk=pk)
    published = services.publish_event(event, actor=request.user)
    if published:
        messages.success(
            request,
            _("C'est publié : %(count)s date(s) visible(s) de tous.") % {"count": len(published)}
            if len(published) > 1
            else _("L'événement est publié : tout le monde peut le voir."),
        )
    elif event.is_cancelled:
        messages.info(request, _("Cet événement est annulé."))
    else:
        messages.info(request, _("Cet événement est déjà publié."))
    return redirect(event)


@manager_required
def event_cancel(request, pk):
    event = get_object_or_404(_managed(request, Evenement.objects.all()), pk=pk)
    form = CancelEventForm(request.POST or None, in_series=bool(event.series_id))
    if event.is_cancelled:
        messages.info(request, _("Cet événement est déjà annulé."))
        return redirect(event)
    if event.is_draft:
        messages.info(
            request,
            _("Un brouillon n'est pas public : personne ne l'attend, il n'y a rien à annuler."),
        )
        return redirect("evenements:preview", pk=event.pk)
    if request.method == "POST" and form.is_valid():
        cancelled = services.cancel_event(
            event,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            whole_series=form.cleaned_data.get("whole_series", False),
        )
        messages.success(
            request,
            _("%(count)s date(s) annulée(s) ; les personnes inscrites sont prévenues.")
            % {"count": len(cancelled)},
        )
        return redirect(event)
    registrants = event.inscriptions.exclude(status=Inscription.Status.ANNULEE).count()
    return render(
        request,
        "evenements/gestion/cancel.html",
        {"event": event, "form": form, "registrants": registrants},
    )


def _registrants(event):
    return (
        event.inscriptions.exclude(status=Inscription.Status.ANNULEE)
        .select_related("user", "registered_by")
        .order_by("status", "requested_at", "pk")
    )


@manager_required
def registrants(request, pk):
    event = get_object_or_404(_managed(request, Evenement.objects.all()), pk=pk)
    inscriptions = list(_registrants(event))
    confirmed = [i for i in inscriptions if i.status == Inscription.Status.CONFIRMEE]
    waiting = [i for i in inscriptions if i.status == Inscription.Status.ATTENTE]
    return render(
        request,
        "evenements/gestion/registrants.html",
        {
            "event": event,
            "confirmed": confirmed,
            "waiting": waiting,
            "persons": sum(i.persons for i in confirmed),
            "present": sum(1 for i in confirmed if i.attended),
        },
    )


@manager_required
def registrants_csv(request, pk):
    event = get_object_or_404(_managed(request), pk=pk)
    record(actor=request.user, action="evenement.export_registrants", target=event)
    response = csv_response(
        registrants_csv_lines(_registrants(event)), f"inscriptions-evenement-{event.pk}.csv"
    )
    response["Cache-Control"] = "no-store"
    return response


@manager_required
def attendance(request, pk):
    event = get_object_or_404(_managed(request), pk=pk)
    confirmed = event.inscriptions.filter(status=Inscription.Status.CONFIRMEE)
    if request.method != "POST":
        return redirect("evenements:registrants", pk=pk)
    form = AttendanceForm(request.POST, inscriptions=confirmed)
    if form.is_valid():
        present = services.mark_attendance(
            event, actor=request.user, present_ids={i.pk for i in form.cleaned_data["present"]}
        )
        messages.success(
            request, _("Présences enregistrées : %(count)s présent·es.") % {"count": present}
        )
    else:
        messages.error(request, _("La liste a changé entre-temps : vérifiez et recommencez."))
    return redirect("evenements:registrants", pk=pk)


@manager_required
def register_guest(request, pk):
    event = get_object_or_404(_managed(request, Evenement.objects.all()), pk=pk)
    form = GuestRegistrationForm(request.POST or None)
    offer_waiting = False
    if request.method == "POST" and form.is_valid():
        try:
            inscription = services.register_guest(
                event.pk,
                actor=request.user,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                contact_consent=form.cleaned_data["contact_consent"],
                adults=form.cleaned_data["adults"],
                children=form.cleaned_data["children"],
                join_waiting_list=form.cleaned_data["join_waiting_list"],
            )
        except services.RegistrationRefused as refusal:
            form.add_error(None, refusal.message)
            offer_waiting = refusal.can_wait
        else:
            if inscription.status == Inscription.Status.CONFIRMEE:
                messages.success(
                    request,
                    _("%(name)s est inscrit·e.") % {"name": inscription.name},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s est sur la liste d'attente.") % {"name": inscription.name},
                )
            if "again" in request.POST:
                return redirect("evenements:register_guest", pk=pk)
            return redirect("evenements:registrants", pk=pk)
    return render(
        request,
        "evenements/gestion/guest.html",
        {"event": event, "form": form, "offer_waiting": offer_waiting},
    )


@manager_required
def cancel_inscription(request, pk):
    inscription = get_object_or_404(
        Inscription.objects.select_related("evenement").filter(evenement__in=_managed(request)),
        pk=pk,
    )
    if request.method == "POST":
        services.cancel_inscription(inscription, actor=request.user)
        messages.success(
            request, _("L'inscription de %(name)s est annulée.") % {"name": inscription.person_name}
        )
    return redirect("evenements:registrants", pk=inscription.evenement_id)
