"""iCalendar feeds (RFC 5545) built with the ``icalendar`` library.

Each event keeps the same UID for ever (``evenement-<pk>@participation.auchel.fr``), so that
a calendar application updates it in place; a cancelled event stays in the feed with
``STATUS:CANCELLED`` so that subscribers see the cancellation instead of a silent removal.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vGeo

from .models import Evenement

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Commune d'Auchel//Participation Quartiers 2030//FR"


def _paris(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def _event_component(event: Evenement) -> Event:
    component = Event()
    component.add("uid", event.ical_uid)
    component.add("dtstamp", event.updated_at or timezone.now())
    component.add("last-modified", event.updated_at or timezone.now())
    component.add("dtstart", _paris(event.starts_at))
    component.add("dtend", _paris(event.ends_at))
    component.add("summary", event.title)
    description = event.description
    if event.is_cancelled and event.cancellation_reason:
        description = f"ANNULÉ : {event.cancellation_reason}\n\n{description}"
    if event.accessibility:
        description += f"\n\nAccessibilité : {event.accessibility}"
    description += f"\n\nOrganisé par : {event.organiser_name}"
    component.add("description", description.strip())
    location = ", ".join(part for part in (event.place_name, event.address) if part)
    component.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", vGeo((float(event.latitude), float(event.longitude))))
    component.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
    component.add("categories", [str(event.get_kind_display())])
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return component


def build_calendar(events, *, name: str) -> bytes:
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("x-published-ttl", "PT6H")
    years = [_paris(event.starts_at).year for event in events] or [timezone.localdate().year]
    # Declared even when the feed is empty, so that subscribers' applications know it.
    calendar.add_component(
        Timezone.from_tzid(
            "Europe/Paris",
            first_date=dt.date(min(years) - 1, 1, 1),
            last_date=dt.date(max(years) + 2, 1, 1),
        )
    )
    for event in events:
        calendar.add_component(_event_component(event))
    return calendar.to_ical()


def feed_events(queryset=None):
    """What a feed holds: the last year and everything to come, cancelled ones included,
    drafts never."""
    since = timezone.now() - dt.timedelta(days=365)
    queryset = queryset if queryset is not None else Evenement.objects.all()
    return queryset.public().filter(ends_at__gte=since).order_by("starts_at", "pk")
