"""A merge shows its preview: the mediator opens an expression, sees a likely duplicate
suggested under « Regrouper », chooses it, reads both side by side with what will happen,
confirms, and the merged expression points to the one it joined (which lists it)."""

import json
import re
import secrets
import string

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

MEDIATOR = "mediateur@demo.auchel.fr"
PASSWORD = "un-mot-de-passe-pour-2030"


def two_alike(live_platform) -> dict:
    """Two published expressions of Rimbart that say the same thing, by two residents."""
    # Letters only: a word the likely duplicates compare (digits are not words there).
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    authors = [f"regroupement.{token}.{n}@example.org" for n in (1, 2)]
    for n, email in enumerate(authors):
        live_platform.create_user(email, PASSWORD, display_name=f"Habitante {n + 1}")
    texts = [
        f"Rue {token} : les lampadaires sont éteints tous les soirs près de l'école.",
        f"Rue {token}, près de l'école, les lampadaires restent éteints le soir.",
    ]
    output = live_platform.shell(
        "import json\n"
        "from consultations.expressions import services\n"
        "from consultations.models import Status\n"
        "from consultations.transitions import change_status\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        "rimbart = Quartier.objects.get(slug='rimbart')\n"
        f"mediator = User.objects.get(email={MEDIATOR!r})\n"
        "pks = []\n"
        f"for email, text in zip({authors!r}, {texts!r}):\n"
        "    author = User.objects.get(email=email)\n"
        "    expression, _ = services.submit(author=author, quartier=rimbart, text=text)\n"
        "    change_status(expression, to=Status.PUBLIEE, actor=mediator,"
        " allowed=lambda user: True)\n"
        "    pks.append(expression.pk)\n"
        "print(json.dumps(pks))\n"
    )
    duplicate, kept = json.loads(output.strip().splitlines()[-1])
    return {"duplicate": duplicate, "kept": kept, "texts": texts}


def test_a_merge_shows_its_preview_before_it_is_confirmed(page_as, live_platform):
    alike = two_alike(live_platform)
    duplicate, kept = alike["duplicate"], alike["kept"]
    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.goto(f"/moderation/expressions/{duplicate}/")
    assert_page_is_sound(page)

    # The likely duplicate is offered under « Regrouper »; choosing it merges nothing yet.
    merge = page.locator("#regrouper")
    suggestion = merge.get_by_role("radio", name=re.compile(rf"^n° {kept}, publiée"))
    expect(suggestion).to_be_visible()
    suggestion.check()
    with page.expect_navigation():
        merge.get_by_role("button", name="Regrouper", exact=True).click()

    assert page.url.endswith(f"/moderation/expressions/{duplicate}/regrouper/{kept}/#contenu")
    expect(page.locator("h1")).to_have_text(f"Regrouper la n° {duplicate} avec la n° {kept} ?")
    leaving, staying = page.locator(".merge-side").all()
    expect(leaving).to_contain_text(f"N° {duplicate} : sera regroupée")
    expect(leaving).to_contain_text(alike["texts"][0])
    expect(leaving).to_contain_text("Habitante 1")
    expect(staying).to_contain_text(f"N° {kept} : reste")
    expect(staying).to_contain_text(alike["texts"][1])
    expect(staying).to_contain_text("Habitante 2")
    happens = page.locator("#consequences")
    expect(happens).to_contain_text("comptera 1 « moi aussi » : 1 de plus")
    expect(happens).to_contain_text(f"L'auteur·rice de la n° {duplicate} est prévenu·e")
    assert_page_is_sound(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le regroupement").click()

    assert page.url.endswith(f"/moderation/expressions/{duplicate}/#resultat")
    expect(page.locator("#resultat")).to_contain_text(
        f"L'expression n° {duplicate} est regroupée avec la n° {kept}"
    )
    expect(page.locator("h1 .status")).to_have_text(re.compile("fusionnée"))
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Regroupée avec")
    joined = facts.get_by_role("link", name=f"l'expression n° {kept}", exact=True)
    expect(joined).to_be_visible()
    assert_page_is_sound(page)

    with page.expect_navigation():
        joined.click()
    kept_facts = page.locator(".facts")
    expect(kept_facts).to_contain_text("Expressions regroupées ici")
    expect(kept_facts.get_by_role("link", name=f"n° {duplicate}", exact=True)).to_be_visible()
