from django import template
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from participation.core.fragments import render_fragment
from participation.core.selects import shown_selects

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


@register.simple_tag(takes_context=True)
def event_filter_form(context, filterset, *, reset_url="", hide_dates=False, hide_open=False):
    """The events' filter form (list, calendar, map). Its two selects, most of its cost, are
    drawn once per content (``core.selects.shown_selects``); the dates, the box and the
    reasons of an impossible filter are drawn each time."""
    selects = render_fragment(
        "evenements/_filter_selects.html",
        {"filter": filterset},
        material=shown_selects(filterset.form, ("quartier", "type")),
    )
    shown = ["quartier", "type"]
    shown += [] if hide_dates else ["du", "au"]
    shown += [] if hide_open else ["ouvert"]
    options = {
        "reset_url": reset_url,
        "hide_dates": hide_dates,
        "hide_open": hide_open,
        # What its folded summary says, and whether it opens by itself: a filter to correct,
        # or the easy-read page, whose text says to choose in the list below.
        "chosen": sum(1 for name in shown if filterset.form.data.get(name)),
        "open": bool(context.get("easy_read") or filterset.filter_messages()),
    }
    return render_to_string(
        "evenements/_filter_form.html", {"filter": filterset, "selects": selects, **options}
    )


@register.simple_tag
def share_message(event) -> str:
    """What « Faire venir ses voisins » sends before the event's address: plain text (each
    place it goes escapes or encodes it)."""
    return _("%(title)s — %(when)s, %(place)s. Venez dire ce que vous pensez du quartier :") % {
        "title": event.title,
        "when": when_label(event),
        "place": event.place_name,
    }
