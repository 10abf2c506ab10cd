"""Long exports made by Celery: asked for, built with a progress bar, kept a few days.

An export with more than ``EXPORT_INLINE_MAX_ROWS`` rows is not streamed to the browser
but written by the worker into PRIVATE_MEDIA_ROOT/exports/; the job page follows it and
the requester is notified when the file is ready.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.audit.services import record
from participation.core.background import enqueue_on_commit
from participation.core.spreadsheets import csv_lines, write_xlsx
from participation.notifications.services import notify

from .. import rules
from ..models import ExportJob
from ..storage import private_storage
from . import filters
from .exports import expressions_sheet, header, iter_records

logger = logging.getLogger(__name__)


def request_job(*, user, format: str, query: str, total: int) -> ExportJob:
    """Ask Celery for a long export; the job page follows it."""
    if not rules.can_review(user):
        raise PermissionError
    with transaction.atomic():
        job = ExportJob.objects.create(requester=user, format=format, query=query, total=total)
        record(
            actor=user,
            action="export.demande",
            target=job,
            after={"format": format, "query": query, "total": total},
        )
        enqueue_on_commit(
            "consultations.tasks.build_export",
            str(job.pk),
            on_broker_down=lambda: _fail(
                job, _("Le service qui prépare les exports ne répond pas : réessayez.")
            ),
        )
    return job


def build_job(job_id) -> ExportJob | None:
    """Write a job's file under PRIVATE_MEDIA_ROOT/exports/, updating its progress."""
    job = ExportJob.objects.select_related("requester").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    user = job.requester
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, done=0)
    if not rules.can_review(user):
        _fail(job, _("Votre rôle ne permet plus cet export."))
        return job
    _filterset, queryset = filters.filtered_expressions(user, QueryDict(job.query))
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(total=total)

    def progress(done):
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    name = f"exports/{job.pk}.{job.format}"
    instances = rules.instances_of(user)
    try:
        path = Path(private_storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        if job.format == ExportJob.Format.XLSX:
            with open(path, "wb") as handle:
                write_xlsx(
                    handle,
                    [expressions_sheet(queryset, instances=instances, progress=progress)],
                )
        else:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                for line in csv_lines(
                    header(), iter_records(queryset, instances=instances, progress=progress)
                ):
                    handle.write(line)
    except Exception:
        logger.exception("Export %s failed", job.pk)
        _fail(
            job,
            _(
                "L'export n'a pas pu être préparé. Réessayez ; si cela recommence, "
                "signalez-le au référent."
            ),
        )
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.READY,
        file=name,
        done=total,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    notify(
        user,
        _("Votre export de %(count)s expressions est prêt.") % {"count": total},
        url=job.get_absolute_url(),
    )
    return job


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FAILED, error=message[:300], finished_at=timezone.now()
    )


def purge_jobs(now=None) -> int:
    """Delete exports older than ``EXPORT_RETENTION_DAYS``, files first; returns how many.

    An export holds what residents said: it is not kept longer than its use.
    """
    limit = (now or timezone.now()) - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    count = 0
    for job in ExportJob.objects.filter(created_at__lt=limit).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
