"""Extension points of the shared pages (home, quartier, « Mon espace »), so that imports
point down only.

An app adds its part of a shared page by registering a provider in its ``AppConfig.ready``:

    from participation.core import hooks
    hooks.register("quartier", next_events_block)

A provider takes the request and the page's objects (``quartier=`` for the quartier page;
``seen_at=`` for « Mon espace »: when its owner opened it before, or None; nothing for the
« Espace référent », page ``referent``, nor for « Joindre un·e médiateur·rice », page
``mediation``) and returns a
dict merged into the template context. The key ``blocks`` is special: a list of
``hooks.Block`` that the page renders in ``order``. A provider must run a fixed number of
SQL queries, whatever the size of the data.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

PAGES = ("home", "quartier", "my_space", "referent", "mediation")


@dataclass(frozen=True)
class Block:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


_providers: dict[str, list[Callable[..., dict]]] = defaultdict(list)


def register(page: str, provider: Callable[..., dict]) -> None:
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; known: {PAGES}")
    if provider not in _providers[page]:
        _providers[page].append(provider)


def page_context(page: str, request, **objects) -> dict:
    context: dict = {}
    blocks: list[Block] = []
    for provider in _providers[page]:
        extra = dict(provider(request, **objects) or {})
        blocks.extend(extra.pop("blocks", []))
        context.update(extra)
    context["blocks"] = sorted(blocks, key=lambda block: block.order)
    return context
