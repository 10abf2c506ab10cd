"""Running events (médiateur, référent): create, edit, duplicate, cancel, registrants."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.audit.services import record
from participation.core.spreadsheets import csv_response

from .. import services
from ..exports import registrants_csv_lines
from ..forms import AttendanceForm, CancelEventForm, EvenementForm, GuestRegistrationForm
from ..models import Evenement, Inscription
from ..rules import manager_required


def _waiting_count():
    return Count("inscriptions", filter=Q(inscriptions__status=Inscription.Status.ATTENTE))


@manager_required
def manage_list(request):
    since = timezone.now() - timezone.timedelta(days=30)
    show_past = request.GET.get("passes") == "1"
    queryset = Evenement.objects.with_places().annotate(waiting=_waiting_count())
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


def _save_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@manager_required
def event_create(request):
    form = EvenementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
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
                    _("La série est créée : %(count)s dates.") % {"count": len(created)},
                )
            else:
                messages.success(request, _("L'événement est publié."))
            return redirect(created[0])
    return render(
        request, "evenements/gestion/form.html", {"form": form, "title": _("Nouvel événement")}
    )


@manager_required
def event_duplicate(request, pk):
    source = get_object_or_404(Evenement.objects.prefetch_related("quartiers", "objectifs"), pk=pk)
    if request.method == "POST":
        form = EvenementForm(request.POST, request.FILES)
        if form.is_valid():
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
                messages.success(request, _("La copie est publiée."))
                return redirect(created[0])
    else:
        initial = {name: getattr(source, name) for name in services.EVENT_FIELDS}
        initial.pop("image")
        initial["quartiers"] = list(source.quartiers.all())
        initial["objectifs"] = list(source.objectifs.all())
        form = EvenementForm(initial=initial)
    return render(
        request,
        "evenements/gestion/form.html",
        {
            "form": form,
            "title": _("Dupliquer « %(title)s »") % {"title": source.title},
            "source": source,
        },
    )


@manager_required
def event_edit(request, pk):
    event = get_object_or_404(Evenement.objects.prefetch_related("quartiers", "objectifs"), pk=pk)
    form = EvenementForm(
        request.POST or None,
        request.FILES or None,
        instance=event,
        allow_repeat=False,
        series_scope=bool(event.series_id),
    )
    if request.method == "POST" and form.is_valid():
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
            return redirect(updated[0])
    return render(
        request,
        "evenements/gestion/form.html",
        {
            "form": form,
            "title": _("Modifier « %(title)s »") % {"title": event.title},
            "event": event,
        },
    )


@manager_required
def event_cancel(request, pk):
    event = get_object_or_404(Evenement.objects.with_places(), pk=pk)
    form = CancelEventForm(request.POST or None, in_series=bool(event.series_id))
    if event.is_cancelled:
        messages.info(request, _("Cet événement est déjà annulé."))
        return redirect(event)
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
    event = get_object_or_404(Evenement.objects.with_places(), pk=pk)
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
    event = get_object_or_404(Evenement, pk=pk)
    record(actor=request.user, action="evenement.export_registrants", target=event)
    response = csv_response(
        registrants_csv_lines(_registrants(event)), f"inscriptions-evenement-{event.pk}.csv"
    )
    response["Cache-Control"] = "no-store"
    return response


@manager_required
def attendance(request, pk):
    event = get_object_or_404(Evenement, pk=pk)
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
    event = get_object_or_404(Evenement.objects.with_places(), pk=pk)
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
    inscription = get_object_or_404(Inscription.objects.select_related("evenement"), pk=pk)
    if request.method == "POST":
        services.cancel_inscription(inscription, actor=request.user)
        messages.success(
            request, _("L'inscription de %(name)s est annulée.") % {"name": inscription.person_name}
        )
    return redirect("evenements:registrants", pk=inscription.evenement_id)
