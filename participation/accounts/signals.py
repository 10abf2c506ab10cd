"""Signals of the accounts, for the apps above the shared core (which it never imports).

``role_changed`` is sent by ``services.change_role`` inside its transaction, once the new
role is saved and audited, with ``user``, ``previous_role``, ``role``, ``actor`` and
``reason``: an app drops what the old role gave (``consultations`` takes a former committee
member out of their instances). A receiver that raises cancels the change.
"""

from django.dispatch import Signal

role_changed = Signal()
