"""The tags the mediators share: list, create, rename."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from participation.accounts.rules import mediateur_required

from ... import rules
from ...models import (
    Etiquette,
)
from .. import services
from ..forms import (
    EtiquetteForm,
)


@mediateur_required
@require_http_methods(["GET", "POST"])
def etiquettes(request):
    form = EtiquetteForm(request.POST or None)
    rename_forms = {}
    status = 200
    if request.method == "POST":
        target = request.POST.get("etiquette")
        if target:
            etiquette = get_object_or_404(Etiquette, pk=target) if target.isdigit() else None
            if etiquette is None:
                raise Http404
            rename = EtiquetteForm(request.POST, prefix=f"e{etiquette.pk}")
            if rename.is_valid():
                try:
                    services.rename_etiquette(
                        etiquette, rename.cleaned_data["name"], actor=request.user
                    )
                except ValidationError as error:
                    rename.add_error("name", error.message_dict.get("name", error.messages))
                else:
                    messages.success(request, _("L'étiquette est renommée."))
                    return redirect("consultations:moderation_etiquettes")
            rename_forms[etiquette.pk] = rename
            form = EtiquetteForm()
            status = 400
        elif form.is_valid():
            try:
                services.create_etiquette(form.cleaned_data["name"], actor=request.user)
            except ValidationError as error:
                form.add_error("name", error.message_dict.get("name", error.messages))
                status = 400
            else:
                messages.success(request, _("L'étiquette est créée."))
                return redirect("consultations:moderation_etiquettes")
        else:
            status = 400
    rows = []
    # How many expressions each tag groups, of those of the person's communes.
    count = Count("expressions", filter=rules.counting_staff_expressions(request.user))
    for etiquette in Etiquette.objects.annotate(count=count).order_by("name"):
        rows.append(
            (
                etiquette,
                rename_forms.get(etiquette.pk)
                or EtiquetteForm(prefix=f"e{etiquette.pk}", initial={"name": etiquette.name}),
            )
        )
    return render(
        request,
        "consultations/moderation/etiquettes.html",
        {"form": form, "rows": rows},
        status=status,
    )
