"""Live arrivals in the moderation queue: what an open page is told of an expression that
enters the queue (quartier, first words, the values of the queue's filters), and what the
page gives its script to say where it belongs (its filters, where the new ones are shown,
the count of its view). The browser side is tests/e2e/test_moderation_arrivals.py."""

import html
import json
import re

import pytest

from consultations import changes
from consultations.expressions import services
from consultations.models import Source, Status
from consultations.moderation import queue as moderation_queue
from consultations.moderation.filters import ModerationFilter
from consultations.moderation.views.queue import PAGE_SIZE
from tests.consultations.factories import ConsultationFactory, ExpressionFactory
from tests.factories import UserFactory
from tests.queries import page_queries as queries

from .factories import EtiquetteFactory

QUEUE = "/moderation/"
COUNTER = "/moderation/compteur/"


def arrivals_of(live_events, expression) -> list[dict]:
    return [
        event
        for group, event in live_events
        if group == "moderation" and event["id"] == expression.pk
    ]


@pytest.mark.django_db
def test_a_new_expression_is_announced_with_its_quartier_and_first_words_as_plain_text(
    alice_in_rimbart, rimbart, live_events, django_capture_on_commit_callbacks
):
    text = (
        "<b>Le lampadaire</b> devant l'école\r\nest éteint depuis une semaine "
        "et les enfants rentrent dans le noir chaque soir."
    )
    with django_capture_on_commit_callbacks(execute=True):
        expression, _created = services.submit(author=alice_in_rimbart, quartier=rimbart, text=text)

    (event,) = arrivals_of(live_events, expression)
    assert event["type"] == "expression.submitted"
    arrival = event["arrival"]
    assert arrival["quartier"] == "Rimbart"
    # Plain text on one line, cut after a dozen words: the page puts it in as text, so
    # markup stays visible as typed and is never escaped twice or read as HTML.
    assert arrival["excerpt"] == (
        "<b>Le lampadaire</b> devant l'école est éteint depuis une semaine et les enfants…"
    )
    # Nothing of the author: no more than the queue's row shows.
    assert set(arrival) == {"quartier", "excerpt", "filters"}
    assert "alice" not in json.dumps(event).lower()


