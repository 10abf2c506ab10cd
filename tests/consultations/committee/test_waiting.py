"""« Transmis à notre instance »: what was routed to my instances and waits for their answer,
with the photo, the mediator's note, the « moi aussi » and the likely duplicates."""

import html
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from consultations import search
from consultations.committee import services as committee
from consultations.models import Decision, Status, Transmission, Visibility
from consultations.moderation import aiguillage
from tests.consultations.conftest import image_bytes
from tests.consultations.factories import ExpressionFactory
from tests.factories import ObjectifFactory, UserFactory
from tests.queries import page_queries

from .factories import InstanceFactory, SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db
URL = reverse("consultations:committee_waiting")
BUDGET = 12  # bench.budgets.MAX_QUERIES_PER_PAGE
NOTE = "Deux habitants signalent le trou, photo jointe."
LAMP = "Le lampadaire devant l'école Jean Macé est cassé depuis trois semaines, il fait noir."


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def with_photo(expression):
    expression.photo.save("photo.jpg", ContentFile(image_bytes("JPEG")), save=False)
    expression.thumbnail.save("miniature.jpg", ContentFile(image_bytes("JPEG")), save=False)
    expression.save(update_fields=["photo", "thumbnail"])
    return expression


def route(expression, instance, mediateur, note=NOTE):
    aiguillage.route(expression, actor=mediateur, instances=[instance], note=note)
    expression.refresh_from_db()
    return expression


def published(**kwargs):
    kwargs.setdefault("status", Status.PUBLIEE)
    return ExpressionFactory(**kwargs)


def test_a_member_sees_what_was_routed_to_their_instances_and_nothing_else(
    client_for, comite, claire, referent, instance_a, instance_b, rimbart
):
    mine = routed(instance_a, quartier=rimbart, text="Un banc cassé square Dupuis.")
    theirs = routed(instance_b, quartier=rimbart, text="Les caves de la rue Pasteur sont humides.")
    published(quartier=rimbart, text="Un terrain de foot pour les jeunes du quartier.")

    page = text(client_for(comite).get(URL))
    assert "Un banc cassé square Dupuis." in page
    assert "Les caves de la rue Pasteur" not in page
    assert "Un terrain de foot" not in page  # published, never routed
    assert reverse("consultations:expression_detail", args=[theirs.pk]) not in page

    assert "Les caves de la rue Pasteur" in text(client_for(claire).get(URL))
    assert "Un banc cassé" not in text(client_for(claire).get(URL))
    everything = text(client_for(referent).get(URL))
    assert mine.text in everything and theirs.text in everything


def test_only_what_still_waits_is_listed_once_per_instance_it_waits_for(
    client_for, comite, instance_a, rimbart
):
    other_mine = InstanceFactory(name="Conseil consultatif PRE (test)", members=[comite])
    both = routed(instance_a, quartier=rimbart, text="Plus de médiateurs le soir à Rimbart.")
    routed(other_mine, quartier=rimbart, text="Un jardin partagé rue Verte.")
    examined = routed(instance_a, quartier=rimbart, text="Des ateliers de cuisine au centre.")
    examined.status = Status.EXAMINEE
    examined.save(update_fields=["status"])
    answered = routed(instance_a, quartier=rimbart, text="Un arrêt de bus couvert.")
    committee.record_answer(
        on_agenda(SeanceFactory(instance=instance_a), answered),
        actor=comite,
        decision=Decision.RETENUE,
        text="C'est prévu.",
    )
    Transmission.objects.create(expression=both, instance=other_mine)

    page = text(client_for(comite).get(URL))
    assert page.count("Plus de médiateurs le soir à Rimbart.") == 2  # once for each instance
    assert "Des ateliers de cuisine au centre." in page
    assert "Un arrêt de bus couvert." not in page
    assert "4 expressions attendent." in page
    assert page.index("Comité de Pilotage Cohésion Sociale (test)</h2>") < page.index(
        "Conseil consultatif PRE (test)</h2>"
    )


def test_each_expression_comes_with_its_photo_note_supports_and_objectives(
    client_for, comite, mediateur, instance_a, rimbart
):
    objectif = ObjectifFactory(quartier=rimbart, operationnel="Améliorer la tranquillité")
    expression = with_photo(
        published(quartier=rimbart, text=LAMP, supports_count=4, objectifs=[objectif])
    )
    route(expression, instance_a, mediateur)
    seance = SeanceFactory(instance=instance_a, title="Séance de printemps")
    on_agenda(seance, expression)

    page = text(client_for(comite).get(URL))
    assert NOTE in page
    assert "4 « moi aussi »" in page
    assert "Améliorer la tranquillité" in page
    assert reverse("consultations:expression_thumbnail", args=[expression.pk]) in page
    assert f'href="{reverse("consultations:expression_photo", args=[expression.pk])}"' in page
    assert "À l'ordre du jour de :" in page and "Séance de printemps" in page


