"""A Celery worker killed while it sends an email: no email lost, none sent twice.

Emails are rows first (``queue_email``), sent by ``send_email``, which locks the row, skips
it if ``sent_at`` is set, sends, then sets ``sent_at`` in the same transaction. Tasks are
acknowledged late and rejected back to the queue when their pool process dies
(``CELERY_TASK_ACKS_LATE``, ``CELERY_TASK_REJECT_ON_WORKER_LOST``); what a dead worker held
is sent by the beat sweep. The SMTP conversation is made slow (``tests.faults.mail``) so that
the kill lands in the middle of it.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

from .marks import wait_for_mark
from .report import Tally

EMAILS_PER_ROUND = 6


def _env(marks: Path) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": "tests.faults.mail.SlowFileEmailBackend",
        "FAULTS_EMAIL_DELAY": "1.5",
        "FAULTS_MARKS_DIR": str(marks),
        "EMAIL_SWEEP_SECONDS": "4",
    }


def _queue(platform, prefix: str) -> list[str]:
    addresses = [f"{prefix}-{n}@example.org" for n in range(EMAILS_PER_ROUND)]
    platform.orm(
        "from django.db import transaction\n"
        "from participation.notifications.services import queue_email\n"
        "with transaction.atomic():\n"
        f"    for address in {addresses!r}:\n"
        "        queue_email(to=address, subject='Votre inscription', body='Bonjour ' + address)\n"
        "result = True\n"
    )
    return addresses


def _delivered(platform, addresses: list[str]) -> Counter:
    wanted = set(addresses)
    counts: Counter = Counter()
    for message in platform.live.read_emails():
        to = str(message["To"])
        if to in wanted:
            counts[to] += 1
    return counts


def _wait_for_all(platform, addresses: list[str], timeout: float = 90) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        counts = _delivered(platform, addresses)
        if set(counts) == set(addresses) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def _assert_once_each(platform, addresses: list[str], counts: Counter) -> None:
    missing = sorted(set(addresses) - set(counts))
    twice = sorted(address for address, count in counts.items() if count > 1)
    assert not missing, f"never sent: {missing}\n{platform.live.tail_logs()}"
    assert not twice, f"sent more than once: {twice}\n{platform.live.tail_logs()}"
    unsent = platform.query(
        'SELECT count(*) FROM notifications_email WHERE "to" = ANY(%s) AND sent_at IS NULL',
        (addresses,),
    )
    assert unsent == [(0,)]


def test_no_email_is_lost_or_sent_twice_when_a_worker_dies_while_sending(
    platform_factory, tmp_path
):
    marks = tmp_path / "marks"
    marks.mkdir()
    platform = platform_factory(env=_env(marks))
    seen: set[str] = set()

    with Tally("faults", "Worker Celery tué", total=3) as tally:
        # 1. A pool process killed in the middle of sending: its task goes back to the queue.
        addresses = _queue(platform, "pool")
        interrupted = []
        for _ in range(2):
            mark = wait_for_mark(marks, seen)
            interrupted.append(mark.read_text())
            os.kill(int(mark.name.split("-")[0]), signal.SIGKILL)
        counts = _wait_for_all(platform, addresses)
        _assert_once_each(platform, addresses, counts)
        assert set(interrupted) <= set(counts)
        tally.passed(
            f"2 processus du pool tués en plein envoi : {len(addresses)}/{len(addresses)} envoyés une fois"
        )

        # 2. The whole worker killed (SIGKILL, no warm shutdown), then started again: what it
        # held unacknowledged is sent by the sweep.
        seen.update(mark.name for mark in marks.iterdir())
        addresses = _queue(platform, "worker")
        mark = wait_for_mark(marks, seen)
        platform.kill_process("celery-worker")
        killed_at = time.monotonic()
        platform.start_worker()
        counts = _wait_for_all(platform, addresses)
        _assert_once_each(platform, addresses, counts)
        assert mark.read_text() in counts
        tally.passed(
            f"worker entier tué en plein envoi : {len(addresses)}/{len(addresses)} envoyés une fois, "
            f"{time.monotonic() - killed_at:.0f} s après"
        )

        # 3. Redis gives the messages of the killed worker back after its visibility timeout:
        # those late duplicates (sent here at once for every email) send nothing more.
        everyone = [*[f"pool-{n}@example.org" for n in range(EMAILS_PER_ROUND)], *addresses]
        platform.orm(
            "from participation.notifications.models import Email\n"
            "from participation.notifications.tasks import send_email\n"
            f"for pk in Email.objects.filter(to__in={everyone!r}).values_list('pk', flat=True):\n"
            "    send_email.delay(pk)\n"
            "result = True\n"
        )
        time.sleep(6)  # the duplicated tasks run, and one more sweep
        counts = _delivered(platform, everyone)
        assert set(counts.values()) == {1}, counts
        tally.passed(f"{len(everyone)} tâches livrées une 2e fois : rien d'envoyé deux fois")
