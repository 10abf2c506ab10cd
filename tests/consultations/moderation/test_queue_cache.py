"""The queue is drawn once per state of the queue and shared by the mediators
(consultations.views_moderation, consultations.waiting): each reads their own CSRF token,
their role's links and every change at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import Status
from consultations.moderation import services as moderation
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory

QUEUE = reverse("consultations:moderation_queue")
CONTENT = "consultations/moderation/_queue.html"


def drawn(response) -> bool:
    return any(template.name == CONTENT for template in response.templates)


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_of(response) -> str:
    return re.search(
        r'class="bulk-form" novalidate>\s*<input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([^"]+)"',
        response.content.decode(),
    ).group(1)


@pytest.mark.django_db
def test_two_mediators_share_one_drawing_and_each_posts_with_their_own_token(mediateur):
    expression = ExpressionFactory(status=Status.SOUMISE)
    colleague = UserFactory(role=mediateur.role)
    first, second = signed_in(mediateur), signed_in(colleague)

    page = first.get(QUEUE)
    shared = second.get(QUEUE)

    assert drawn(page) and not drawn(shared)
    assert "<!--jeton-csrf-->" not in shared.content.decode()
    publish = reverse("consultations:moderation_publish", args=[expression.pk])
    response = second.post(publish, {"csrfmiddlewaretoken": token_of(shared), "next": QUEUE})
    assert response.status_code == 302
    expression.refresh_from_db()
    assert expression.status == Status.PUBLIEE


@pytest.mark.django_db
def test_the_referent_link_follows_the_role_not_the_first_reader(mediateur, referent):
    ExpressionFactory(status=Status.SOUMISE)
    audit = reverse("consultations:moderation_audit_export")

    assert audit not in signed_in(mediateur).get(QUEUE).content.decode()
    assert audit in signed_in(referent).get(QUEUE).content.decode()
    assert audit not in signed_in(mediateur).get(QUEUE).content.decode()


@pytest.mark.django_db
def test_a_decision_leaves_the_queue_at_once_for_every_mediator(mediateur):
    gone, stays = ExpressionFactory.create_batch(2, status=Status.SOUMISE)
    colleague = signed_in(UserFactory(role=mediateur.role))
    assert f'id="expression-{gone.pk}"' in colleague.get(QUEUE).content.decode()

    moderation.publish(gone, actor=mediateur)

    page = colleague.get(QUEUE).content.decode()
    assert f'id="expression-{gone.pk}"' not in page
    assert f'id="expression-{stays.pk}"' in page
    assert '<span class="badge" data-moderation-count>1</span>' in page


@pytest.mark.django_db
def test_a_new_tag_is_offered_by_the_filters_at_once(mediateur):
    client = signed_in(mediateur)
    assert "Propreté" not in client.get(QUEUE).content.decode()

    moderation.create_etiquette("Propreté", actor=mediateur)

    assert "Propreté" in client.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_a_misread_filter_is_said_each_time_the_page_is_read(mediateur):
    client = signed_in(mediateur)
    for _ in range(2):
        page = client.get(QUEUE, {"quartier": "nulle-part"}).content.decode()
        assert "Un filtre n'a pas été compris" in page