def test_the_answer_form_shows_the_photo_and_the_note_too(
    client_for, comite, mediateur, instance_a, rimbart
):
    expression = route(with_photo(published(quartier=rimbart, text=LAMP)), instance_a, mediateur)
    seance = SeanceFactory(instance=instance_a)
    item = on_agenda(seance, expression)

    page = text(
        client_for(comite).get(
            reverse("consultations:seance_answer", kwargs={"pk": seance.pk, "item_pk": item.pk})
        )
    )
    assert NOTE in page
    assert reverse("consultations:expression_thumbnail", args=[expression.pk]) in page


def test_the_photo_shown_is_served_to_the_routed_instance_and_to_no_other(
    client_for, comite, claire, mediateur, instance_a, instance_b, rimbart
):
    private = with_photo(published(quartier=rimbart, text=LAMP, visibility=Visibility.PRIVATE))
    route(private, instance_a, mediateur)
    page = text(client_for(comite).get(URL))
    thumbnail = re.search(r'<img src="([^"]+/miniature/)"', page).group(1)
    photo = reverse("consultations:expression_photo", args=[private.pk])
    assert photo in page

    for url in (thumbnail, photo):
        response = client_for(comite).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")  # a JPEG
        assert response["Cache-Control"] == "private, no-store"
        assert client_for(claire).get(url).status_code == 404


def test_likely_duplicates_are_the_close_texts_of_the_same_quartier_the_member_may_read(
    client_for, comite, mediateur, instance_a, rimbart, cite5
):
    expression = route(published(quartier=rimbart, text=LAMP), instance_a, mediateur)
    same = published(quartier=rimbart, text=LAMP)
    retold = published(
        quartier=rimbart, text="Lampadaire cassé devant l'école Jean Macé : il fait tout noir."
    )
    elsewhere = published(quartier=cite5, text=LAMP)
    unrelated = published(quartier=rimbart, text="Un terrain de foot pour les jeunes.")
    hidden = published(quartier=rimbart, text=LAMP, visibility=Visibility.PRIVATE)
    waiting = published(quartier=rimbart, text=LAMP, status=Status.SOUMISE)

    page = text(client_for(comite).get(URL))
    duplicates = page[page.index("Doublons probables") :]
    assert f">n° {same.pk}</a>" in duplicates
    assert f">n° {retold.pk}</a>" in duplicates
    for other in (expression, elsewhere, unrelated, hidden, waiting):
        assert f">n° {other.pk}</a>" not in duplicates


def test_the_duplicates_of_a_page_agree_with_those_of_each_expression_on_both_databases(
    rimbart, cite5, monkeypatch
):
    lamp = published(quartier=rimbart, text=LAMP)
    twin = published(quartier=rimbart, text=LAMP)
    retold = published(quartier=rimbart, text="Lampadaire cassé devant l'école Jean Macé, noir.")
    jardin = published(quartier=cite5, text="Un jardin partagé derrière l'école Pasteur.")
    jardin_twin = published(quartier=cite5, text="Un jardin partagé derrière l'école Pasteur !")
    lonely = published(quartier=cite5, text="Un terrain de foot.")
    page = [lamp, jardin, lonely]

    expected = {e.pk: [d.pk for d in search.likely_duplicates(e, limit=3)] for e in page}
    assert expected == {lamp.pk: [twin.pk, retold.pk], jardin.pk: [jardin_twin.pk], lonely.pk: []}
    found = search.likely_duplicates_of(page, limit=3)
    assert {pk: [d.pk for d in found[pk]] for pk in found} == expected

    # The embedded mode's way (SQLite: the quartier's latest expressions) finds the same.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    found = search.likely_duplicates_of(page, limit=3)
    assert {pk: [d.pk for d in found[pk]] for pk in found} == expected


