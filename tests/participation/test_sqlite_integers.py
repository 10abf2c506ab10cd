import pytest
from django.db import connection

from consultations.models import Expression
from participation.territory.models import Quartier


@pytest.mark.django_db
def test_an_id_beyond_64_bits_matches_nothing_instead_of_failing():
    huge = 99999999999999999999999

    assert list(Quartier.objects.filter(pk=huge)) == []
    assert list(Quartier.objects.filter(pk__in=[1, huge])) == []


@pytest.mark.django_db
def test_a_huge_objective_id_in_the_expression_form_is_a_form_error(client_for, alice):
    if connection.vendor != "sqlite":
        pytest.skip("The overflow is specific to SQLite; PostgreSQL already answers no match.")
    client = client_for(alice)

    response = client.post(
        "/expressions/nouvelle/",
        {"text": "Un texte", "objectifs": "99999999999999999999999"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    # Refused as an objective that does not exist, the text typed kept, nothing stored.
    assert "Un texte</textarea>" in html
    assert "Cet objectif n&#x27;existe pas ou plus" in html
    assert not Expression.objects.exists()
