"""The cards of the public lists of expressions, drawn once per content.

A card (``partials/expression_card.html``) shows what the expression's row holds and
nothing about the reader: it is drawn by ``render_rows`` (keyed by everything it is drawn
from) and cut where the reader's « moi aussi » goes; the page draws that button for its
reader between the two halves.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from participation.core.fragments import render_rows
from participation.core.urls_fast import reverse_pk

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


TAKE_BACK = mark_safe('<input type="hidden" name="action" value="retirer">\n')


def _page_parts(request) -> dict:
    """What every « moi aussi » of a page shares, made once per request (its form's CSRF
    field too, by ``_csrf_field``)."""
    parts = getattr(request, "_support_parts", None)
    if parts is None:
        path = request.get_full_path()
        parts = request._support_parts = {
            "login": format_html("{}?next={}", reverse("account_login"), quote(path, safe="/")),
            "path": path,
            "moi_aussi": gettext("Moi aussi"),
            "sign_in": gettext("(connectez-vous pour le dire)"),
            "take_back": gettext("— vous l'avez dit ; appuyez pour le retirer"),
            "say_it": gettext("personnes le disent aussi"),
        }
    return parts


def _csrf_field(request, parts: dict) -> SafeString:
    """The page's CSRF field, made once for all its forms, as ``{% csrf_token %}`` is once
    per template: each call of ``get_token`` masks the secret again with fresh random
    characters, 20 times on the expression search (11 % of its instructions for a signed-in
    reader, docs/performance.md). Never for an anonymous reader: it would set the CSRF
    cookie on pages the page cache keeps."""
    field = parts.get("csrf")
    if field is None:
        field = parts["csrf"] = csrf_input(request)
    return field


def support_button(expression, request, *, supported: bool) -> SafeString:
    """« Moi aussi » under an expression, for the reader of ``request``: a sign-in link, the
    count for its author, or a form (it works without JavaScript) to say it or take it back.

    Drawn in Python rather than by a template, what the page's buttons share made once: a
    list draws one per card, and the template engine cost a fifth of the expression search
    for its 20 buttons (docs/performance.md)."""
    parts = _page_parts(request)
    count = localize(expression.supports_count)
    user = request.user
    if not user.is_authenticated:
        return format_html(
            '<a class="button-support" href="{}">{} <span class="support-count">{}</span>'
            '<span class="visually-hidden"> {}</span></a>',
            parts["login"],
            parts["moi_aussi"],
            count,
            parts["sign_in"],
        )
    if expression.author_id == user.pk:
        said = ngettext(
            "%(counter)s personne a dit « moi aussi »",
            "%(counter)s personnes ont dit « moi aussi »",
            expression.supports_count,
        )
        return format_html('<p class="support-total">{}</p>', said % {"counter": count})
    return format_html(
        '<form method="post" action="{}" class="support-form">\n{}\n'
        '<input type="hidden" name="next" value="{}#expression-{}-titre">\n{}'
        '<button type="submit" class="button-support{}" aria-pressed="{}">{}{} '
        '<span class="support-count">{}</span><span class="visually-hidden"> {}</span>'
        "</button>\n</form>",
        reverse_pk("consultations:expression_support", expression.pk),
        _csrf_field(request, parts),
        parts["path"],
        expression.pk,
        TAKE_BACK if supported else "",
        " is-supported" if supported else "",
        "true" if supported else "false",
        parts["moi_aussi"],
        " ✓" if supported else "",
        count,
        parts["take_back"] if supported else parts["say_it"],
    )