def test_the_objective_filter_is_filled_on_the_first_load_grouped_by_quartier(
    client_for, comite, instance_a, rimbart, cite5
):
    named = ObjectifFactory(quartier=rimbart, operationnel="Renforcer la médiation sociale")
    jardin = ObjectifFactory(quartier=cite5, operationnel="Un jardin partagé")
    ObjectifFactory(quartier=rimbart, operationnel="Objectif dont personne ne parle")
    routed(instance_a, quartier=rimbart, objectifs=[named])
    routed(instance_a, quartier=cite5, objectifs=[jardin])

    for url in (URL, reverse("consultations:committee_dashboard")):
        page = text(client_for(comite).get(url))
        select = page[
            page.index('name="objectif"') : page.index("</select>", page.index('name="objectif"'))
        ]
        assert "data-objectifs-of=" in page
        assert '<optgroup label="Rimbart">' in select and '<optgroup label="Cité 5">' in select
        assert f'value="{named.pk}" data-quartier="rimbart"' in select
        assert f'value="{jardin.pk}" data-quartier="cite-5"' in select
        assert "Objectif dont personne ne parle" not in select
        assert "Choisissez d'abord un quartier" not in page


def test_the_filters_narrow_the_list_and_say_what_is_wrong(
    client_for, comite, instance_a, rimbart, cite5
):
    named = ObjectifFactory(quartier=rimbart, operationnel="Renforcer la médiation sociale")
    routed(instance_a, quartier=rimbart, objectifs=[named], text="Des médiateurs le soir.")
    routed(instance_a, quartier=cite5, text="Un jardin partagé rue Verte.")
    examined = routed(instance_a, quartier=cite5, text="Des ateliers de cuisine.")
    examined.status = Status.EXAMINEE
    examined.save(update_fields=["status"])
    browser = client_for(comite)

    page = text(browser.get(URL, {"quartier": "cite-5"}))
    assert "Un jardin partagé" in page and "Des médiateurs" not in page
    page = text(browser.get(URL, {"objectif": named.pk}))
    assert "Des médiateurs" in page and "Un jardin partagé" not in page
    page = text(browser.get(URL, {"etape": "examinee"}))
    assert "Des ateliers de cuisine." in page and "Un jardin partagé" not in page

    page = text(browser.get(URL, {"quartier": "cite-5", "objectif": named.pk}))
    assert "Cet objectif est celui de Rimbart" in page
    assert (
        "Des médiateurs le soir." not in page
        and "Aucune expression en attente ne correspond" in page
    )
    page = text(browser.get(URL, {"instance": "bailleur"}))
    assert (
        "Cette instance n'est pas une des vôtres." in page
        and "Aucune expression en attente ne correspond" in page
    )
    page = text(browser.get(URL, {"etape": "repondue"}))
    assert (
        "Ces filtres ne sont pas valables" in page
        and "Aucune expression en attente ne correspond" in page
    )


def test_the_page_is_reached_from_the_committee_menu(client_for, comite, instance_a):
    routed(instance_a)
    dashboard = text(client_for(comite).get(reverse("consultations:committee_dashboard")))
    assert f'<a href="{URL}">Transmis à notre instance</a>' in dashboard
    assert "1 expression attend l'examen ou la réponse" in dashboard
    assert 'aria-current="page">Transmis à notre instance</a>' in text(client_for(comite).get(URL))


def grow(instance, quartiers, mediateur, count, seance):
    """``count`` more waiting expressions, with photos, notes, objectives, agendas, twins."""
    for index in range(count):
        quartier = quartiers[index % len(quartiers)]
        objectif = ObjectifFactory(quartier=quartier)
        expression = published(
            quartier=quartier,
            objectifs=[objectif],
            visibility=list(Visibility)[index % 3],
            supports_count=index,
            text=f"{LAMP} Rue numéro {index}.",
        )
        published(quartier=quartier, text=f"{LAMP} Encore {index}.")
        if index % 2:
            with_photo(expression)
        route(expression, instance, mediateur, note=f"{NOTE} {index}")
        if index % 3 == 0:
            on_agenda(seance, expression)


@pytest.mark.parametrize("role", ["comite", "referent"])
def test_the_page_runs_a_constant_number_of_queries(
    request, client_for, role, mediateur, instance_a, rimbart, cite5
):
    browser = client_for(request.getfixturevalue(role))
    seance = SeanceFactory(instance=instance_a)
    filtered = f"{URL}?quartier=rimbart&etape=transmise&tri=soutenues"
    grow(instance_a, [rimbart, cite5], mediateur, 3, seance)
    few, few_filtered = page_queries(browser, URL), page_queries(browser, filtered)
    grow(instance_a, [rimbart, cite5], mediateur, 30, seance)
    UserFactory.create_batch(2)
    many, many_filtered = page_queries(browser, URL), page_queries(browser, filtered)
    assert "Doublons probables" in text(browser.get(URL))
    assert few == many <= BUDGET
    assert few_filtered == many_filtered <= BUDGET
