"""Field mode in Chromium for a mediator given communes (issue 18, point 4): the quartiers
offered are those of her communes only, from the referential the page keeps for offline use."""

import pytest
from django.conf import settings

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

EMAIL = "terrain.commune-b.e2e@example.org"
PASSWORD = "un-mot-de-passe-terrain-b-2030"


@pytest.fixture
def mediator_of_b(page_as, live_platform):
    live_platform.create_user(
        EMAIL,
        PASSWORD,
        role="mediateur",
        display_name="Bastien",
        totp_secret=settings.DEMO_TOTP_SECRET,
    )
    live_platform.shell(
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Agglomeration, Commune, Quartier\n"
        "commune = Commune.objects.create(name='Lozinghem e2e', slug='lozinghem-e2e',"
        " agglomeration=Agglomeration.objects.first())\n"
        "quartier = Quartier.objects.create(code='QP E2E B', slug='cite-b-e2e',"
        " name='Cité B e2e', short_name='Cité B e2e', status='QPV', commune=commune,"
        " population=1000, surface_ha=10, position=99)\n"
        "quartier.communes.set([commune])\n"
        f"User.objects.get(email={EMAIL!r}).communes.set([commune])\n"
    )
    yield page_as(EMAIL, PASSWORD, settings.DEMO_TOTP_SECRET)
    # The live platform is shared by the other journeys: the second commune leaves with us.
    live_platform.shell(
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Commune, Quartier\n"
        f"User.objects.filter(email={EMAIL!r}).delete()\n"
        "Quartier.objects.filter(slug='cite-b-e2e').delete()\n"
        "Commune.objects.filter(slug='lozinghem-e2e').delete()\n"
    )


def test_the_field_mode_offers_only_the_quartiers_of_the_mediators_communes(mediator_of_b):
    page = mediator_of_b
    assert page.goto("/terrain/").status == 200
    page.wait_for_selector("[data-terrain][data-ready]", state="attached", timeout=15_000)
    page.wait_for_function("() => document.querySelectorAll('#terrain-quartier option').length > 1")

    offered = page.locator("#terrain-quartier option").all_inner_texts()

    assert offered[1:] == ["Cité B e2e"]
    assert_page_is_sound(page)
