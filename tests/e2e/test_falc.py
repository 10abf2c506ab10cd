"""« Facile à lire » and « Écouter » in Chromium, behind nginx, with the page cache on.

A visitor clicks « Facile à lire » on the home page: the easy version follows her to the
events, « Comment ça marche » and the answers (every page passes axe, 320 px and a clean
console) until she clicks « Version habituelle ». A resident finds the form's help in easy
words. « Écouter » shows only where the browser has speech synthesis, and reads <main>.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_no_console_errors, assert_page_is_sound

pytestmark = pytest.mark.e2e

RESIDENT = "habitant@demo.auchel.fr"

# Speech synthesis as the page sees it, recorded: Chromium's own with speak() stubbed where it
# has one, else a stand-in with the same shape (headless Chromium may lack it or its voices).
SPEECH_RECORDER = """
window.__spoken = [];
window.__cancelled = 0;
if (!("speechSynthesis" in window)) {
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
  window.speechSynthesis = { speak: function () {}, cancel: function () {},
                             getVoices: function () { return []; } };
}
window.speechSynthesis.speak = function (utterance) {
  window.__spoken.push({ text: utterance.text, lang: utterance.lang });
};
window.speechSynthesis.cancel = function () { window.__cancelled += 1; };
"""


def click_link(page, name: str, *, within: str = "body") -> None:
    with page.expect_navigation():
        page.locator(within).get_by_role("link", name=name, exact=True).first.click()


def listen_button(page):
    return page.locator("button[data-listen]")


def test_the_easy_version_follows_the_visitor_from_page_to_page(page):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Votre quartier, votre avis, nos réponses")

    click_link(page, "Facile à lire", within=".reading-tools")
    assert page.url.endswith("/")
    expect(page.locator("h1")).to_have_text("Votre quartier, votre avis")
    expect(page.locator("body")).to_have_class("easy-read")
    expect(page.get_by_text("Un médiateur travaille pour la mairie.")).to_be_visible()
    assert_page_is_sound(page)

    click_link(page, "Événements", within=".main-nav")
    expect(page.get_by_text("Pour certaines rencontres, il faut s'inscrire.")).to_be_visible()
    expect(page.locator(".reading-tools")).to_contain_text("Version habituelle")
    assert_page_is_sound(page)

    click_link(page, "Comment ça marche", within=".main-nav")
    expect(page.locator("h1")).to_have_text("Comment ça marche ?")
    expect(page.get_by_text("Le contrat de ville est une promesse écrite.")).to_be_visible()
    assert_page_is_sound(page)

    click_link(page, "Vous avez dit, nous avons fait", within=".main-nav")
    expect(
        page.get_by_text("La mairie et ses partenaires ont parlé de ces avis en réunion.")
    ).to_be_visible()
    assert_page_is_sound(page)

    # Back to the usual version, on the page she was reading; the next one stays usual.
    click_link(page, "Version habituelle", within=".reading-tools")
    assert page.url.endswith("/vous-avez-dit-nous-avons-fait/")
    expect(page.locator("body")).not_to_have_class("easy-read")
    click_link(page, "Comment ça marche", within=".main-nav")
    expect(page.locator("h1")).to_have_text("Comment le contrat de ville est piloté")
    assert_page_is_sound(page)


def test_the_expression_form_explains_itself_in_easy_words(page_as):
    page = page_as(RESIDENT, settings.DEMO_PASSWORD)
    page.goto("/expressions/nouvelle/")
    expect(page.get_by_role("heading", name="Comment faire ?")).to_have_count(0)

    click_link(page, "Facile à lire", within=".reading-tools")
    assert page.url.endswith("/expressions/nouvelle/")
    expect(page.get_by_role("heading", name="Comment faire ?")).to_be_visible()
    expect(page.get_by_label("Tout le monde. Mon nom n'est pas écrit.")).to_be_checked()
    assert_page_is_sound(page)

    click_link(page, "Version habituelle", within=".reading-tools")
    expect(page.get_by_role("heading", name="Comment faire ?")).to_have_count(0)


def test_listen_is_offered_only_where_the_browser_can_speak(page):
    page.goto("/pilotage/")
    if page.evaluate("'speechSynthesis' in window"):
        expect(listen_button(page)).to_be_visible()
    else:
        expect(listen_button(page)).to_be_hidden()

    page.context.add_init_script("delete window.speechSynthesis;")
    page.goto("/pilotage/")
    assert page.evaluate("'speechSynthesis' in window") is False
    expect(listen_button(page)).to_be_hidden()
    assert_no_console_errors(page)


def test_listen_reads_the_main_text_in_french_and_stops(page):
    page.context.add_init_script(SPEECH_RECORDER)
    page.goto("/lecture-facile/?version=facile&next=/pilotage/")
    button = page.get_by_role("button", name="Écouter")
    expect(button).to_be_visible()
    assert_page_is_sound(page)

    button.click()
    expect(page.get_by_role("button", name="Arrêter")).to_be_visible()
    spoken = page.evaluate("window.__spoken")
    texts = [utterance["text"] for utterance in spoken]
    assert texts[0] == "Comment ça marche ?"
    assert "Le contrat de ville est une promesse écrite." in texts
    assert "Un médiateur est une personne qui travaille pour la mairie." in texts
    assert {utterance["lang"] for utterance in spoken} == {"fr-FR"}
    # The main text only: neither the header nor the footer.
    assert not any("Facile à lire" in t or "Version habituelle" in t for t in texts)
    assert not any("Mentions légales" in t for t in texts)

    page.get_by_role("button", name="Arrêter").click()
    expect(page.get_by_role("button", name="Écouter")).to_be_visible()
    assert page.evaluate("window.__cancelled") >= 2  # before reading, and to stop
    assert_no_console_errors(page)
