"""The référent's pages for consultations and instances; every write is in services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.accounts.models import User
from participation.accounts.rules import referent_required

from .. import rules
from ..models import Consultation, Instance
from . import services
from .forms import AddMemberForm, ConsultationForm, InstanceForm, OpenConsultationForm

PER_PAGE = 30


# --- Consultations ---------------------------------------------------------------------


def _consultation(request, slug) -> Consultation:
    """One of her consultations; another commune's does not exist for her (404)."""
    return get_object_or_404(rules.managed_consultations(request.user), slug=slug)


@referent_required
@require_GET
def consultations(request):
    """The consultations of her communes' quartiers, the latest to close on top, with what
    can be done to each."""
    rows = (
        rules.managed_consultations(request.user)
        .prefetch_related("quartiers")
        .order_by("-closes_on", "title")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/gestion/consultations.html",
        {"page": page, "today": timezone.localdate()},
    )


@referent_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, slug=None):
    consultation = _consultation(request, slug) if slug else None
    form = ConsultationForm(request.POST or None, instance=consultation, user=request.user)
    if request.method == "POST" and form.is_valid():
        consultation = services.save_consultation(form, actor=request.user)
        if consultation.is_open():
            messages.success(request, _("La consultation est enregistrée ; elle est ouverte."))
        else:
            messages.success(request, _("La consultation est enregistrée."))
        return redirect("consultations:gestion_consultations")
    return render(
        request,
        "consultations/gestion/consultation_form.html",
        {"form": form, "consultation": consultation},
    )


@referent_required
@require_http_methods(["GET", "POST"])
def consultation_open(request, slug):
    consultation = _consultation(request, slug)
    form = OpenConsultationForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_consultation(
                consultation, closes_on=form.cleaned_data["closes_on"], actor=request.user
            )
        except services.Refused as refusal:
            form.add_error("closes_on", str(refusal))
        else:
            messages.success(
                request,
                _("« %(title)s » est ouverte : les habitant·es peuvent y répondre.")
                % {"title": consultation.title},
            )
            return redirect("consultations:gestion_consultations")
    return render(
        request,
        "consultations/gestion/consultation_open.html",
        {"form": form, "consultation": consultation},
    )


@referent_required
@require_http_methods(["GET", "POST"])
def consultation_close(request, slug):
    consultation = _consultation(request, slug)
    if request.method == "POST":
        services.close_consultation(consultation, actor=request.user)
        messages.success(
            request,
            _("« %(title)s » est close : ce qui a été dit reste lisible.")
            % {"title": consultation.title},
        )
        return redirect("consultations:gestion_consultations")
    return render(
        request, "consultations/gestion/consultation_close.html", {"consultation": consultation}
    )


# --- Instances and their members -------------------------------------------------------


@referent_required
@require_GET
def instances(request):
    rows = (
        rules.instances_in_scope(request.user)
        .annotate(members_count=Count("members"))
        .prefetch_related("communes")
        .order_by("-is_active", "name")
    )
    return render(request, "consultations/gestion/instances.html", {"instances": rows})


def _instance(request, slug, *, to_change: bool = False) -> Instance:
    """An instance of her communes or of the whole platform (another commune's does not
    exist for her: 404); ``to_change``: one she may change (403 otherwise)."""
    instance = get_object_or_404(
        rules.instances_in_scope(request.user).prefetch_related("communes"), slug=slug
    )
    if to_change and not rules.can_edit_instance(request.user, instance):
        raise PermissionDenied
    return instance


@referent_required
@require_http_methods(["GET", "POST"])
def instance_create(request):
    form = InstanceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        instance = services.save_instance(form, actor=request.user)
        messages.success(request, _("L'instance est créée : ajoutez-y ses membres."))
        return redirect("consultations:gestion_instance", slug=instance.slug)
    return render(request, "consultations/gestion/instance_create.html", {"form": form})


def _instance_page(request, instance, *, form=None, member_form=None, status=200):
    members = instance.members.all()
    context = {
        "instance": instance,
        "can_edit": rules.can_edit_instance(request.user, instance),
        "form": form or InstanceForm(instance=instance, user=request.user),
        "member_form": member_form or AddMemberForm(),
        "members": members.order_by("display_name", "email"),
    }
    return render(request, "consultations/gestion/instance.html", context, status=status)


@referent_required
@require_http_methods(["GET", "POST"])
def instance_edit(request, slug):
    """The instance and its members on one screen: its details, who sits in it, add one."""
    instance = _instance(request, slug, to_change=request.method == "POST")
    if request.method == "POST":
        form = InstanceForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            instance = services.save_instance(form, actor=request.user)
            messages.success(request, _("L'instance est enregistrée."))
            return redirect("consultations:gestion_instance", slug=instance.slug)
        # The page's other parts show the instance as it is stored, not as typed.
        instance = Instance.objects.prefetch_related("communes").get(pk=instance.pk)
        return _instance_page(request, instance, form=form)
    return _instance_page(request, instance)


@referent_required
@require_POST
def instance_member_add(request, slug):
    instance = _instance(request, slug, to_change=True)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_member(
                instance,
                form.account,
                actor=request.user,
                give_comite_role=form.cleaned_data["give_comite_role"],
            )
        except services.Refused as refusal:
            form.add_error("email", str(refusal))
        else:
            if added:
                messages.success(
                    request,
                    _("« %(name)s » siège maintenant dans l'instance.") % {"name": form.account},
                )
            else:
                messages.info(
                    request,
                    _("« %(name)s » siégeait déjà dans l'instance.") % {"name": form.account},
                )
            return redirect("consultations:gestion_instance", slug=instance.slug)
    return _instance_page(request, instance, member_form=form)


@referent_required
@require_POST
def instance_member_remove(request, slug, pk):
    instance = _instance(request, slug, to_change=True)
    account = get_object_or_404(User, pk=pk)
    if services.remove_member(instance, account, actor=request.user):
        messages.success(
            request,
            _(
                "« %(name)s » ne siège plus dans l'instance. Son rôle n'a pas changé : "
                "changez-le dans « Rôles des comptes » si elle ne siège plus nulle part."
            )
            % {"name": account},
        )
    return redirect("consultations:gestion_instance", slug=instance.slug)
