"""What a write tells the others: the mediators' queue and the committee's figures.

**The queue.** The header of every mediator's page shows the count of what waits in her
communes (an index scan over every waiting expression: about 1.4 ms of PostgreSQL at the
scale of the agglomeration), so it is kept in the cache; the queue's page is the same for
every mediator of the same communes, so it is drawn once per state of the queue. Every
change of the queue goes through ``announce`` (or ``queue_changed``), which forgets the
count and the generation of the pages (now and after commit) and tells the open pages of
the staff of the expression's communes. A change made outside the services (the Django
admin) shows within ``COUNT_SECONDS`` and ``PAGE_SECONDS``.

**The committee's figures.** The dashboard keeps its figures a minute per scope and filters
(consultations.committee.views); its cache key carries a generation that the services renew
(``figures_changed``) whenever what the dashboard counts changes: an expression routed,
examined or answered, a tag or an objective set. « Actualiser les chiffres » then shows the
change at once; what is not renewed (« moi aussi » counts) is at most a minute old.

**Arrivals.** An expression that enters the queue (submitted, or reported while it waited
for no one) is announced with what the queue's row shows of it: its quartier and its first
words, as plain text, and the values of the queue's filters (``moderation.filters``) it
matches, so that every open page of the queue, whatever its page and filters, says at once
what arrived and whether it belongs to what that page shows (static/js/moderation.js).
"""

import hashlib

from django.core.cache import cache
from django.utils.text import Truncator

from participation.accounts import scope
from participation.core import realtime
from participation.core.cache import Generation, forget

from .models import Expression, waiting_q

COUNT_KEY = "moderation:file:compte"
COUNT_SECONDS = 60
# The queue's pages are drawn once per state of the queue (the generation, which every
# change renews) and kept at most PAGE_SECONDS: a change made outside the services (a new
# consultation or instance, the admin) shows within that time.
PAGE_SECONDS = 15
QUEUE_PAGES = Generation("moderation:file:generation", PAGE_SECONDS)
FIGURES = Generation("tableau-de-bord:generation")


def scope_key(user) -> str:
    """A short name of the communes ``user`` works for, for what is kept per scope (the
    digest): « tout » for platform-wide staff."""
    quartiers = scope.quartier_ids(user)
    if quartiers is None:
        return "tout"
    # The communes too: two of them may cover the same quartiers (Marles-les-Mines has only
    # Cité 5, which is Auchel's as well) and still have their own instances.
    communes = sorted(scope.commune_ids(user))
    named = f"{sorted(quartiers)}/{communes}"
    return hashlib.sha256(named.encode()).hexdigest()[:16]


def queue_count(user=None) -> int:
    """What waits for moderation: all of it, or what waits in the quartiers of ``user``'s
    communes (all of it for platform-wide staff). A person's count is kept under the
    queue's generation, which every change renews (``queue_changed``), and counted in one
    query: the header of every staff page shows it."""
    if user is None:
        return cache.get_or_set(
            COUNT_KEY, lambda: Expression.objects.filter(waiting_q()).count(), COUNT_SECONDS
        )
    key = f"{COUNT_KEY}:{QUEUE_PAGES.current()}:{user.pk}"
    waiting = Expression.objects.filter(waiting_q())
    return cache.get_or_set(
        key, lambda: scope.by_quartier_in_one_query(user, waiting).count(), COUNT_SECONDS
    )


def queue_count_for(request) -> int:
    """``queue_count()`` of the signed-in person, read once per request: the header and the
    queue both show it."""
    if not hasattr(request, "_moderation_queue_count"):
        request._moderation_queue_count = queue_count(request.user)
    return request._moderation_queue_count


def queue_changed() -> None:
    """Something the queue shows changed: its count and its pages are read again."""
    forget(COUNT_KEY, QUEUE_PAGES.key)


def announce(kind: str, expression_id: int, *, quartier: int | None = None, **extra) -> None:
    """An expression entered, left or changed in the queue. ``quartier`` (its id) lets the
    open queues of staff given communes receive only their communes' events
    (``moderation.consumers``); an event without it reaches platform-wide staff only."""
    queue_changed()
    event = {"type": kind, "id": expression_id, **extra}
    if quartier is not None:
        event["quartier"] = quartier
    realtime.broadcast(realtime.MODERATION_GROUP, event)


EXCERPT_WORDS = 12
EXCERPT_CHARS = 120


def first_words(text: str) -> str:
    """The first words of a text on one line, as plain text (never HTML)."""
    return Truncator(Truncator(" ".join(text.split())).words(EXCERPT_WORDS)).chars(EXCERPT_CHARS)


def arrival(expression: Expression, *, etiquettes=None) -> dict:
    """What an open queue announces of an expression entering it: no more than its row shows.

    ``filters`` holds, under each filter's name of the queue (``ModerationFilter``), the value
    the filter takes to select this expression; ``etiquettes`` (ids) spares the query when
    the caller knows them (a new expression has none).
    """
    if etiquettes is None:
        etiquettes = expression.etiquettes.values_list("pk", flat=True)
    consultation = expression.consultation
    return {
        "quartier": expression.quartier.short_name,
        "excerpt": first_words(expression.text),
        "filters": {
            "quartier": expression.quartier.slug,
            "source": expression.source,
            "consultation": consultation.slug if consultation is not None else "",
            "etiquette": [str(pk) for pk in etiquettes],
        },
    }


def announce_arrival(kind: str, expression: Expression, *, etiquettes=None) -> None:
    """An expression entered the queue: ``announce`` it with what the pages show of it."""
    announce(
        kind,
        expression.pk,
        quartier=expression.quartier_id,
        arrival=arrival(expression, etiquettes=etiquettes),
    )


figures_generation = FIGURES.current
figures_changed = FIGURES.renew
