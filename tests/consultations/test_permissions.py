"""Who may read, change, support, report, record and open what: every role."""

import pytest
from django.urls import reverse

from consultations.models import Status, Visibility

from .factories import ConsultationFactory, ExpressionFactory

ROLES = ["anonymous", "author", "other_habitant", "mediateur", "comite", "referent"]


@pytest.fixture
def as_role(client, client_for, alice, bob, mediateur, comite, referent):
    users = {
        "author": alice,
        "other_habitant": bob,
        "mediateur": mediateur,
        "comite": comite,
        "referent": referent,
    }

    def login(role):
        if role == "anonymous":
            client.logout()
            return client
        return client_for(users[role])

    return login


def status(client, url, **kwargs):
    return client.get(url, **kwargs).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("author", 200),
        ("other_habitant", 404),
        ("mediateur", 200),
        # A comité member reads a private expression only once it is routed to their instance
        # (tests/consultations/moderation/test_rules.py).
        ("comite", 404),
        ("referent", 200),
    ],
)
def test_a_private_expression_is_read_by_its_author_and_staff_only(as_role, alice, role, expected):
    expression = ExpressionFactory(
        author=alice, status=Status.PUBLIEE, visibility=Visibility.PRIVATE, text="Mon voisin…"
    )

    response = as_role(role).get(expression.get_absolute_url())

    assert response.status_code == expected
    if expected == 404:
        assert "Mon voisin" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_private_expressions_never_appear_in_lists_nor_in_the_api(as_role, alice, role):
    private = ExpressionFactory(
        author=alice, status=Status.PUBLIEE, visibility=Visibility.PRIVATE, text="Secret privé"
    )
    client = as_role(role)

    assert (
        "Secret privé" not in client.get(reverse("consultations:expression_list")).content.decode()
    )
    api = client.get("/api/expressions/")
    assert private.pk not in [row["id"] for row in api.json()["results"]]
    assert client.get(f"/api/expressions/{private.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 404), ("author", 200), ("other_habitant", 404), ("mediateur", 200)],
)
def test_a_submitted_expression_waits_unseen_by_others(as_role, alice, role, expected):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    assert as_role(role).get(expression.get_absolute_url()).status_code == expected


@pytest.mark.django_db
def test_the_rejection_reason_is_shown_to_the_author_only(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)
    expression.steps.create(
        status=Status.REJETEE, note="Le message donne le nom d'un voisin.", public=False
    )
    expression.status = Status.REJETEE
    expression.save()

    author_page = as_role("author").get(expression.get_absolute_url()).content.decode()

    assert "Le message donne le nom d&#x27;un voisin." in author_page
    assert as_role("other_habitant").get(expression.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_readers_see_only_the_public_steps_of_a_published_expression(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    expression.steps.create(
        status=Status.PUBLIEE, note="Note pour l'auteur seulement", public=False
    )

    assert (
        "Note pour l"
        not in as_role("other_habitant").get(expression.get_absolute_url()).content.decode()
    )
    assert "Note pour l" in as_role("author").get(expression.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("author", 200),
        ("other_habitant", 404),
        ("mediateur", 403),
        ("referent", 403),
    ],
)
def test_only_the_author_may_change_a_submitted_expression(as_role, alice, role, expected):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE, text="Avant")
    url = reverse("consultations:expression_edit", args=[expression.pk])
    client = as_role(role)

    assert client.get(url).status_code == expected
    client.post(
        url, {"quartier": expression.quartier.pk, "text": "Changé", "visibility": "anonyme"}
    )
    expression.refresh_from_db()
    assert expression.text == ("Changé" if role == "author" else "Avant")


@pytest.mark.django_db
def test_a_habitant_cannot_change_anothers_published_expression(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE, text="Avant")
    url = reverse("consultations:expression_edit", args=[expression.pk])

    response = as_role("other_habitant").post(
        url, {"quartier": expression.quartier.pk, "text": "Piraté", "visibility": "anonyme"}
    )

    assert response.status_code == 403
    expression.refresh_from_db()
    assert expression.text == "Avant"


@pytest.mark.django_db
def test_the_author_cannot_change_it_once_a_mediator_has_read_it(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE, text="Avant")

    response = as_role("author").get(reverse("consultations:expression_edit", args=[expression.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_api_does_not_let_anyone_change_an_expression(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE, text="Avant")
    client = as_role("author")

    for method in (client.put, client.patch, client.delete):
        response = method(
            f"/api/expressions/{expression.pk}/", {"text": "x"}, content_type="application/json"
        )
        assert response.status_code == 405
    expression.refresh_from_db()
    assert expression.text == "Avant"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("author", 403),
        ("other_habitant", 403),
        ("comite", 403),
        ("mediateur", 200),
        ("referent", 200),
    ],
)
def test_field_collection_is_for_mediators(as_role, role, expected):
    assert status(as_role(role), reverse("consultations:field_create")) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("other_habitant", 403),
        ("mediateur", 403),
        ("comite", 403),
        ("referent", 200),
    ],
)
def test_opening_a_consultation_is_for_the_referent(as_role, role, expected):
    consultation = ConsultationFactory()

    assert status(as_role(role), reverse("consultations:consultation_create")) == expected
    assert (
        status(as_role(role), reverse("consultations:consultation_edit", args=[consultation.slug]))
        == expected
    )


@pytest.mark.django_db
def test_supporting_and_reporting_need_an_account(client, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    support = client.post(reverse("consultations:expression_support", args=[expression.pk]))
    report = client.post(
        reverse("consultations:expression_report", args=[expression.pk]), {"reason": "autre"}
    )

    assert support.status_code == 302 and reverse("account_login") in support["Location"]
    assert report.status_code == 302 and reverse("account_login") in report["Location"]
    expression.refresh_from_db()
    assert expression.supports_count == 0
    assert expression.flagged_at is None


@pytest.mark.django_db
def test_one_cannot_support_nor_report_ones_own_expression(as_role, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    client = as_role("author")

    assert (
        client.post(reverse("consultations:expression_support", args=[expression.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("consultations:expression_report", args=[expression.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_a_private_expression_cannot_be_supported_even_by_staff(as_role, alice):
    expression = ExpressionFactory(
        author=alice, status=Status.PUBLIEE, visibility=Visibility.PRIVATE
    )

    response = as_role("mediateur").post(
        reverse("consultations:expression_support", args=[expression.pk])
    )

    assert response.status_code == 403
