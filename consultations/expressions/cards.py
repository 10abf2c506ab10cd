"""The cards of the public lists of expressions, drawn once per content.

A card (``partials/expression_card.html``) shows what the expression's row holds and
nothing about the reader: it is drawn by ``render_rows`` (keyed by everything it is drawn
from) and cut where the reader's « moi aussi » goes; the page draws that button for its
reader between the two halves.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from participation.core.fragments import render_rows

from ..models import Expression

CARD = "consultations/partials/expression_card.html"
SUPPORT_SLOT = mark_safe("<!--moi-aussi-->")  # user text is escaped when drawn


@dataclass(frozen=True)
class Card:
    expression: Expression
    head: SafeString
    tail: SafeString


def expression_cards(expressions) -> list[Card]:
    """A ``Card`` per expression, in order: the page puts the reader's button between
    ``head`` and ``tail``."""
    expressions = list(expressions)
    rows = render_rows(CARD, expressions, name="expression", support_slot=SUPPORT_SLOT)
    cards = []
    for expression, row in zip(expressions, rows, strict=True):
        head, _, tail = row.partition(SUPPORT_SLOT)
        cards.append(Card(expression, mark_safe(head), mark_safe(tail)))  # noqa: S308 - ours
    return cards
