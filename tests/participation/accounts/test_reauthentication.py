"""Confirming who one is before a sensitive change (email, password, second factor).

Residents often sign in with an emailed code and may not remember a password: allauth then
lets them confirm with a new emailed code. These are allauth's pages; the matrix leaves them
to allauth, and this file checks how this site serves them: signed-in people only, in French,
the code sent once to the account's own address, and the change then allowed.
"""

import pytest
from django.core import mail
from django.urls import reverse

from .conftest import code_in

pytestmark = pytest.mark.django_db


def test_a_visitor_is_sent_to_sign_in_first(client):
    for name in ("account_request_reauthentication_code", "account_confirm_reauthentication_code"):
        response = client.get(reverse(name))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_resident_confirms_who_she_is_with_a_code_sent_to_her_own_address(client, alice):
    client.force_login(alice)

    page = client.get(reverse("account_request_reauthentication_code"))
    assert page.status_code == 200
    assert "Confirmer votre identité" in page.content.decode()
    assert "Recevoir un code" in page.content.decode()
    assert f'value="{alice.email}"' in page.content.decode()  # her own address, nobody else's

    other = client.post(
        reverse("account_request_reauthentication_code"), {"recipient": "bob@example.org"}
    )
    assert other.status_code == 200 and not mail.outbox

    response = client.post(
        reverse("account_request_reauthentication_code"), {"recipient": alice.email}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_reauthentication_code")
    assert [message.to for message in mail.outbox] == [[alice.email]]

    confirm = client.get(reverse("account_confirm_reauthentication_code"))
    assert "Entrez le code reçu" in confirm.content.decode()
    wrong = client.post(reverse("account_confirm_reauthentication_code"), {"code": "AAAA-AAAA"})
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in wrong.content.decode()

    right = client.post(
        reverse("account_confirm_reauthentication_code"), {"code": code_in(mail.outbox[0])}
    )
    assert right.status_code == 302
    # Confirmed: the page that asks for it (changing the email address) now opens directly.
    assert client.get(reverse("account_email")).status_code == 200
