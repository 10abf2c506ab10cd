"""A staff session left idle ends; a resident's does not (participation/accounts/idle.py)."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from participation.accounts import idle
from participation.accounts.sessions import SessionStore

from .conftest import totp_code

pytestmark = pytest.mark.django_db

QUEUE = reverse("consultations:moderation_queue")
PROFILE = reverse("accounts:profile")
LOGIN = reverse("account_login")
REASON = "Votre session a été fermée après 30 minutes sans activité"
# What a page's script sends with fetch(): not something the person did.
SCRIPT = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC), tick=False)
    return lambda minutes: time_machine.shift(dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("who", ["mediateur", "comite", "referent"])
def test_a_staff_session_idle_beyond_the_limit_is_signed_out_with_the_reason(
    client, clock, who, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PROFILE).status_code == 200

    clock(31)
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={PROFILE}"
    page = client.get(response["Location"]).content.decode()
    assert REASON in page
    assert "reconnectez-vous" in page
    assert client.get(PROFILE).status_code == 302


def test_a_staff_session_in_use_stays_signed_in_until_left_idle(client, clock, mediateur):
    client.force_login(mediateur)

    for _ in range(8):  # two hours, a page every quarter of an hour
        assert client.get(QUEUE).status_code == 200
        clock(15)
    client.post(PROFILE, {})  # a form sent counts as much as a page
    clock(29)
    assert client.get(QUEUE).status_code == 200

    clock(31)
    assert client.get(QUEUE)["Location"] == f"{LOGIN}?next={QUEUE}"


def test_a_resident_session_left_as_long_is_not_concerned(client, clock, alice, mediateur):
    staff = Client()
    staff.force_login(mediateur)
    client.force_login(alice)
    assert staff.get(PROFILE).status_code == client.get(PROFILE).status_code == 200

    clock(6 * 60)

    assert staff.get(PROFILE).status_code == 302
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert REASON not in response.content.decode()
    assert idle.LAST_SEEN not in client.session


def test_what_a_script_fetches_by_itself_does_not_keep_a_staff_session_alive(
    client, clock, mediateur
):
    client.force_login(mediateur)
    assert client.get(QUEUE).status_code == 200
    for _ in range(3):  # a live counter refreshed every ten minutes
        clock(10)
        assert client.get(QUEUE, headers=SCRIPT).status_code == 200

    clock(1)
    fetched = client.get(PROFILE, headers=SCRIPT)

    # Signed out; the page answers as to anyone not signed in, and the reason waits for
    # the next page.
    assert fetched.status_code == 302
    assert fetched["Location"].startswith(LOGIN)
    assert REASON in client.get(LOGIN).content.decode()


def test_the_limit_is_the_setting(client, clock, mediateur, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(mediateur)
    assert client.get(QUEUE).status_code == 200

    clock(4)
    assert client.get(QUEUE).status_code == 200
    clock(6)
    response = client.get(QUEUE, follow=True)

    assert response.redirect_chain[0][0] == f"{LOGIN}?next={QUEUE}"
    assert "après 5 minutes sans activité" in response.content.decode()


def test_the_clock_starts_at_sign_in(client, clock, mediateur):
    client.post(LOGIN, {"login": mediateur.email, "password": "mot-de-passe-solide-2030"})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(settings.DEMO_TOTP_SECRET)})
    assert idle.LAST_SEEN in client.session

    clock(31)

    assert client.get(QUEUE)["Location"] == f"{LOGIN}?next={QUEUE}"


def test_the_session_is_written_at_most_once_a_minute(client, clock, mediateur, monkeypatch):
    client.force_login(mediateur)
    saves = []
    save = SessionStore.save

    def counting_save(self, *args, **kwargs):
        saves.append(self.get(idle.LAST_SEEN))
        return save(self, *args, **kwargs)

    monkeypatch.setattr(SessionStore, "save", counting_save)

    client.get(QUEUE)  # the first request starts the clock
    for _ in range(5):  # then a page every 15 seconds
        clock(0.25)
        client.get(QUEUE)

    assert saves == [saves[0], saves[0] + 60]
