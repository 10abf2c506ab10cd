"""Celery entry points of the app; they take ids and call the services.

Tasks sit above every other module: services name them by their dotted path through
``participation.core.background.enqueue_on_commit``, and nothing imports this module.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from participation.core.images import make_thumbnail

from . import storage
from .committee.export_jobs import build_job, purge_jobs
from .expressions import kept_photos, orphan_photos
from .models import Expression
from .moderation.digest import send_digest

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, max_retries=3, default_retry_delay=30)
def make_expression_thumbnail(expression_id: int) -> bool:
    """Make the small image of an expression's photo; idempotent."""
    with storage.files_undone_on_error(), transaction.atomic():
        expression = (
            Expression.objects.select_for_update()
            .filter(pk=expression_id)
            .exclude(photo="")
            .filter(thumbnail="")
            .first()
        )
        if expression is None:
            return False
        with expression.photo.open("rb") as photo:
            small = make_thumbnail(photo.read())
        expression.thumbnail.save("mini.jpg", small.as_file(), save=False)
        storage.note_written(expression.thumbnail.name)
        expression.save(update_fields=["thumbnail", "updated_at"])
    return True


@shared_task
def sweep_thumbnails() -> int:
    """Make the thumbnails whose task was never queued (broker down) or was lost."""
    older = timezone.now() - timezone.timedelta(minutes=2)
    ids = list(
        Expression.objects.exclude(photo="")
        .filter(thumbnail="", created_at__lt=older)
        .values_list("pk", flat=True)[:200]
    )
    done = 0
    for pk in ids:
        try:
            done += make_expression_thumbnail(pk)
        except Exception:  # noqa: BLE001 - one broken file must not stop the sweep
            logger.exception("Thumbnail of expression %s failed", pk)
    return done


@shared_task(acks_late=True)
def build_export(job_id: str) -> str:
    """A long export of the committee's dashboard (committee.export_jobs); idempotent."""
    job = build_job(job_id)
    return job.state if job is not None else "absent"


@shared_task
def send_moderation_digest() -> int:
    """Each morning, tell the mediators what waits (at most one email each per day)."""
    return send_digest()


@shared_task
def purge_exports() -> int:
    """Each night, delete the committee's exports older than a week (files included)."""
    return purge_jobs()


@shared_task
def purge_orphan_photos() -> int:
    """Each night, delete the photo files no expression names, once a day old."""
    return orphan_photos.purge()


@shared_task
def purge_kept_photos() -> int:
    """Every hour, delete the photos kept for forms that came back, once a day old (files)."""
    return kept_photos.purge()
