from celery import shared_task

from . import services


@shared_task
def send_reminders() -> int:
    """Daily: remind registrants of tomorrow's events (idempotent, safe to run twice)."""
    return services.send_reminders()
