"""The preview of a merge: both expressions side by side, what will happen in plain words,
then « Confirmer le regroupement » or « Annuler ».

The staff page's « Regrouper » leads here once the page is saved (views/expression.py); the
preview writes nothing, and only its confirmation calls ``services.merge``. Reached again
after a colleague acted, it says what changed instead of offering the confirmation.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from participation.accounts.rules import mediateur_required

from ... import rules
from ...models import Status
from ...transitions import TransitionError
from .. import services


@mediateur_required
@require_http_methods(["GET", "POST"])
def merge(request, pk, target):
    duplicate = get_object_or_404(
        rules.staff_expressions(request.user).select_related("author", "quartier"), pk=pk
    )
    try:
        preview = services.merge_preview(duplicate, into=target, actor=request.user)
        confirmed = request.method == "POST"
        merged = services.merge(duplicate, into=target, actor=request.user) if confirmed else None
    except (ValidationError, TransitionError) as error:
        return _refused(request, duplicate, error)
    if merged is None:
        return render(
            request,
            "consultations/moderation/merge.html",
            {
                "preview": preview,
                "expression": duplicate,
                "can_swap": preview.target.status == Status.PUBLIEE,
            },
        )
    kept = merged.merged_into
    told = [
        _(
            "L'expression n° %(number)s est regroupée avec la n° %(kept)s, qui compte maintenant "
            "%(count)s « moi aussi »."
        )
        % {"number": duplicate.pk, "kept": kept.pk, "count": kept.supports_count}
    ]
    if preview.tells_duplicate_author:
        told.append(_("Son auteur·rice est prévenu·e."))
    if preview.tells_target_author:
        told.append(_("L'auteur·rice de la n° %(kept)s aussi.") % {"kept": kept.pk})
    messages.success(request, " ".join(told))
    staff_page = reverse("consultations:moderation_expression", args=[pk])
    return redirect(f"{staff_page}#resultat")


def _refused(request, duplicate, error):
    """The preview cannot be shown or confirmed: why, and the way back; nothing is written."""
    if isinstance(error, TransitionError):
        # The expression changed meanwhile (a colleague merged or routed it).
        reason, status = error.message, 409
    else:
        reason, status = " ".join(error.messages), 400
    return render(
        request,
        "consultations/moderation/merge.html",
        {"expression": duplicate, "refusal": reason},
        status=status,
    )
