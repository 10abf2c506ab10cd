"""A Celery worker killed while it sends an SMS: every SMS sent, exactly once.

SMS are rows first (``queue_sms``). ``deliver_sms`` claims the row (a committed attempt id)
before calling the provider, and an attempt that finds an earlier one asks the provider
whether it already has the SMS (``find``, by the row's key) before sending. The provider
here is the file backend made slow before and after it takes the SMS
(``tests.faults.sms``), so that a kill lands either before the provider has it or after,
while the platform has not recorded it — the case a plain retry would send twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

from .marks import wait_for_mark
from .report import Tally

SMS_PER_ROUND = 6


def _env(marks: Path) -> dict[str, str]:
    return {
        "SMS_BACKEND": "tests.faults.sms.SlowFileSmsBackend",
        "FAULTS_SMS_DELAY": "1",
        "FAULTS_MARKS_DIR": str(marks),
        "SMS_CLAIM_SECONDS": "3",
        "EMAIL_SWEEP_SECONDS": "4",
    }


def _queue(platform, round_number: int) -> list[str]:
    """Queue SMS_PER_ROUND SMS in one transaction; their keys."""
    return platform.orm(
        "from django.db import transaction\n"
        "from participation.notifications.sms import queue_sms\n"
        "with transaction.atomic():\n"
        "    result = [\n"
        f"        str(queue_sms(to='+3361234560{round_number}', body=f'Rappel {{n}}',"
        " kind='fault').key)\n"
        f"        for n in range({SMS_PER_ROUND})\n"
        "    ]\n"
    )


def _sent(platform, keys: list[str]) -> Counter:
    wanted = set(keys)
    return Counter(m["key"] for m in platform.live.read_sms() if m["key"] in wanted)


def _wait_until_handed_over(platform, key: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while key not in _sent(platform, [key]):
        assert time.monotonic() < deadline, f"SMS {key} never reached the provider"
        time.sleep(0.05)


def _wait_for_all(platform, keys: list[str], timeout: float = 90) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        unsent = platform.query(
            "SELECT count(*) FROM notifications_sms WHERE key::text = ANY(%s) AND sent_at IS NULL",
            (keys,),
        )
        if unsent == [(0,)] or time.monotonic() > deadline:
            return _sent(platform, keys)
        time.sleep(0.5)


def _assert_once_each(platform, keys: list[str], counts: Counter) -> None:
    missing = sorted(set(keys) - set(counts))
    twice = sorted(key for key, count in counts.items() if count > 1)
    assert not missing, f"never sent: {missing}\n{platform.live.tail_logs()}"
    assert not twice, f"sent more than once: {twice}\n{platform.live.tail_logs()}"
    unsent = platform.query(
        "SELECT count(*) FROM notifications_sms WHERE key::text = ANY(%s)"
        " AND (sent_at IS NULL OR failed_at IS NOT NULL)",
        (keys,),
    )
    assert unsent == [(0,)], platform.live.tail_logs()


def test_every_sms_is_sent_exactly_once_when_a_worker_dies_while_sending(
    platform_factory, tmp_path
):
    marks = tmp_path / "marks"
    marks.mkdir()
    platform = platform_factory(env=_env(marks))
    seen: set[str] = set()

    with Tally("faults", "Worker Celery tué pendant un SMS", total=3) as tally:
        # 1. Two pool processes killed: one before the provider has the SMS, one after.
        keys = _queue(platform, 1)
        before = wait_for_mark(marks, seen)
        os.kill(int(before.name.split("-")[0]), signal.SIGKILL)
        after = wait_for_mark(marks, seen)
        _wait_until_handed_over(platform, after.read_text())
        os.kill(int(after.name.split("-")[0]), signal.SIGKILL)
        counts = _wait_for_all(platform, keys)
        _assert_once_each(platform, keys, counts)
        tally.passed(
            f"2 processus du pool tués, avant et après la remise à l'opérateur : "
            f"{len(keys)}/{len(keys)} SMS envoyés une fois"
        )

        # 2. The whole worker killed after the provider took an SMS, then started again.
        seen.update(mark.name for mark in marks.iterdir())
        keys = _queue(platform, 2)
        mark = wait_for_mark(marks, seen)
        _wait_until_handed_over(platform, mark.read_text())
        platform.kill_process("celery-worker")
        killed_at = time.monotonic()
        platform.start_worker()
        counts = _wait_for_all(platform, keys)
        _assert_once_each(platform, keys, counts)
        tally.passed(
            f"worker entier tué après la remise d'un SMS : {len(keys)}/{len(keys)} envoyés "
            f"une fois, {time.monotonic() - killed_at:.0f} s après"
        )

        # 3. Every task delivered once more (Redis gives a dead worker's messages back after
        # its visibility timeout): nothing is sent again.
        platform.orm(
            "from participation.notifications.models import Sms\n"
            "from participation.notifications.tasks import send_sms\n"
            "for pk in Sms.objects.values_list('pk', flat=True):\n"
            "    send_sms.delay(pk)\n"
            "result = True\n"
        )
        time.sleep(6)  # the duplicated tasks run, and one more sweep
        counts = Counter(m["key"] for m in platform.live.read_sms())
        assert len(counts) == 2 * SMS_PER_ROUND and set(counts.values()) == {1}, counts
        tally.passed(f"{len(counts)} tâches livrées une 2e fois : aucun SMS envoyé deux fois")
