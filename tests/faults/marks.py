"""The marks a slow backend (``mail.SlowFileEmailBackend``, ``sms.SlowFileSmsBackend``) drops
in ``FAULTS_MARKS_DIR`` as it starts sending: ``<pid>-<n>``, holding what it sends."""

import time
from pathlib import Path


def wait_for_mark(marks: Path, seen: set[str], timeout: float = 30) -> Path:
    """The next process caught in the middle of sending (a mark not in ``seen``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mark in sorted(marks.iterdir(), key=lambda path: path.stat().st_mtime_ns):
            if mark.name not in seen:
                seen.add(mark.name)
                return mark
        time.sleep(0.05)
    raise AssertionError(f"nothing being sent within {timeout} s")
