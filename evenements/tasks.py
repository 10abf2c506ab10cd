from celery import shared_task


@shared_task
def send_reminders() -> int:
    """Daily: remind registrants of tomorrow's events (idempotent, safe to run twice)."""
    from . import services

    return services.send_reminders()
