"""The generation of the committee's figures.

The dashboard keeps its figures a minute per scope and filters (``views_committee``); its
cache key carries this generation, which the services bump, once their transaction has
committed, whenever what the dashboard counts changes: an expression routed, examined or
answered, a tag or an objective set. « Actualiser les chiffres » then shows the change at
once; what is not bumped (« moi aussi » counts) is at most a minute old, as the page says.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

KEY = "tableau-de-bord:generation"


def generation() -> str:
    return cache.get_or_set(KEY, lambda: uuid.uuid4().hex, None)


def changed() -> None:
    transaction.on_commit(lambda: cache.set(KEY, uuid.uuid4().hex, None))
