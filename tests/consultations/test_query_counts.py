"""Every list page runs a fixed number of SQL queries, whatever the amount of data."""

import pytest
from django.urls import reverse

from consultations.models import Source, Status, Support
from tests.factories import UserFactory
from tests.queries import page_queries as queries

from .factories import ConsultationFactory, ExpressionFactory, ObjectifFactory


def grow(author, quartier, consultation, count, objectifs, supporters):
    for index in range(count):
        expression = ExpressionFactory(
            author=author,
            quartier=quartier,
            consultation=consultation,
            status=Status.PUBLIEE if index % 3 else Status.TRANSMISE,
            source=Source.TABLE_RONDE if index % 2 else Source.EN_LIGNE,
            objectifs=objectifs,
        )
        Support.objects.bulk_create(Support(expression=expression, user=u) for u in supporters)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    ["my_expressions", "consultation_detail", "api_list", "referent_admin"],
)
def test_list_pages_run_a_constant_number_of_queries(client_for, alice, referent, rimbart, page):
    consultation = ConsultationFactory(quartiers=[rimbart])
    urls = {
        "my_expressions": reverse("consultations:my_expressions"),
        "consultation_detail": consultation.get_absolute_url(),
        "api_list": "/api/expressions/",
        "referent_admin": "/gestion/admin/consultations/expression/",
    }
    client = client_for(referent if page == "referent_admin" else alice)
    grow(alice, rimbart, consultation, 2, [ObjectifFactory(quartier=rimbart)], [])
    few = queries(client, urls[page])

    supporters = [UserFactory() for _ in range(3)]
    grow(
        alice,
        rimbart,
        consultation,
        25,
        [ObjectifFactory(quartier=rimbart) for _ in range(4)],
        supporters,
    )
    many = queries(client, urls[page])

    assert many == few
