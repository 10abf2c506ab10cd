import logging

from celery import shared_task

from . import rgpd

logger = logging.getLogger(__name__)


@shared_task
def purge_contacts() -> dict[str, int]:
    """Daily: forget the contacts kept past CONTACT_RETENTION_DAYS (idempotent)."""
    counts = rgpd.purge_contacts(rgpd.retention_cutoff())
    logger.info("Contacts purged: %s", counts)
    return counts
