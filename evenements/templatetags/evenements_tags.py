from django import template

from ..services import when_label

register = template.Library()


@register.filter
def when(event) -> str:
    """« samedi 5 décembre 2026, de 10:00 à 12:00 », in Europe/Paris."""
    return when_label(event)


@register.filter
def get_status(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    """``form|field:name``: the bound field, or None when the form has no such field."""
    return form[name] if name in form.fields else None
