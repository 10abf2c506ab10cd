"""The référent's pages of the referential (thin: the forms check, ``services`` writes)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.accounts import scope
from participation.accounts.rules import referent_required

from .. import exchange, services
from ..models import (
    Avenant,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)
from ..views import objectives_by_enjeu
from . import forms

RECENT_CHANGES = 20

# A référent given communes (participation.accounts.scope) edits the quartiers of her
# communes, intercommunal ones included, with their portrait, findings and objectives; the
# rows of other communes do not exist for her (404). The enjeux (the contrat de ville's
# three, shared by every commune) and the avenants (amendments to the one convention, which
# gather the changes of every commune) are the platform-wide référent's (403 for the others);
# a référent given communes still attaches her changes to an avenant « en cours ».


def quartiers_of(user, queryset=None):
    """The quartiers ``user`` edits."""
    return scope.by_quartier(user, Quartier.objects.all() if queryset is None else queryset, "id")


def _of_her_quartiers(request, queryset):
    return scope.by_quartier(request.user, queryset)


def _platform_wide_only(request) -> None:
    if not scope.is_platform_wide(request.user):
        raise PermissionDenied


def recent_changes(limit: int = RECENT_CHANGES, user=None):
    """The latest changes of the referential: for a référent given communes, those of her
    quartiers and those of no quartier (the enjeux)."""
    changes = ReferentielChange.objects.select_related("actor", "avenant", "quartier")
    if user is not None:
        changes = scope.by_quartier(user, changes, or_none=True)
    return changes[:limit]


@referent_required
def index(request):
    context = {
        "quartiers": quartiers_of(request.user)
        .order_by("position", "name")
        .only("slug", "name", "short_name", "code"),
        "enjeux": Enjeu.objects.order_by("number"),
        "avenants": Avenant.objects.annotate(change_count=Count("changes")),
        "changes": recent_changes(user=request.user),
        "communes": scope.by_commune(
            request.user, Commune.objects.filter(quartiers_portes__isnull=False), "id"
        )
        .distinct()
        .order_by("name"),
        "platform_wide": scope.is_platform_wide(request.user),
    }
    return render(request, "territory/gestion/index.html", context)


@referent_required
def referentiel_export(request, slug):
    commune = get_object_or_404(
        scope.by_commune(request.user, Commune.objects.all(), "id"), slug=slug
    )
    response = HttpResponse(
        exchange.dumps(exchange.export_document(commune)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{exchange.filename(commune)}"'
    return response


@referent_required
def referentiel_import(request):
    """Upload a commune's document: refused whole with every problem, or loaded (a commune
    new to the platform), or its differences shown and, box ticked, written."""
    bound = request.method == "POST"
    form = forms.ImportForm(request.POST if bound else None, request.FILES if bound else None)
    context = {"form": form, "problems": [], "result": None}
    if bound and form.is_valid():
        try:
            _check_import(request, form.data_bytes())
            result = exchange.import_document(
                form.data_bytes(),
                actor=request.user,
                apply=True if form.cleaned_data["apply"] else None,
                source=form.cleaned_data["document"].name,
            )
        except exchange.DocumentRefused as refused:
            context["problems"] = refused.problems
        else:
            if result.report.applied:
                messages.success(
                    request,
                    _(
                        "Référentiel de %(commune)s chargé : %(count)s modification(s), "
                        "chacune dans l'historique."
                    )
                    % {"commune": result.commune, "count": len(result.report.changes)},
                )
                return redirect("territory:referentiel_manage")
            context["result"] = result
    return render(request, "territory/gestion/import.html", context)


def _check_import(request, data: bytes) -> None:
    """A référent given communes loads the referential of one of her communes already on
    the platform; a commune new to it is for a platform-wide référent."""
    if scope.is_platform_wide(request.user):
        return
    # Which commune, before anything else: the checks of the whole document (which read the
    # platform's quartiers) are for a document she may load.
    document = exchange.parse(data)
    commune = document.get("commune") if isinstance(document, dict) else None
    slug = commune.get("slug") if isinstance(commune, dict) else None
    if not isinstance(slug, str):
        return  # the whole check (import_document) says what is wrong
    commune = Commune.objects.filter(slug=slug, quartiers_portes__isnull=False).first()
    if commune is None:
        message = _(
            "Ce document est celui d'une commune qui n'est pas encore sur la plateforme : "
            "seul·e un·e référent·e de toute la plateforme peut l'ajouter."
        )
    elif not scope.covers_commune(request.user, commune.pk):
        message = _(
            "Ce document est celui de %(commune)s, qui n'est pas l'une de vos communes : "
            "vous ne chargez que le référentiel de vos communes."
        ) % {"commune": commune.name}
    else:
        return
    raise exchange.DocumentRefused([exchange.Problem("commune", message)])


def _quartier_edit_url(quartier) -> str:
    return reverse("territory:quartier_edit", kwargs={"slug": quartier.slug})


@referent_required
def quartier_edit(request, slug):
    quartier = get_object_or_404(
        quartiers_of(request.user).prefetch_related(
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
    form = forms.QuartierForm(request.POST or None, instance=quartier)
    if request.method == "POST" and form.is_valid():
        changes = services.update(
            request.user, quartier, form.values(), avenant=form.cleaned_data["avenant"]
        )
        _saved(request, changes)
        return redirect(_quartier_edit_url(quartier))
    findings = {kind: [] for kind in Finding.Kind.values}
    for finding in quartier.findings.all():
        findings[finding.kind].append(finding)
    context = {
        "quartier": quartier,
        "form": form,
        "indicators": quartier.indicators.all(),
        "finding_lists": [(label, findings[kind]) for kind, label in Finding.Kind.choices],
        "objectives": objectives_by_enjeu(quartier.objectifs.all()),
    }
    return render(request, "territory/gestion/quartier.html", context)


def _saved(request, changes) -> None:
    if changes:
        messages.success(
            request,
            _("Enregistré : %(fields)s. La modification est dans l'historique.")
            % {"fields": ", ".join(change["label"] for change in changes)},
        )
    else:
        messages.info(request, _("Rien n'a changé : rien n'a été enregistré."))


def _edit(request, obj, form_class, *, title: str, back: str):
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        changes = services.update(
            request.user, obj, form.values(), avenant=form.cleaned_data["avenant"]
        )
        _saved(request, changes)
        return redirect(back)
    return render(
        request,
        "territory/gestion/form.html",
        {"form": form, "title": title, "back": back, "object": obj},
    )


@referent_required
def indicator_edit(request, pk):
    indicator = get_object_or_404(
        _of_her_quartiers(request, Indicator.objects.select_related("quartier")), pk=pk
    )
    return _edit(
        request,
        indicator,
        forms.IndicatorForm,
        title=_("Chiffre du portrait : %(label)s (%(quartier)s)")
        % {"label": indicator.label, "quartier": indicator.quartier.short_name},
        back=_quartier_edit_url(indicator.quartier) + "#portrait",
    )


@referent_required
def finding_edit(request, pk):
    finding = get_object_or_404(
        _of_her_quartiers(request, Finding.objects.select_related("quartier")), pk=pk
    )
    return _edit(
        request,
        finding,
        forms.FindingForm,
        title=_("%(kind)s du quartier %(quartier)s")
        % {
            "kind": finding.get_kind_display().capitalize(),
            "quartier": finding.quartier.short_name,
        },
        back=_quartier_edit_url(finding.quartier) + "#constats",
    )


@referent_required
def enjeu_edit(request, pk):
    _platform_wide_only(request)
    enjeu = get_object_or_404(Enjeu, pk=pk)
    return _edit(
        request,
        enjeu,
        forms.EnjeuForm,
        title=_("Enjeu %(number)s") % {"number": enjeu.number},
        back=reverse("territory:referentiel_manage"),
    )


@referent_required
def objectif_edit(request, pk):
    objectif = get_object_or_404(
        _of_her_quartiers(request, Objectif.objects.select_related("quartier", "enjeu")), pk=pk
    )
    return _edit(
        request,
        objectif,
        forms.ObjectifForm,
        title=_("Objectif du quartier %(quartier)s (enjeu %(number)s)")
        % {"quartier": objectif.quartier.short_name, "number": objectif.enjeu.number},
        back=_quartier_edit_url(objectif.quartier) + f"#objectif-{objectif.pk}",
    )


@referent_required
def finding_add(request, slug):
    quartier = get_object_or_404(quartiers_of(request.user), slug=slug)
    form = forms.FindingCreateForm(request.POST or None)
    back = _quartier_edit_url(quartier) + "#constats"
    if request.method == "POST" and form.is_valid():
        services.add_finding(
            request.user,
            quartier,
            form.cleaned_data["kind"],
            form.cleaned_data["text"],
            avenant=form.cleaned_data["avenant"],
        )
        messages.success(request, _("Constat ajouté. L'ajout est dans l'historique."))
        return redirect(back)
    title = _("Nouveau constat pour %(quartier)s") % {"quartier": quartier.short_name}
    return render(
        request, "territory/gestion/form.html", {"form": form, "title": title, "back": back}
    )


@referent_required
def objectif_add(request, slug):
    quartier = get_object_or_404(quartiers_of(request.user), slug=slug)
    form = forms.ObjectifCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        objectif = services.add_objectif(
            request.user, quartier, values, avenant=form.cleaned_data["avenant"]
        )
        messages.success(request, _("Objectif ajouté. L'ajout est dans l'historique."))
        return redirect(_quartier_edit_url(quartier) + f"#objectif-{objectif.pk}")
    title = _("Nouvel objectif pour %(quartier)s") % {"quartier": quartier.short_name}
    back = _quartier_edit_url(quartier) + "#objectifs"
    return render(
        request, "territory/gestion/form.html", {"form": form, "title": title, "back": back}
    )


@referent_required
def objectif_retire(request, pk):
    objectif = get_object_or_404(
        _of_her_quartiers(request, Objectif.objects.select_related("quartier", "enjeu")), pk=pk
    )
    back = _quartier_edit_url(objectif.quartier) + f"#objectif-{objectif.pk}"
    form = forms.RetireForm(
        request.POST or None,
        initial={
            "retired_on": objectif.retired_on or timezone.localdate(),
            "retired_reason": objectif.retired_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        retired = services.retire_objectif(
            request.user,
            objectif,
            form.cleaned_data["retired_on"],
            form.cleaned_data["retired_reason"],
            avenant=form.cleaned_data["avenant"],
        )
        messages.success(
            request,
            _(
                "Objectif retiré à partir du %(date)s : il ne sera plus proposé ; "
                "ce qui s'y rattache reste."
            )
            % {"date": services.display(retired, "retired_on")},
        )
        return redirect(back)
    title = _("Retirer l'objectif « %(objectif)s »") % {"objectif": objectif}
    return render(
        request,
        "territory/gestion/form.html",
        {"form": form, "title": title, "back": back, "object": objectif, "retire": True},
    )


@referent_required
@require_POST
def objectif_restore(request, pk):
    objectif = get_object_or_404(
        _of_her_quartiers(request, Objectif.objects.select_related("quartier")), pk=pk
    )
    form = forms.RestoreForm(request.POST)
    if form.is_valid():
        services.restore_objectif(request.user, objectif, avenant=form.cleaned_data["avenant"])
        messages.success(request, _("L'objectif est de nouveau proposé."))
    else:
        messages.error(request, form.errors["avenant"][0])
    return redirect(_quartier_edit_url(objectif.quartier) + f"#objectif-{objectif.pk}")


@referent_required
def avenant_edit(request, pk=None):
    _platform_wide_only(request)
    avenant = get_object_or_404(Avenant, pk=pk) if pk else Avenant()
    form = forms.AvenantForm(request.POST or None, instance=avenant)
    if request.method == "POST" and form.is_valid():
        avenant = services.save_avenant(
            request.user, avenant, form.values(), form.cleaned_data["changes"]
        )
        messages.success(request, _("Avenant « %(title)s » enregistré.") % {"title": avenant})
        return redirect("territory:referentiel_manage")
    attached = (
        avenant.changes.select_related("actor", "avenant", "quartier").order_by(
            "-created_at", "-pk"
        )
        if avenant.pk
        else ReferentielChange.objects.none()
    )
    title = _("Avenant « %(title)s »") % {"title": avenant} if avenant.pk else _("Nouvel avenant")
    return render(
        request,
        "territory/gestion/avenant.html",
        {"form": form, "title": title, "avenant": avenant, "attached": attached},
    )


@referent_required
def commune_mediation(request, slug):
    """How residents reach the mediators of one of her communes (« Joindre un·e médiateur·rice »)."""
    commune = get_object_or_404(
        scope.by_commune(request.user, Commune.objects.all(), "id"), slug=slug
    )
    form = forms.MediationContactForm(request.POST or None, instance=commune)
    if request.method == "POST" and form.is_valid():
        changed = services.update_mediation_contact(request.user, commune, form.values())
        if changed:
            messages.success(
                request,
                _(
                    "Enregistré : %(fields)s. Les habitant·es le voient sur « Joindre un·e médiateur·rice »."
                )
                % {"fields": ", ".join(changed)},
            )
        return redirect(reverse("referent_space") + "#mediation")
    return render(
        request,
        "territory/gestion/mediation.html",
        {"commune": commune, "form": form},
        status=400 if form.is_bound else 200,
    )