@pytest.mark.django_db
def test_a_report_is_an_arrival_only_when_the_expression_was_not_waiting_already(
    alice, bob, rimbart, live_events, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(quartiers=[rimbart], slug="ete-2026")
    expression = ExpressionFactory(
        author=alice, quartier=rimbart, consultation=consultation, status=Status.PUBLIEE
    )
    tag = EtiquetteFactory(name="éclairage")
    tag.expressions.add(expression)

    with django_capture_on_commit_callbacks(execute=True):
        services.report(expression, reporter=bob, reason="autre")
        services.report(expression, reporter=UserFactory(), reason="autre")

    first, second = arrivals_of(live_events, expression)
    assert first["type"] == second["type"] == "expression.reported"
    assert first["arrival"]["filters"] == {
        "quartier": "rimbart",
        "source": Source.EN_LIGNE,
        "consultation": "ete-2026",
        "etiquette": [str(tag.pk)],
    }
    # The second report adds nothing to the queue: the pages refresh the row, count nothing.
    assert "arrival" not in second


@pytest.mark.django_db
def test_each_filter_value_of_an_arrival_selects_the_expression_and_is_written_as_the_page_writes_it(
    alice, rimbart, cite5, mediateur
):
    consultation = ConsultationFactory(quartiers=[rimbart], slug="ete-2026")
    expression = ExpressionFactory(
        author=alice, quartier=rimbart, consultation=consultation, source=Source.STAND
    )
    EtiquetteFactory(name="éclairage").expressions.add(expression)

    values = changes.arrival(expression)["filters"]

    # Every filter of the queue, and only those: a new filter must say its value here.
    assert set(values) == set(ModerationFilter.base_filters)
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            page = ModerationFilter({name: one}, queryset=moderation_queue.queue(), user=mediateur)
            assert expression in page.qs, name
            assert page.active_values() == {name: one}, name
    elsewhere = ModerationFilter(
        {"quartier": cite5.slug}, queryset=moderation_queue.queue(), user=mediateur
    )
    assert elsewhere.active_values() == {"quartier": "cite-5"} != {"quartier": values["quartier"]}


@pytest.mark.django_db
def test_a_filter_the_page_did_not_understand_is_not_one_the_arrivals_are_matched_against(
    rimbart, mediateur
):
    page = ModerationFilter(
        {"quartier": "nulle-part", "source": Source.STAND, "etiquette": ""},
        queryset=moderation_queue.queue(),
        user=mediateur,
    )

    assert page.active_values() == {"source": Source.STAND}
    unfiltered = ModerationFilter(None, queryset=moderation_queue.queue(), user=mediateur)
    assert unfiltered.active_values() == {}


def _area(content: str) -> str:
    return re.search(r'<div class="arrivals".*?</div>\s*</div>', content, re.S).group(0)


@pytest.mark.django_db
def test_every_page_of_the_queue_has_an_empty_arrivals_area_that_knows_its_filters(
    client_for, mediateur, alice, rimbart
):
    ExpressionFactory(author=alice, quartier=rimbart)
    client = client_for(mediateur)

    content = client.get(f"{QUEUE}?vue=a-transmettre&quartier=rimbart&page=1").content.decode()

    area = _area(content)
    assert json.loads(html.unescape(re.search(r'data-filters="([^"]*)"', area).group(1))) == {
        "quartier": "rimbart"
    }
    # The new ones are at the end of the queue to moderate, with the same filters.
    assert 'data-new-url="?vue=a-moderer&amp;quartier=rimbart&amp;page=last"' in area
    assert 'data-count-query="vue=a-transmettre&amp;quartier=rimbart"' in content
    # A polite live region, empty: without JavaScript the page shows and says nothing more.
    assert (
        '<div role="status" aria-live="polite" data-arrivals-live><p class="arrivals-state" '
        'data-arrivals-state></p><ol class="arrivals-list" data-arrivals-list></ol></div>'
    ) in area
    assert '<p class="arrivals-summary" data-arrivals-summary></p>' in area


@pytest.mark.django_db
def test_page_last_is_where_the_newest_expression_is_shown(client_for, mediateur, alice, rimbart):
    expressions = [ExpressionFactory(author=alice, quartier=rimbart) for _ in range(PAGE_SIZE + 2)]
    client = client_for(mediateur)

    content = client.get(f"{QUEUE}?page=last").content.decode()

    assert "Page 2 sur 2" in content
    assert f'id="expression-{expressions[-1].pk}"' in content
    assert f'id="expression-{expressions[0].pk}"' not in content


@pytest.mark.django_db
def test_the_counter_gives_the_count_of_the_pages_view_and_filters_beside_the_headers(
    client_for, mediateur, alice, rimbart, cite5
):
    for quartier in (rimbart, rimbart, cite5):
        ExpressionFactory(author=alice, quartier=quartier)
    ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
    client = client_for(mediateur)

    assert client.get(COUNTER).json() == {"count": 3}
    assert client.get(f"{COUNTER}?vue=a-moderer").json() == {"count": 3, "view": 3}
    assert client.get(f"{COUNTER}?vue=a-moderer&quartier=rimbart").json() == {
        "count": 3,
        "view": 2,
    }
    assert client.get(f"{COUNTER}?vue=a-transmettre&quartier=rimbart").json() == {
        "count": 3,
        "view": 1,
    }


@pytest.mark.django_db
def test_the_filtered_counter_runs_the_same_queries_for_2_or_40_expressions(
    client_for, mediateur, alice, rimbart
):
    tag = EtiquetteFactory(name="éclairage")
    url = f"{COUNTER}?vue=a-moderer&quartier=rimbart&etiquette={tag.pk}"
    client = client_for(mediateur)

    def grow(count):
        for _ in range(count):
            tag.expressions.add(ExpressionFactory(author=alice, quartier=rimbart))

    grow(2)
    few = queries(client, url)
    grow(38)

    assert queries(client, url) == few
    assert client.get(url).json()["view"] == 40
