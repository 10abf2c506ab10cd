"""Two communes on one platform (issue 18, point 4), end to end.

Auchel's convention comes from the shipped files; a second commune (Bruay-La-Buissière)
is loaded from its file through the référent's import page. Each commune gets its own
staff. Bruay's référent and mediator then walk every page their navigation leads to, two
links deep, and read nothing of Auchel's non-public work; Auchel's mediator reads nothing
of Bruay's; a mediator of Marles-les-Mines, one of the communes of the intercommunal Cité 5,
sees what was said in Cité 5 and nothing of Rimbart.
"""

from __future__ import annotations

import copy
import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from consultations.models import Status, Transmission, Visibility
from participation.accounts.models import Role
from participation.territory.exchange import dumps, export_document
from participation.territory.models import Commune, Quartier
from tests.consultations.committee.factories import InstanceFactory, SeanceFactory, on_agenda
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory
from tests.factories import UserFactory
from tests.security.crawl import DESTRUCTIVE, NOT_PAGES, parameterless_paths

START = ["/gestion/", "/moderation/", "/comite/", "/evenements/gestion/", "/expressions/"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def walk(client, *, depth: int = 2, limit: int = 400) -> dict[str, str]:
    """Every page reached from the site's parameterless routes and ``START``, ``depth``
    links down: {path: what it showed} (HTML, CSV and JSON as text)."""
    seen: dict[str, str] = {}
    level = [*START, *parameterless_paths()]
    for _ in range(depth + 1):
        following: list[str] = []
        for path in level:
            if path in seen or len(seen) >= limit:
                continue
            response = client.get(path)
            kind = response.get("Content-Type", "")
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
            text = body.decode("utf-8", "replace") if response.status_code == 200 else ""
            seen[path] = text if any(k in kind for k in ("html", "csv", "json", "text")) else ""
            if "html" not in kind:
                continue
            parser = _Links()
            parser.feed(text)
            for href in parser.links:
                link = urlsplit(urljoin(path, href))
                if link.netloc or link.scheme not in {"", "http", "https"}:
                    continue
                target = link.path + (f"?{link.query}" if link.query else "")
                if DESTRUCTIVE.search(link.path) or NOT_PAGES.search(link.path):
                    continue
                if link.path.startswith("/gestion/admin/"):
                    continue
                following.append(target)
        level = following
    return seen


def leaks(pages: dict[str, str], secrets: list[str]) -> list[str]:
    return [
        f"{path} shows {secret!r}"
        for path, text in pages.items()
        for secret in secrets
        if secret in text
    ]


@pytest.fixture
def platform(db, client_for):
    """Auchel from the shipped files, Bruay from its file, each with its staff and work."""
    call_command("load_referentiel", stdout=io.StringIO())
    auchel = Commune.objects.get(slug="auchel")
    platform_referent = UserFactory(email="agglo@example.org", role=Role.REFERENT)

    # Bruay's convention, as its référent would send it: one quartier of its own.
    document = copy.deepcopy(export_document(auchel))
    document["commune"] = {"slug": "bruay-la-buissiere", "nom": "Bruay-La-Buissière"}
    document["communes_associees"] = []
    document["quartiers"] = [document["quartiers"][0]]
    document["quartiers"][0].update(
        code="QP 06 20 10", slug="quartier-des-cites", nom="Quartier des Cités"
    )
    document["quartiers"][0]["communes"] = ["bruay-la-buissiere"]
    document["avenants"] = []
    upload = SimpleUploadedFile("bruay.json", dumps(document), "application/json")
    response = client_for(platform_referent).post(
        reverse("territory:referentiel_import"), {"document": upload}
    )
    assert response.status_code == 302, response.status_code
    bruay = Commune.objects.get(slug="bruay-la-buissiere")
    assert Quartier.objects.filter(commune=bruay).count() == 1

    marles = Commune.objects.get(slug="marles-les-mines")
    staff = {
        "mediateur_auchel": UserFactory(role=Role.MEDIATEUR, communes=[auchel]),
        "referent_auchel": UserFactory(role=Role.REFERENT, communes=[auchel]),
        "mediateur_bruay": UserFactory(role=Role.MEDIATEUR, communes=[bruay]),
        "referent_bruay": UserFactory(role=Role.REFERENT, communes=[bruay]),
        "mediateur_marles": UserFactory(role=Role.MEDIATEUR, communes=[marles]),
    }
    rimbart = Quartier.objects.get(slug="rimbart")
    cite5 = Quartier.objects.get(slug="cite-5")
    cites = Quartier.objects.get(slug="quartier-des-cites")

    def private_work(quartier, commune, marker: str) -> list[str]:
        """A private expression routed to the commune's instance and on a séance's agenda,
        one waiting for moderation, an unpublished draft event: the texts to keep inside."""
        member = UserFactory(role=Role.COMITE)
        instance = InstanceFactory(name=f"Comité {marker}", communes=[commune], members=[member])
        private = ExpressionFactory(
            quartier=quartier,
            status=Status.TRANSMISE,
            visibility=Visibility.PRIVATE,
            text=f"PRIVE-{marker} le voisin du 12 fait du bruit",
        )
        Transmission.objects.create(
            expression=private, instance=instance, note=f"NOTE-{marker} à voir en séance"
        )
        waiting = ExpressionFactory(
            quartier=quartier, status=Status.SOUMISE, text=f"ATTENTE-{marker} un banc cassé"
        )
        seance = SeanceFactory(instance=instance, title=f"SEANCE-{marker} de décembre")
        on_agenda(seance, private)
        draft = EvenementFactory(
            quartiers=[quartier], title=f"BROUILLON-{marker} stand", status="brouillon"
        )
        assert draft.status == "brouillon"
        return [private.text, waiting.text, f"NOTE-{marker}", seance.title, instance.name]

    secrets = {
        "auchel": private_work(rimbart, auchel, "AUCHEL"),
        "bruay": private_work(cites, bruay, "BRUAY"),
        "cite5": [
            ExpressionFactory(
                quartier=cite5, status=Status.SOUMISE, text="ATTENTE-CITE5 la passerelle"
            ).text
        ],
    }
    return staff, secrets


@pytest.mark.parametrize("who", ["mediateur_bruay", "referent_bruay"])
def test_bruays_staff_read_nothing_of_auchels_private_work(platform, client_for, who):
    staff, secrets = platform
    pages = walk(client_for(staff[who]))
    assert len(pages) > 40, sorted(pages)
    assert not leaks(pages, secrets["auchel"] + secrets["cite5"])
    # Their own work is there: the queue shows Bruay's expression waiting.
    assert secrets["bruay"][1] in pages["/moderation/"]


@pytest.mark.parametrize("who", ["mediateur_auchel", "referent_auchel"])
def test_auchels_staff_read_nothing_of_bruays_and_see_their_own(platform, client_for, who):
    staff, secrets = platform
    pages = walk(client_for(staff[who]))
    assert not leaks(pages, secrets["bruay"])
    assert secrets["auchel"][1] in pages["/moderation/"]
    # Cité 5 is Auchel's too.
    assert secrets["cite5"][0] in pages["/moderation/"]


def test_an_intercommunal_quartier_is_seen_by_each_of_its_communes(platform, client_for):
    staff, secrets = platform
    client = client_for(staff["mediateur_marles"])
    queue = client.get("/moderation/").content.decode()
    assert secrets["cite5"][0] in queue
    assert secrets["auchel"][1] not in queue
    assert secrets["bruay"][1] not in queue


def test_residents_see_every_public_thing_their_quartier_first(platform, client_for):
    resident = UserFactory(quartier=Quartier.objects.get(slug="quartier-des-cites"))
    home = client_for(resident).get("/").content.decode()
    home = home[home.index('id="quartiers"') :]
    # Bruay's commune and quartier come first, then Auchel's, all of them listed.
    assert home.index("Quartier des Cités") < home.index("Rimbart")
    assert home.index("Bruay-La-Buissière") < home.index(">Auchel<")
    visitor_home = client_for(UserFactory()).get("/").content.decode()
    assert "Rimbart" in visitor_home and "Quartier des Cités" in visitor_home
