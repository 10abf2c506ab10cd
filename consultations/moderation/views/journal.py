"""The audit log of an expression, and the whole log for the référent, as CSV."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from participation.accounts.rules import mediateur_required, referent_required
from participation.audit.models import AuditEntry
from participation.audit.services import entries_for
from participation.core.spreadsheets import csv_lines, csv_response

from ... import rules

# --- Audit log as CSV --------------------------------------------------------------------

AUDIT_HEADER = ["date", "par", "action", "objet", "identifiant", "avant", "après", "motif"]


def _audit_rows(entries, *, whole: bool):
    for entry in entries:
        yield [
            timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_label if whole else entry.label_for_staff,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.before,
            entry.after,
            entry.reason,
        ]


def _audit_response(entries, filename: str, *, whole=False):
    response = csv_response(csv_lines(AUDIT_HEADER, _audit_rows(entries, whole=whole)), filename)
    response["Cache-Control"] = "no-store"
    return response


@mediateur_required
@require_GET
def audit_csv(request, pk):
    expression = get_object_or_404(rules.staff_expressions(request.user), pk=pk)
    if not rules.can_read_audit(request.user):
        raise PermissionDenied
    entries = entries_for(expression).order_by("created_at", "id").iterator(chunk_size=500)
    return _audit_response(entries, f"journal-expression-{expression.pk}.csv")


@referent_required
@require_GET
def audit_export(request):
    """The whole audit log, streamed: constant memory whatever its length. For a référent
    given communes, the entries about her communes' expressions."""
    if not rules.can_export_whole_audit(request.user):
        raise PermissionDenied
    entries = rules.audit_in_scope(request.user, AuditEntry.objects.all())
    entries = entries.order_by("created_at", "id").iterator(chunk_size=2000)
    stamp = timezone.localdate().isoformat()
    return _audit_response(entries, f"journal-{stamp}.csv", whole=True)
