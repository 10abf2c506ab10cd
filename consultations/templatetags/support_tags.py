"""« Moi aussi » under an expression (``expressions.cards.support_button``)."""

from django import template

from ..expressions.cards import support_button as draw

register = template.Library()


@register.simple_tag(takes_context=True)
def support_button(context, expression, supported=None):
    """The reader's button; ``supported`` if known, else whether the page's
    ``supported_ids`` hold the expression."""
    if supported is None:
        supported = expression.pk in (context.get("supported_ids") or ())
    return draw(expression, context["request"], supported=bool(supported))
