"""Personal data held by the consultations app: export, erasure, retention.

Called by participation.accounts.rgpd, which discovers this module by its name. Erasure
runs inside the account deletion transaction; photo files go after it commits.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from participation.audit.services import forget_words, record
from participation.core import fragments
from participation.core.addresses import absolute_url

from . import changes
from .expressions import services
from .models import Expression, ExpressionStep, Signalement, Support, Visibility
from .storage import delete_files

ERASURE_REASON = "compte supprimé par son auteur (RGPD)"


def _expression(expression: Expression) -> dict:
    return {
        "numero": expression.pk,
        "page": absolute_url(expression.get_absolute_url()),
        "quartier": expression.quartier.name,
        "message": expression.text,
        "objectifs": [str(objectif) for objectif in expression.objectifs.all()],
        "consultation": expression.consultation.title if expression.consultation else None,
        "evenement": expression.evenement.title if expression.evenement else None,
        "recueillie": expression.get_source_display(),
        "publication": expression.get_visibility_display(),
        "etape": expression.get_status_display(),
        "deposee_le": expression.created_at,
        "publiee_le": expression.published_at,
        "modifiee_le": expression.updated_at,
        "photo": (
            absolute_url(reverse("consultations:expression_photo", args=[expression.pk]))
            if expression.photo
            else None
        ),
        "description_photo": expression.photo_description,
        "moi_aussi_recus": expression.supports_count,
        # The author reads the whole path of their expression, notes included.
        "parcours": [
            {"etape": step.get_status_display(), "le": step.created_at, "precision": step.note}
            for step in expression.steps.all()
        ],
    }


def export(user) -> dict:
    expressions = (
        Expression.objects.filter(author=user)
        .select_related("quartier", "consultation", "evenement")
        .prefetch_related(
            "objectifs",
            Prefetch("steps", queryset=ExpressionStep.objects.order_by("created_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    supports = Support.objects.filter(user=user).order_by("created_at", "pk")
    signalements = Signalement.objects.filter(reporter=user).order_by("created_at", "pk")
    return {
        "expressions": [_expression(expression) for expression in expressions],
        "moi_aussi": [
            {
                "expression": support.expression_id,
                "page": absolute_url(
                    reverse("consultations:expression_detail", args=[support.expression_id])
                ),
                "le": support.created_at,
            }
            for support in supports
        ],
        "signalements": [
            {
                "expression": signalement.expression_id,
                "raison": signalement.get_reason_display(),
                "precisions": signalement.details,
                "le": signalement.created_at,
                "traite_le": signalement.resolved_at,
            }
            for signalement in signalements
        ],
    }


def _anonymise(expressions, *, user) -> None:
    """Public expressions stay readable, without their author: « un·e habitant·e de … »."""
    for expression in expressions:
        before = {"visibility": expression.visibility, "author": expression.author_id}
        Expression.objects.filter(pk=expression.pk).update(
            author=None,
            visibility=Visibility.PUBLIC_ANONYMOUS,
            contact="",
            contact_consent=False,
            idempotency_key=None,
        )
        record(
            actor=user,
            action="expression.anonymisee",
            target=expression,
            before=before,
            after={"visibility": Visibility.PUBLIC_ANONYMOUS, "author": None},
            reason=ERASURE_REASON,
        )
        changes.announce("expression.updated", expression.pk, quartier=expression.quartier_id)
    ExpressionStep.objects.filter(expression__in=[e.pk for e in expressions], actor=user).update(
        actor=None
    )


def _delete(expressions, *, user) -> None:
    files = [
        name
        for expression in expressions
        for name in (expression.photo.name, expression.thumbnail.name)
        if name
    ]
    for expression in expressions:
        record(
            actor=user,
            action="expression.supprimee",
            target=expression,
            before={"status": expression.status, "visibility": expression.visibility},
            reason=ERASURE_REASON,
        )
        changes.announce("expression.deleted", expression.pk, quartier=expression.quartier_id)
    Expression.objects.filter(pk__in=[e.pk for e in expressions]).delete()
    if files:
        transaction.on_commit(lambda: delete_files(files))


def erase(user, *, keep_public_expressions: bool) -> None:
    """Erase ``user`` from the expressions.

    With ``keep_public_expressions``, what anyone can already read stays, anonymised;
    everything else of theirs (private, awaiting moderation, rejected) is deleted with
    its photo. Without it, all their expressions are deleted. Their « moi aussi » are
    withdrawn (the counters go down); their reports stay for the mediators, unsigned.
    """
    mine = list(Expression.objects.select_for_update().filter(author=user).order_by("pk"))
    kept = [e for e in mine if keep_public_expressions and e.is_readable_by_anyone]
    kept_ids = {e.pk for e in kept}
    _anonymise(kept, user=user)
    _delete([e for e in mine if e.pk not in kept_ids], user=user)
    # Earlier versions of their words kept by the audit log go too (lengths stay).
    forget_words(mine)
    for support in Support.objects.filter(user=user).select_related("expression"):
        services.remove_support(support.expression, user=user)
    # Their reports stay for the mediators, unsigned and without the words they typed.
    Signalement.objects.filter(reporter=user).update(reporter=None, details="")
    # The committee's dashboard shows the texts of the most supported expressions.
    changes.figures_changed()
    # Rows drawn from their words are forgotten now, and again once the erasure is committed
    # (a page may draw one from the old state meanwhile).
    fragments.forget_all()
    transaction.on_commit(fragments.forget_all)


def purge_contacts(before) -> int:
    """Forget the contact left by people met in the field, for expressions recorded before ``before``."""
    stale = (
        Expression.objects.collected_in_field()
        .filter(created_at__lt=before)
        .exclude(contact="", contact_consent=False)
    )
    return stale.update(contact="", contact_consent=False)
