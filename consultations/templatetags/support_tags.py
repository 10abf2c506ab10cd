"""« Moi aussi » under an expression (``expressions.cards.support_button``), and what sharing
it sends."""

from django import template
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..expressions.cards import support_button as draw

register = template.Library()


@register.simple_tag(takes_context=True)
def support_button(context, expression, supported=None):
    """The reader's button; ``supported`` if known, else whether the page's
    ``supported_ids`` hold the expression."""
    if supported is None:
        supported = expression.pk in (context.get("supported_ids") or ())
    return draw(expression, context["request"], supported=bool(supported))


@register.simple_tag
def share_message(expression) -> str:
    """What « Le faire savoir » sends before the expression's address: plain text (each place
    it goes escapes or encodes it)."""
    return _("%(heading)s : « %(text)s » Vous aussi ? Dites « moi aussi » :") % {
        "heading": expression.public_heading,
        "text": Truncator(" ".join(expression.text.split())).words(30),
    }
