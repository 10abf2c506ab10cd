"""The events' filter form (list, calendar, map) is drawn once per content: from its options as
read, the values sent, their errors and the page's options. What one reader chose, or a
renamed quartier, never shows to the next reader as it was."""

import re

import pytest

from participation.territory.models import Quartier
from tests.factories import QuartierFactory

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', html)


def test_a_renamed_quartier_shows_in_the_select_at_once(client):
    quartier = QuartierFactory(slug="rimbart", name="Rimbart")
    page(client, "/evenements/")

    # Even without ``save()`` (an import, an update in bulk): the drawing follows what is read.
    Quartier.objects.filter(pk=quartier.pk).update(name="Rimbart – Cité 6")

    assert '<option value="rimbart">Rimbart – Cité 6</option>' in page(client, "/evenements/")


def test_what_one_reader_chose_is_not_shown_to_the_next(client):
    QuartierFactory(slug="rimbart", name="Rimbart")
    chosen = page(client, "/evenements/?quartier=rimbart&type=stand&ouvert=on")
    assert selected(chosen) == ["rimbart", "stand"]
    assert 'name="ouvert" id="id_ouvert" checked' in chosen

    fresh = page(client, "/evenements/")
    assert selected(fresh) == ["", ""]
    assert "checked" not in fresh.split('name="ouvert"', 1)[1].split(">", 1)[0]


def test_an_impossible_filter_says_why_every_time(client):
    for _ in range(2):
        html = page(client, "/evenements/?quartier=atlantide&du=2026-13-45")
        assert "Ce quartier n&#x27;existe pas." in html or "Ce quartier n'existe pas." in html
        assert "Date impossible" in html
        assert 'value="2026-13-45"' in html

    assert "Ces filtres sont impossibles" not in page(client, "/evenements/")


def test_the_calendar_keeps_its_own_form(client):
    QuartierFactory(slug="rimbart", name="Rimbart")
    assert 'name="du"' in page(client, "/evenements/?quartier=rimbart")

    calendar = page(client, "/evenements/calendrier/?quartier=rimbart")
    assert 'name="du"' not in calendar
    assert 'name="ouvert"' not in calendar
    assert selected(calendar) == ["rimbart", ""]


def test_whatever_is_sent_the_selects_are_kept_under_few_keys(client, kept_fragments):
    """Anyone can send any value: only what the selects show (no choice, in error or not)
    makes a key, so that random values and dates cannot fill the cache."""
    QuartierFactory(slug="rimbart", name="Rimbart")

    for n in range(1, 4):
        page(client, f"/evenements/?quartier=inconnu-{n}&type=autre-{n}&x={n}")
        page(client, f"/evenements/?du=2026-0{n}-01&au=2026-0{n}-28&x={n}")

    assert len(kept_fragments) == 2


def fold(html: str) -> str:
    """The filter's <details> tag and its summary."""
    return re.search(r"<details class=\"filter-fold\"[^>]*>\s*<summary>.*?</summary>", html, re.S)[
        0
    ]


def test_on_a_phone_the_filter_is_folded_and_its_summary_says_what_is_chosen(client):
    """UX review #12: the filter filled a phone's first screen before any event; folded, the
    results come first (js/fold.js opens it on a wider screen)."""
    QuartierFactory(slug="rimbart", name="Rimbart")

    assert fold(page(client, "/evenements/")) == (
        '<details class="filter-fold" data-open-wide>\n  <summary>Trouver un événement</summary>'
    )
    chosen = fold(page(client, "/evenements/?quartier=rimbart&type=stand"))
    assert chosen.startswith('<details class="filter-fold" data-open-wide>')
    assert '<span class="filter-chosen">(2 filtres choisis)</span>' in chosen
    # The calendar sets its own dates: they are not hers.
    calendar = fold(page(client, "/evenements/calendrier/?quartier=rimbart"))
    assert "(1 filtre choisi)" in calendar
    assert "js/fold" in page(client, "/evenements/carte/")


def test_an_impossible_filter_opens_the_fold_to_be_corrected(client):
    html = page(client, "/evenements/?quartier=atlantide")

    assert fold(html).startswith('<details class="filter-fold" data-open-wide open>')


def test_the_easy_read_page_keeps_the_filter_open_as_its_text_says(client):
    """« Choisissez votre quartier dans la liste plus bas » must find the list there."""
    client.get("/lecture-facile/?version=facile&next=/evenements/")

    html = page(client, "/evenements/")

    assert "Choisissez votre quartier dans la liste plus bas." in html.replace("&#x27;", "'")
    assert fold(html).startswith('<details class="filter-fold" data-open-wide open>')
