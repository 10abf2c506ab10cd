"""What the moderation queue reads: what waits, what waits to be routed."""

import hashlib

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import Expression, Signalement, Status, waiting_q, waiting_since


def queue():
    """The moderation queue, oldest first: submitted ones by date, reported ones by report."""
    open_reports = (
        Signalement.objects.filter(expression=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("expression")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Expression.objects.filter(waiting_q())
        .annotate(
            waiting_since=waiting_since(),
            open_reports=Coalesce(Subquery(open_reports), 0),
        )
        .order_by("waiting_since", "pk")
    )


def to_route():
    """Published expressions that no instance has received yet, oldest publication first."""
    return (
        Expression.objects.filter(status=Status.PUBLIEE, flagged_at__isnull=True)
        .annotate(waiting_since=F("published_at"), open_reports=Value(0))
        .order_by("published_at", "pk")
    )


def text_token(text: str) -> str:
    """A token of a text, blind to how its line breaks are written (a browser sends a
    textarea's back as ``\\r\\n``) and to the spaces around it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def text_version(expression: Expression) -> str:
    """A token of the text as the mediator read it: a redaction made on another text is refused."""
    return text_token(expression.text)
