"""An email backend whose SMTP conversation takes a while, for killing a worker in the middle.

It is the file backend the live server's outbox reads, preceded by a pause. Before the pause
it drops a mark ``<pid>-<n>`` in ``FAULTS_MARKS_DIR`` so that a test knows which process is
sending right now: a kill during the pause lands before the message is handed over, the way
an SMTP server that never answered would leave it.
"""

import itertools
import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

_counter = itertools.count()


class SlowFileEmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        marks = os.environ.get("FAULTS_MARKS_DIR")
        if marks:
            recipients = ",".join(
                address for message in email_messages for address in message.recipients()
            )
            mark = Path(marks) / f"{os.getpid()}-{next(_counter)}"
            mark.write_text(recipients, encoding="utf-8")
        time.sleep(float(os.environ.get("FAULTS_EMAIL_DELAY", "1")))
        return super().send_messages(email_messages)
