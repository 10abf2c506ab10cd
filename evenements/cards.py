"""The event cards of the lists and blocks, drawn once per content.

``_event_card.html`` shows the event's row (its places taken, its quartiers) and two things
about the reader that ride on the event as plain values: ``in_my_quartier`` (annotated by
``filters.mine_first``) and ``card_status`` (her registration). ``render_rows`` keys each
card by all of it, so a card never shows another reader's status or an old state.
"""

from django.utils.safestring import SafeString

from participation.core.fragments import render_rows

ROW = "evenements/_event_row.html"
# The columns a card shows (with the quartiers prefetched), for ``.only()``: the long texts
# of an event (description, directions…) are never read for it.
CARD_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place_name",
    "status",
    "registration_required",
    "capacity",
    "places_taken",
)


def event_cards(events, *, level: int = 3, statuses: dict | None = None) -> list[SafeString]:
    events = list(events)
    for event in events:
        event.card_status = (statuses or {}).get(event.pk)
    return render_rows(ROW, events, name="event", level=level)
