"""The staff page of an expression in a real browser: one form in the order of the work.
The mediator's « Publier » keeps the tags, the objective and the redaction made on the same
page; a refused redaction decides nothing, keeps the tags ticked and brings the page back
to the error; leaving with changes not saved is warned about, saving is not."""

import json
import re
import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, console_log

pytestmark = pytest.mark.e2e

MEDIATOR = "mediateur@demo.auchel.fr"
PASSWORD = "un-mot-de-passe-pour-2030"
PUBLISH = re.compile(r"^Publier")  # not « Ne pas publier »


def submitted_expression(live_platform) -> dict:
    """A resident's expression naming a neighbour, waiting; a tag and an objective to give it."""
    token = uuid.uuid4().hex[:8]
    author = f"moderation.form.{token}@example.org"
    live_platform.create_user(author, PASSWORD, display_name="Yvette")
    output = live_platform.shell(
        "import json\n"
        "from collections import Counter\n"
        "from consultations.expressions import services\n"
        "from consultations.models import Etiquette\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        "rimbart = Quartier.objects.get(slug='rimbart')\n"
        f"author = User.objects.get(email={author!r})\n"
        "expression, _ = services.submit(author=author, quartier=rimbart,"
        f" text='Formulaire {token} : Jean Dupont, au 12 rue des Tilleuls, brûle ses déchets.')\n"
        f"tag = Etiquette.objects.create(name='fumées {token}')\n"
        "labels = Counter(str(o) for o in rimbart.objectifs.all())\n"
        "objectif = next(o for o in rimbart.objectifs.all() if labels[str(o)] == 1)\n"
        "print(json.dumps({'pk': expression.pk, 'url': expression.get_absolute_url(),"
        " 'tag': tag.name, 'objectif': str(objectif)}))\n"
    )
    data = json.loads(output.strip().splitlines()[-1])
    data["redacted"] = f"Formulaire {token} : un voisin brûle ses déchets."
    return data


def assert_refused_page_is_sound(page) -> None:
    """``assert_page_is_sound`` for a form sent back to correct (HTTP 400): Chromium logs
    the document's own status as an error, which is no script's."""
    log = console_log(page)
    log.errors[:] = [e for e in log.errors if "status of 400 (Bad Request)" not in e]
    assert_page_is_sound(page)


def test_the_mediators_publish_keeps_the_tags_and_redaction_made_on_the_same_page(
    page_as, live_platform
):
    expression = submitted_expression(live_platform)
    staff_url = f"/moderation/expressions/{expression['pk']}/"
    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.goto(staff_url)
    assert_page_is_sound(page)

    # As a mediator works from the top: tick, redact, then the button that publishes.
    page.get_by_role("checkbox", name=expression["tag"], exact=True).check()
    page.get_by_role("checkbox", name=expression["objectif"], exact=True).check()
    page.get_by_label("Texte publié").fill(expression["redacted"])
    page.get_by_label("Ce qui a été retiré").fill("nom et adresse d'un voisin")
    with page.expect_navigation():
        page.get_by_role("button", name=PUBLISH).click()

    messages = page.locator(".messages")
    expect(messages).to_contain_text(f"L'expression n° {expression['pk']} est publiée")
    expect(messages).to_contain_text("Les étiquettes sont enregistrées")
    expect(messages).to_contain_text("Les objectifs sont enregistrés")
    assert page.url.endswith("/moderation/#contenu")

    page.goto(expression["url"])
    main = page.locator("main")
    expect(main).to_contain_text(expression["redacted"])
    expect(main).to_contain_text(expression["objectif"])
    expect(main).not_to_contain_text("Dupont")
    expect(main).not_to_contain_text("Tilleuls")

    page.goto(staff_url)
    expect(page.locator("h1 .status")).to_have_text(re.compile("publiée"))
    expect(page.get_by_role("checkbox", name=expression["tag"], exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=expression["objectif"], exact=True)).to_be_checked()


def test_an_invalid_redaction_keeps_the_tags_ticked_and_leaving_is_warned(page_as, live_platform):
    expression = submitted_expression(live_platform)
    staff_url = f"/moderation/expressions/{expression['pk']}/"
    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.goto(staff_url)
    tag = page.get_by_role("checkbox", name=expression["tag"], exact=True)
    tag.check()
    page.get_by_label("Texte publié").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name=PUBLISH).click()

    # Nothing decided; the page comes back at the error, beside the text to correct.
    assert page.url.endswith(f"{staff_url}#resultat")
    error = page.locator("#resultat")
    expect(error).to_contain_text("Texte publié")
    expect(error).to_be_in_viewport()
    expect(page.locator("h1 .status")).to_have_text(re.compile("soumise"))
    expect(tag).to_be_checked()
    assert_refused_page_is_sound(page)

    # Leaving now would lose the ticks: the browser asks first, and the mediator stays.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="File de modération").click()
    expect(page.get_by_label("Texte publié")).to_be_visible()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"{staff_url}#resultat")

    # Corrected and saved without deciding: no warning, back at the action with its message.
    page.get_by_label("Texte publié").fill(expression["redacted"])
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer sans décider").click()
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"{staff_url}#resultat")
    result = page.locator("#resultat")
    expect(result).to_contain_text("Le texte est modifié")
    expect(result).to_contain_text("Les étiquettes sont enregistrées")
    expect(result).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    expect(page.locator("h1 .status")).to_have_text(re.compile("soumise"))
    expect(tag).to_be_checked()
    assert_page_is_sound(page)
