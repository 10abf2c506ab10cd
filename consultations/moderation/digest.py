"""The mediators' daily digest: what waits, emailed once a day by Celery beat."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.accounts.models import NotifyBy, Role, User
from participation.notifications.models import Email
from participation.notifications.services import queue_email

from .. import changes, rules
from ..models import Expression, Status, waiting_q
from .queue import queue, to_route


def digest_figures(now=None, user=None) -> dict:
    """What waits: all of it, or what ``user`` (staff given communes) works on."""
    now = now or timezone.now()

    def mine(queryset):
        return queryset if user is None else rules.staff_expressions(user, queryset)

    figures = mine(Expression.objects.filter(waiting_q())).aggregate(
        soumises=Count("pk", filter=Q(status=Status.SOUMISE)),
        signalees=Count("pk", filter=Q(flagged_at__isnull=False)),
        old=Count("pk", filter=Q(status=Status.SOUMISE, created_at__lt=now - dt.timedelta(days=2))),
    )
    figures["a_transmettre"] = mine(to_route()).count()
    oldest = mine(queue()).first()
    figures["oldest"] = oldest.waiting_since if oldest else None
    return figures


def _waits(figures) -> bool:
    return bool(figures["soumises"] or figures["signalees"] or figures["a_transmettre"])


def send_digest(today=None) -> int:
    """Email each mediator what waits in their communes, once a day; a second run the same
    day sends nothing. Mediators of the same communes share one reading of the figures."""
    today = today or timezone.localdate()
    everything = digest_figures()
    if not _waits(everything):
        return 0
    subject = _("File de modération du %(date)s") % {"date": today.strftime("%d/%m/%Y")}
    bodies: dict[str, str | None] = {}

    def body_for(user) -> str | None:
        key = changes.scope_key(user)
        if key not in bodies:
            figures = everything if key == "tout" else digest_figures(user=user)
            bodies[key] = (
                render_to_string(
                    "consultations/moderation/emails/digest.txt",
                    {
                        **figures,
                        "url": settings.SITE_URL + reverse("consultations:moderation_queue"),
                        "today": today,
                    },
                )
                if _waits(figures)
                else None
            )
        return bodies[key]

    sent = 0
    recipients = User.objects.filter(
        role__in=[Role.MEDIATEUR],
        is_active=True,
        notify_by__in=[NotifyBy.EMAIL, NotifyBy.BOTH],
        deleted_at__isnull=True,
        email__isnull=False,
    ).exclude(email="")
    for user in recipients:
        body = body_for(user)
        if body is None:  # nothing waits in her communes
            continue
        with transaction.atomic():
            if Email.objects.filter(to=user.email, subject=subject).exists():
                continue
            queue_email(to=user.email, subject=subject, body=body)
            sent += 1
    return sent
