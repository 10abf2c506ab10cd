"""The readable page of the API, made from the schema."""

import pytest


@pytest.mark.django_db
def test_the_reference_page_lists_every_operation_and_the_error_codes(client):
    response = client.get("/api/reference/")
    html = response.content.decode()

    assert response.status_code == 200
    for operation in [
        "GET /api/quartiers/",
        "GET /api/evenements/{id}/",
        "POST /api/expressions/",
        "POST /api/terrain/synchronisation/",
    ]:
        assert operation in html
    for code in ["donnees_invalides", "non_authentifie", "csrf", "page_introuvable"]:
        assert f"<code>{code}</code>" in html
    assert "Idempotency-Key" in html
    assert "<script>" not in html and "style=" not in html
