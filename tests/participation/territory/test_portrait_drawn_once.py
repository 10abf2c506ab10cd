"""The quartier's portrait is drawn once per content: an edit of the referential, however
it is made, shows on the page at once."""

import datetime as dt
from decimal import Decimal

from participation.territory.models import Finding, Indicator, Objectif, Quartier

PAGE = "/quartiers/centre-ville/"


def page(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_an_edited_objective_shows_at_once(client, referentiel):
    objectif = Objectif.objects.filter(quartier__slug="centre-ville").order_by("pk").first()
    page(client)

    # Even without ``save()`` (an import, an update in bulk): the drawing follows what is read.
    Objectif.objects.filter(pk=objectif.pk).update(operationnel="Ouvrir une maison des projets")

    assert "Ouvrir une maison des projets" in page(client)


def test_an_edited_finding_shows_at_once(client, referentiel):
    finding = Finding.objects.filter(quartier__slug="centre-ville").order_by("pk").first()
    page(client)

    finding.text = "Un marché du samedi très fréquenté"
    finding.save()

    assert "Un marché du samedi très fréquenté" in page(client)


def test_an_edited_indicator_shows_at_once_with_its_exact_figure(client, referentiel):
    indicator = Indicator.objects.filter(quartier__slug="centre-ville").order_by("pk").first()
    page(client)

    Indicator.objects.filter(pk=indicator.pk).update(
        label="Part des moins de 25 ans", value=Decimal("37.5"), unit="%"
    )

    shown = page(client)
    assert "Part des moins de 25 ans" in shown
    assert "37,5" in shown


def test_a_retired_objective_leaves_the_tables_at_once(client, referentiel):
    objectif = Objectif.objects.filter(quartier__slug="centre-ville").order_by("pk").first()
    page(client)

    Objectif.objects.filter(pk=objectif.pk).update(
        retired_on=dt.date(2020, 1, 1), retired_reason="Atteint"
    )

    assert "Atteint" in page(client)


def test_a_renamed_agglomeration_shows_in_the_portrait_at_once(client, referentiel):
    page(client)
    agglomeration = Quartier.objects.get(slug="centre-ville").commune.agglomeration
    agglomeration.short_name = "CABBALR-Nord"
    agglomeration.save()

    assert "Agglomération CABBALR-Nord" in page(client)
