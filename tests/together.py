"""Actions run at the same moment, each in its own thread and so its own database connection,
for the tests of row locks and races. Never hangs: a thread still running after the time
limit fails the test as a deadlock, rather than waiting for pytest-timeout's ten minutes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

RELEASE_TIMEOUT = 10  # seconds for every thread to reach the starting line
FINISH_TIMEOUT = 60  # seconds for all of them to finish once released


def run_together(actions: list[Callable[[], object]]) -> None:
    """Start each action in a thread, release them together, wait for all of them.

    Each action catches the errors it expects itself (and records its outcome); what it does
    not catch is reported by pytest as an exception in a thread."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        try:
            barrier.wait(timeout=RELEASE_TIMEOUT)
            action()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,), daemon=True) for action in actions]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + FINISH_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {len(threads)} threads still running after {FINISH_TIMEOUT} s"
