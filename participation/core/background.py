"""Work handed to Celery once the transaction that asked for it has committed.

Services name a task by its dotted path (``"consultations.tasks.build_export"``), as
``CELERY_BEAT_SCHEDULE`` does: the task is looked up when the transaction commits, so a
service never imports the tasks module that imports it (tasks sit above services). Without
a broker (the embedded mode) Celery runs the task inline. When the broker is down the
action is kept and the failure logged: a sweep, or ``on_broker_down``, takes it from there.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def enqueue_on_commit(
    task_path: str, *args, on_broker_down: Callable[[], None] | None = None
) -> None:
    """Send ``task_path.delay(*args)`` after commit; never raise if the broker is down."""

    def enqueue() -> None:
        task = import_string(task_path)
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - the broker being down must not lose the action
            logger.warning("Broker unreachable; %s%r left for later", task_path, args)
            if on_broker_down is not None:
                on_broker_down()

    transaction.on_commit(enqueue)
