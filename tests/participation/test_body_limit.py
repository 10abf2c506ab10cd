"""A request body over the limit is refused in French (413) before it is read."""

import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from consultations.models import Expression, Visibility
from tests.consultations.conftest import image_bytes
from tests.consultations.factories import QuartierFactory

FORM = reverse("consultations:expression_create")
API = "/api/expressions/"
STATIC_PAGE = django_settings.BASE_DIR / "static" / "erreurs" / "413.html"


def photo(size: int) -> SimpleUploadedFile:
    content = image_bytes("JPEG")
    return SimpleUploadedFile("photo.jpg", content + b"\0" * (size - len(content)), "image/jpeg")


def form_data(quartier, **fields):
    return {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": quartier.pk,
        "text": "Le square est fermé depuis des semaines.",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
        **fields,
    }


def test_the_default_limit_is_nginxs_twelve_megabytes():
    assert django_settings.MAX_REQUEST_BODY_BYTES == 12 * 1024 * 1024
    # Django's own bound (fields that are not files) is never looser than the whole body's.
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= django_settings.MAX_REQUEST_BODY_BYTES


@pytest.mark.django_db
def test_a_form_over_the_limit_gets_a_french_page_before_anything_is_read(
    client_for, alice, settings, decodes
):
    settings.MAX_REQUEST_BODY_BYTES = 20_000
    quartier = QuartierFactory()
    client = client_for(alice)
    within = client.post(FORM, form_data(quartier, photo=photo(10_000)))
    assert within.status_code == 302
    assert len(decodes) == 1

    response = client.post(FORM, form_data(quartier, photo=photo(30_000)))

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Envoi trop volumineux" in html
    assert "19,5\xa0Kio" in html  # the limit, as Django writes sizes in French
    assert "photo plus légère" in html
    # The page is the site's: the security headers of every page are there.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert len(decodes) == 1
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_the_api_over_the_limit_answers_its_french_json_error(client_for, alice, settings):
    settings.MAX_REQUEST_BODY_BYTES = 20_000
    quartier = QuartierFactory()

    response = client_for(alice).post(
        API, {"quartier": quartier.slug, "text": "Regardez", "photo": photo(30_000)}
    )

    assert response.status_code == 413
    erreur = response.json()["erreur"]
    assert erreur["code"] == "trop_volumineux"
    assert "dépasse 19,5\xa0Kio" in erreur["message"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_too_many_bytes_of_fields_is_a_french_413_not_a_400(client_for, alice, settings):
    # Within the body's limit, over Django's own bound of the fields that are not files.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    quartier = QuartierFactory()
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    response = client.post(FORM, form_data(quartier, text="x" * 2_000))

    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()
    assert not Expression.objects.exists()


def test_nginx_has_a_french_page_of_its_own_for_the_413():
    """nginx refuses first (``error_page 413``): a static page, without our CSP, in French."""
    html = STATIC_PAGE.read_text(encoding="utf-8")

    assert '<html lang="fr">' in html
    assert '<meta charset="utf-8">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert "<h1>Envoi trop volumineux</h1>" in html
    assert "12 Mo" in html
    assert "photo plus légère" in html
    assert 'href="/"' in html
    # Self-contained: no script, nothing fetched from elsewhere.
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html.lower()


@pytest.mark.django_db
def test_other_bad_requests_get_a_french_page_too():
    """An unknown host name (or any other SuspiciousOperation) is Django's 400: in French,
    without the request's context, which is what was wrong."""
    response = Client(raise_request_exception=False, HTTP_HOST="inconnu.example.org").get("/")

    assert response.status_code == 400
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "Demande incorrecte" in body
    assert "Bad Request" not in body
