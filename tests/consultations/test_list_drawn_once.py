"""The public list draws its filters and cards once per content: what changes shows at once,
and each reader still gets her own « moi aussi »."""

import re

import pytest
from django.middleware import csrf
from django.test import Client
from django.urls import reverse

from consultations.models import Status, Support
from tests.factories import UserFactory

from .factories import ConsultationFactory, ExpressionFactory

LIST = reverse("consultations:expression_list")


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_renamed_quartier_shows_in_the_filters_at_once(client, rimbart):
    assert ">Rimbart</option>" in html(client.get(LIST))

    rimbart.name = "Rimbart-Nord"
    rimbart.save()

    page = html(client.get(LIST))
    assert ">Rimbart-Nord</option>" in page
    assert ">Rimbart</option>" not in page


@pytest.mark.django_db
def test_a_new_consultation_shows_in_the_filters_at_once(client, rimbart):
    html(client.get(LIST))

    ConsultationFactory(slug="jardins-partages", title="Jardins partagés", quartiers=[rimbart])

    assert 'value="jardins-partages"' in html(client.get(LIST))


@pytest.mark.django_db
def test_the_chosen_quartier_is_marked_for_the_visitor_who_chose_it_only(client, rimbart):
    chosen = html(client.get(LIST, {"quartier": "rimbart"}))
    assert 'value="rimbart" selected' in chosen

    assert 'value="rimbart" selected' not in html(client.get(LIST))


@pytest.mark.django_db
def test_each_reader_gets_her_own_moi_aussi_on_a_card_drawn_once(client, rimbart):
    expression = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Un banc")
    alice, bob = UserFactory(), UserFactory()
    Support.objects.create(expression=expression, user=alice)
    expression.supports_count = 1
    expression.save()

    anonymous = html(client.get(LIST))
    assert reverse("account_login") in anonymous
    assert "csrfmiddlewaretoken" not in anonymous

    client.force_login(alice)
    assert 'aria-pressed="true"' in html(client.get(LIST))
    client.force_login(bob)
    bobs = html(client.get(LIST))
    assert 'aria-pressed="false"' in bobs
    assert "csrfmiddlewaretoken" in bobs


@pytest.mark.django_db
def test_an_edited_expression_shows_at_once_on_its_card(client, rimbart):
    expression = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Un banc")
    assert "Un banc" in html(client.get(LIST))

    expression.text = "Deux bancs"
    expression.save()

    page = html(client.get(LIST))
    assert "Deux bancs" in page
    assert "Un banc" not in page


@pytest.mark.django_db
def test_filtering_by_a_quartier_reads_the_quartiers_once(client, rimbart, cite5):
    """The quartier select's rows are read once: they draw its options and check the value
    sent. An unknown quartier is refused with its message, the words typed kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    client.get(f"{LIST}?quartier=rimbart")
    with CaptureQueriesContext(connection) as captured:
        page = html(client.get(f"{LIST}?quartier=rimbart"))
    quartiers = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "territory_quartier"."id"')
        and 'FROM "territory_quartier" ' in query["sql"]
        and "JOIN" not in query["sql"]
    ]
    assert len(quartiers) == 1, quartiers
    assert '<option value="rimbart" selected>Rimbart</option>' in page
    assert '<option value="cite-5">Cité 5, de Marles et du Rond-Point</option>' in page
    refused = html(client.get(f"{LIST}?quartier=atlantide&q=lampadaire"))
    assert 'value="lampadaire"' in refused
    assert "Sélectionnez un choix valide" in refused


@pytest.mark.django_db
def test_whatever_is_sent_the_filters_are_kept_under_few_keys(client, rimbart, kept_fragments):
    """Only what the selects show makes a key; impossible values are drawn with their reasons
    each time and never kept: random values cannot fill the cache."""

    for n in range(1, 4):
        html(client.get(LIST, {"quartier": "rimbart", "x": n, "q": f"mot{n}"}))
    assert len(kept_fragments) == 1

    for n in range(1, 4):
        page = html(client.get(LIST, {"quartier": "rimbart", "objectif": f"99{n}"}))
        assert f"99{n}" in page  # the reason names the value sent
    assert len(kept_fragments) == 1


@pytest.mark.django_db
def test_its_author_reads_the_count_and_others_come_back_to_the_same_list(client, rimbart):
    author = UserFactory()
    expression = ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, text="Un banc", author=author, supports_count=2
    )

    anonymous = html(client.get(LIST, {"quartier": "rimbart", "q": "banc"}))
    assert (
        f'href="{reverse("account_login")}?next=/expressions/%3Fquartier%3Drimbart%26q%3Dbanc"'
        in anonymous
    )

    client.force_login(author)
    own = html(client.get(LIST))
    assert '<p class="support-total">2 personnes ont dit « moi aussi »</p>' in own
    assert "support-form" not in own

    client.force_login(UserFactory())
    other = html(client.get(LIST, {"quartier": "rimbart"}))
    assert f'value="/expressions/?quartier=rimbart#expression-{expression.pk}-titre"' in other


@pytest.mark.django_db
def test_the_buttons_of_a_page_share_one_csrf_field_that_the_server_accepts(rimbart, monkeypatch):
    expressions = ExpressionFactory.create_batch(6, quartier=rimbart, status=Status.PUBLIEE)
    reader = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    masked = []
    mask = csrf._mask_cipher_secret
    monkeypatch.setattr(
        csrf, "_mask_cipher_secret", lambda secret: masked.append(1) or mask(secret)
    )

    page = html(browser.get(LIST))

    forms = re.findall(
        r'<form method="post" action="([^"]+)" class="support-form">\n'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        page,
    )
    assert len(forms) == len(expressions)
    assert len({token for _, token in forms}) == 1
    # Masked once for the buttons, once for the page's own forms (its header's): not per card.
    assert len(masked) <= 2
    action, token = forms[0]
    response = browser.post(action, {"csrfmiddlewaretoken": token, "next": LIST})
    assert response.status_code == 302
    assert Support.objects.filter(user=reader).count() == 1
