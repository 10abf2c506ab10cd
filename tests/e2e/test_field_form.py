"""The field form (with network): a field entry for an event takes its type and its quartier.

At today's permanence in a quartier that is not the first of the list, the mediator picks the
event among « Aujourd'hui », the first group: the type of meeting becomes « permanence de
médiation » and the quartier the event's, its objectives are shown, a polite live region says
so, and the expression is stored with them (issue 17, point 5; review §4).
"""

import json

import pytest
from django.conf import settings

from .helpers import assert_page_is_sound
from .journey_helpers import todays_event_in_the_last_quartier

pytestmark = pytest.mark.e2e

EMAIL = "saisie.terrain.e2e@example.org"
PASSWORD = "un-mot-de-passe-saisie-2030"
TEXT = "Les habitants demandent un banc devant la maison de quartier."


def test_a_field_entry_for_an_event_takes_its_type_and_quartier(page_as, live_platform):
    live_platform.create_user(
        EMAIL,
        PASSWORD,
        role="mediateur",
        display_name="Karim",
        totp_secret=settings.DEMO_TOTP_SECRET,
    )
    quartier = todays_event_in_the_last_quartier(
        live_platform, title="Permanence saisie e2e", kind="permanence", place="Maison de quartier"
    )
    page = page_as(EMAIL, PASSWORD, settings.DEMO_TOTP_SECRET)
    page.goto("/expressions/terrain/")
    form = page.locator("form[data-expression-form]")
    evenement = form.get_by_label("Événement où ces paroles ont été recueillies")
    source = form.get_by_label("Type de rencontre")
    quartier_select = form.locator("select[name=quartier]")

    # Nothing is guessed before the event is chosen; today's events come first.
    assert source.input_value() == "" and quartier_select.input_value() == ""
    first_group = evenement.locator("optgroup").first
    assert first_group.get_attribute("label") == "Aujourd'hui"
    label = first_group.locator("option", has_text="Permanence saisie e2e").inner_text()

    evenement.select_option(label=label)

    assert source.input_value() == "permanence"
    assert quartier_select.input_value() == str(quartier["pk"])
    note = form.locator("[data-event-defaults]")
    assert note.get_attribute("role") == "status"
    assert note.inner_text() == (
        f"Repris de l'événement : type de rencontre « permanence de médiation », "
        f"quartier {quartier['name']}."
    )
    # Its objectives are shown, in place.
    assert form.locator("[data-quartier-name]").inner_text() == quartier["name"]
    assert form.locator("#objectifs-aide").is_visible()
    assert_page_is_sound(page)

    form.get_by_label("Ce qui a été dit").fill(TEXT)
    with page.expect_navigation():
        form.get_by_role("button", name="Enregistrer ce message").click()
    assert "Enregistré (n°" in page.locator("main").inner_text()

    stored = json.loads(
        live_platform.shell(
            "import json\n"
            "from consultations.models import Expression\n"
            f"e = Expression.objects.get(recorded_by__email={EMAIL!r})\n"
            "print(json.dumps({'source': e.source, 'quartier': e.quartier.slug,"
            " 'event': e.evenement.title, 'text': e.text}))\n"
        )
    )
    assert stored == {
        "source": "permanence",
        "quartier": quartier["slug"],
        "event": "Permanence saisie e2e",
        "text": TEXT,
    }
