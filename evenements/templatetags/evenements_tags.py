from django import template
from django.template.loader import render_to_string

from participation.core.fragments import render_fragment
from participation.core.selects import shown_choices

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


@register.simple_tag
def event_filter_form(filterset, *, reset_url="", hide_dates=False, hide_open=False):
    """The events' filter form (list, calendar, map), drawn once per content: from its
    options as read, the values sent, their errors and the page's options, nothing else.
    Its problems, when the filters are impossible, follow it."""
    form = filterset.form
    sent = sorted((name, values) for name, values in dict(form.data).items() if name != "page")
    errors = sorted(
        (name, [str(error) for error in errors]) for name, errors in form.errors.items()
    )
    options = {"reset_url": reset_url, "hide_dates": hide_dates, "hide_open": hide_open}
    drawn = render_fragment(
        "evenements/_filter_form.html",
        {"filter": filterset, **options},
        material=(shown_choices(form), sent, form.is_bound, errors, sorted(options.items())),
    )
    if not errors:
        return drawn
    return drawn + render_to_string("evenements/_filter_messages.html", {"filter": filterset})
