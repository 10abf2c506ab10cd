"""Finding events: list, month calendar, map, event page, iCalendar feeds."""

import calendar as month_calendar
import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from participation.core.pagecache import cache_for_anonymous
from participation.core.pagination import page_counted_along
from participation.core.posters import poster_context
from participation.territory.models import Objectif, Quartier

from .. import undo
from ..calendars import build_calendar, feed_events
from ..cards import CARD_FIELDS, event_cards
from ..filters import EvenementFilter, mine_first
from ..forms import RegistrationForm
from ..models import Evenement, Inscription
from ..rules import can_manage_event, can_manage_events, managed_events

PAGE_SIZE = 20


def list_queryset():
    return Evenement.objects.public().prefetch_related(
        Prefetch("quartiers", queryset=Quartier.objects.only("slug", "short_name", "name"))
    )


def _filtered(request, queryset, data=None):
    # Always bound, so that « upcoming only » applies without any filter too.
    return EvenementFilter(data if data is not None else request.GET, queryset=queryset)


def _my_statuses(request, events) -> dict[int, str]:
    if not request.user.is_authenticated or not events:
        return {}
    return dict(
        Inscription.objects.filter(user=request.user, evenement__in=[e.pk for e in events])
        .exclude(status=Inscription.Status.ANNULEE)
        .values_list("evenement_id", "status")
    )


@cache_for_anonymous
@require_GET
def event_list(request):
    filterset = _filtered(request, list_queryset())
    queryset = filterset.qs.only(*CARD_FIELDS)
    if not filterset.form.is_bound or not filterset.form.cleaned_data.get("quartier"):
        queryset = mine_first(queryset, request.user)
    page = page_counted_along(queryset, PAGE_SIZE, request.GET.get("page"))
    events = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evenements/list.html",
        {
            "filter": filterset,
            "page": page,
            "events": events,
            "cards": event_cards(events, statuses=_my_statuses(request, events)),
            "query": query.urlencode(),
            "can_manage": can_manage_events(request.user),
        },
    )


@cache_for_anonymous
@require_GET
def calendar_month(request, year=None, month=None):
    today = timezone.localdate()
    year, month = year or today.year, month or today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first_day, last_day = weeks[0][0], weeks[-1][-1]
    data = request.GET.copy()
    data.pop("du", None)
    data.pop("au", None)
    data["du"], data["au"] = first_day.isoformat(), last_day.isoformat()
    filterset = _filtered(request, list_queryset(), data)
    by_day: dict[dt.date, list] = {}
    for event in filterset.qs.order_by("starts_at", "pk"):
        day = max(timezone.localtime(event.starts_at).date(), first_day)
        end = min(timezone.localtime(event.ends_at).date(), last_day)
        while day <= end:
            by_day.setdefault(day, []).append(event)
            day += dt.timedelta(days=1)
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = dt.date(year, month, 28) + dt.timedelta(days=7)
    query = request.GET.copy()
    for key in ("du", "au", "page"):
        query.pop(key, None)
    return render(
        request,
        "evenements/calendar.html",
        {
            "filter": filterset,
            "month": dt.date(year, month, 1),
            "weeks": [
                [(day, day.month == month, by_day.get(day, [])) for day in week] for week in weeks
            ],
            "today": today,
            "previous": previous,
            "following": following,
            "query": query.urlencode(),
        },
    )


@cache_for_anonymous
@require_GET
def event_map(request):
    filterset = _filtered(request, list_queryset())
    events = list(filterset.qs.order_by("starts_at", "pk")[:200])
    query = request.GET.copy()
    return render(
        request,
        "evenements/map.html",
        {
            "filter": filterset,
            "events": events,
            "located": [e for e in events if e.latitude is not None],
            "tile_url": settings.MAP_TILE_URL,
            "query": query.urlencode(),
        },
    )


def detail_queryset_with_drafts():
    """The event page's query, drafts included (for the staff's « Aperçu »)."""
    return (
        Evenement.objects.all()
        .select_related("series")
        .prefetch_related(
            "quartiers",
            Prefetch("objectifs", queryset=Objectif.objects.select_related("enjeu", "quartier")),
        )
    )


def detail_queryset():
    return detail_queryset_with_drafts().public()


def render_detail(request, event, *, form=None, offer_waiting=False, status=200, preview=False):
    """The event page; with ``preview``, a draft as the public will see it (staff only)."""
    inscription = undoable = None
    waiting_rank = None
    if request.user.is_authenticated:
        mine = (
            Inscription.objects.filter(evenement=event, user=request.user)
            .filter(~Q(status=Inscription.Status.ANNULEE) | undo.undoable_q(request))
            .first()
        )
        if mine is not None and mine.status == Inscription.Status.ANNULEE:
            undoable = mine  # cancelled a moment ago: she may take it back
        else:
            inscription = mine
        if inscription and inscription.status == Inscription.Status.ATTENTE:
            waiting_rank = (
                Inscription.objects.filter(
                    evenement=event,
                    status=Inscription.Status.ATTENTE,
                    requested_at__lt=inscription.requested_at,
                ).count()
                + 1
            )
    manage = can_manage_event(request.user, event)
    return render(
        request,
        "evenements/detail.html",
        {
            "event": event,
            "inscription": inscription,
            "undoable": undoable,
            "waiting_rank": waiting_rank,
            "form": form or RegistrationForm(),
            "offer_waiting": offer_waiting or event.is_full,
            "can_manage": manage,
            "preview": preview,
            "feed_url": reverse("evenements:feed_event", kwargs={"pk": event.pk}),
        },
        status=status,
    )


@cache_for_anonymous
@require_GET
def event_detail(request, pk):
    event = detail_queryset().filter(pk=pk).first()
    if event is None:
        # A draft is for no one's eyes but the staff's, who are shown its preview.
        if managed_events(request.user, Evenement.objects.drafts()).filter(pk=pk).exists():
            return redirect("evenements:preview", pk=pk)
        raise Http404
    return render_detail(request, event)


@cache_for_anonymous
@require_GET
def event_poster(request, pk):
    """An A4 poster of the event to print and put up (a hall, a shop, a school): what, when,
    where, how to come, a QR code to its page, and the mediation's phone for whoever has no
    Internet. A cancelled event's poster says so first; a draft has none."""
    event = get_object_or_404(
        Evenement.objects.public().prefetch_related(
            Prefetch("quartiers", queryset=Quartier.objects.only("slug", "name"))
        ),
        pk=pk,
    )
    path = event.get_absolute_url()
    context = {
        "event": event,
        **poster_context(path, back_url=path, quartiers=list(event.quartiers.all())),
    }
    return render(request, "evenements/poster.html", context)


# --- iCalendar feeds --------------------------------------------------------------


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response


@cache_for_anonymous
@require_GET
def feed_all(request):
    content = build_calendar(feed_events(), name=_("Événements — Quartiers 2030 Auchel"))
    return _ics(content, "evenements-auchel.ics")


@cache_for_anonymous
@require_GET
def feed_quartier(request, slug):
    quartier = get_object_or_404(Quartier, slug=slug)
    events = feed_events(Evenement.objects.public().filter(quartiers=quartier))
    content = build_calendar(
        events, name=_("Événements — %(quartier)s") % {"quartier": quartier.short_name}
    )
    return _ics(content, f"evenements-{quartier.slug}.ics")


@cache_for_anonymous
@require_GET
def feed_event(request, pk):
    event = get_object_or_404(Evenement.objects.public(), pk=pk)
    return _ics(build_calendar([event], name=event.title), f"evenement-{event.pk}.ics")
