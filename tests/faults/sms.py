"""An SMS backend slow to answer, for killing a worker in the middle of a sending.

It is the file backend (the « provider » whose log the test reads), with a pause before the
message is handed over and another after, before the answer: a kill in the first pause
leaves an SMS the provider never got, one in the second an SMS it got but whose sending
the platform never recorded — the case where sending it again would send it twice. Before
the first pause it drops a mark ``<pid>-<n>`` holding the SMS's key in ``FAULTS_MARKS_DIR``.
"""

import itertools
import os
import time
from pathlib import Path

from participation.notifications.sms_backends import FileBackend

_counter = itertools.count()


class SlowFileSmsBackend(FileBackend):
    def send(self, sms):
        marks = os.environ.get("FAULTS_MARKS_DIR")
        if marks:
            (Path(marks) / f"{os.getpid()}-{next(_counter)}").write_text(sms.key, "utf-8")
        delay = float(os.environ.get("FAULTS_SMS_DELAY", "1"))
        time.sleep(delay)
        provider_id = super().send(sms)
        time.sleep(delay)
        return provider_id
