"""« Annuler l'annulation »: offered for a few minutes to the session that cancelled.

The offer lives in the session, not on the registration: only the person who has just
cancelled, in that browser, is offered to take it back, and a registration a mediator
cancelled offers nothing. ``services.restore_inscription`` checks the rest (her own, within
``UNDO_WINDOW``, the place still free).
"""

from django.db.models import Q
from django.utils import timezone

from .models import Inscription
from .services import UNDO_WINDOW

SESSION_KEY = "evenements.annulations"
# A few cancellations in a row are each offered; more would only fill the session.
MAX_OFFERS = 5


def offer(request, inscription: Inscription) -> None:
    kept = [pk for pk in request.session.get(SESSION_KEY, []) if pk != inscription.pk]
    request.session[SESSION_KEY] = [inscription.pk, *kept][:MAX_OFFERS]


def withdraw(request, inscription_pk: int) -> None:
    offered = request.session.get(SESSION_KEY, [])
    if inscription_pk in offered:
        request.session[SESSION_KEY] = [pk for pk in offered if pk != inscription_pk]


def is_offered(request, inscription_pk: int) -> bool:
    return inscription_pk in request.session.get(SESSION_KEY, [])


def undoable_q(request) -> Q:
    """Her cancelled registrations whose undo this session may still offer, as a filter to
    join (``|``) to what a page lists anyway: one query for both."""
    offered = request.session.get(SESSION_KEY, [])
    if not offered:
        return Q(pk__in=[])
    return Q(
        pk__in=offered,
        status=Inscription.Status.ANNULEE,
        cancelled_at__gte=timezone.now() - UNDO_WINDOW,
    )
