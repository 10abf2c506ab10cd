"""Bursts are stopped, in French, without telling whether an account exists.

The limits under test are the configured ones (``ACCOUNT_RATE_LIMITS`` in settings, the
expression limit of ``participation.settings``), not lowered copies: what a commune runs is
what is checked. Each refusal must be the platform's own French page or form message, never
a 500 nor a bare « 429 Too Many Requests ». For the account forms, an unknown address gets
exactly the same answers as a known one, refusal included (no user enumeration).

allauth counts per IP address and per email: each series that must not share the IP budget
of another comes from its own address (``REMOTE_ADDR``). Time stands still during each test,
so that a slow machine cannot let a window slide between the first request and the last.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from consultations.models import Expression, Visibility
from evenements.models import Inscription
from tests.evenements.factories import EvenementFactory
from tests.factories import QuartierFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2030"
KNOWN = "alice.limites@example.org"
UNKNOWN = "personne.limites@example.org"
TOO_MANY_LOGINS = "Trop d'essais de connexion"
FRENCH_429_PAGE = "Trop d'essais en peu de temps"


@pytest.fixture(autouse=True)
def _one_instant(time_machine):
    """Each burst happens within one instant, however slow the machine: the windows
    (« per minute », « per hour ») neither slide nor turn during a test."""
    time_machine.move_to(dt.datetime.now(dt.UTC), tick=False)


@pytest.fixture(autouse=True)
def _patient_cache(settings, caplog):
    """Counters that are really counted: in production mode a Redis read slower than the
    1 s socket timeout counts as a miss (the limits fail open, by design, during an outage),
    which a busy test machine must not turn into a lost count. If one is lost all the same,
    the test says so instead of failing on a count."""
    caches = copy.deepcopy(settings.CACHES)
    if "Redis" in caches["default"]["BACKEND"]:
        options = caches["default"].setdefault("OPTIONS", {})
        options.update(socket_timeout=10, socket_connect_timeout=10)
        settings.CACHES = caches
    yield
    lost = [r.getMessage() for r in caplog.records if "Redis cache unreachable" in r.getMessage()]
    assert not lost, f"counts were lost, the cache failed open: {lost[:3]}"


@pytest.fixture
def known(db):
    return UserFactory(email=KNOWN, password=PASSWORD, display_name="Alice")


def rate(action: str, part: str) -> int:
    """The count of ``part`` ("ip" or "key") in the configured allauth limit of ``action``."""
    for single in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        count, _period, *kind = single.split("/")
        if (kind or ["ip"])[0] == part:
            return int(count)
    raise AssertionError(f"no {part} limit configured for {action}")


def text_of(response) -> str:
    """The visible answer: the page's text without the per-response CSRF token."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    return body


def answer(response, email: str = "") -> tuple:
    """What a person (or a script) can tell from a response, the email typed set aside."""
    text = text_of(response)
    if email:
        text = text.replace(email, "EMAIL")
    return response.status_code, response.get("Location", ""), text


def assert_french_platform_page(response) -> None:
    body = response.content.decode()
    assert response.status_code != 500
    assert '<html lang="fr">' in body, "not the platform's layout"
    assert 'class="skip-link"' in body, "not the platform's layout"
    assert "Too Many Requests" not in body and "Traceback" not in body


def assert_french_429_page(response) -> None:
    assert response.status_code == 429, response.status_code
    assert_french_platform_page(response)
    assert FRENCH_429_PAGE in response.content.decode()


# --- Sign in ----------------------------------------------------------------------------------


def wrong_passwords(email: str, address: str, count: int) -> list[tuple]:
    client = Client(REMOTE_ADDR=address)
    return [
        answer(
            client.post(reverse("account_login"), {"login": email, "password": "pas-le-bon"}),
            email,
        )
        for _ in range(count)
    ]


def test_wrong_passwords_are_stopped_for_an_account_with_a_french_message(known, time_machine):
    per_email = rate("login_failed", "key")
    answers = wrong_passwords(KNOWN, "10.0.0.1", per_email + 1)

    for status, _location, text in answers[:per_email]:
        assert status == 200
        assert "L&#x27;adresse électronique ou le mot de passe est incorrect" in text
    status, _location, text = answers[-1]
    assert status == 200
    assert TOO_MANY_LOGINS in text.replace("&#x27;", "'")
    # Even the right password is refused while the limit holds: the burst is really stopped.
    client = Client(REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("account_login"), {"login": KNOWN, "password": PASSWORD})
    assert response.status_code == 200
    assert TOO_MANY_LOGINS in response.content.decode().replace("&#x27;", "'")
    assert client.get(reverse("accounts:profile")).status_code == 302
    # Once the window has passed, the same password opens the account.
    time_machine.shift(dt.timedelta(minutes=6))
    response = client.post(reverse("account_login"), {"login": KNOWN, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_passwords_get_the_same_answers_for_an_unknown_address(known):
    count = rate("login_failed", "key") + 1
    for_known = wrong_passwords(KNOWN, "10.0.1.1", count)
    for_unknown = wrong_passwords(UNKNOWN, "10.0.1.2", count)

    assert for_unknown == for_known


def test_a_burst_of_sign_in_attempts_from_one_address_gets_the_french_429_page(db):
    client = Client(REMOTE_ADDR="10.0.2.1")
    per_ip = rate("login", "ip")
    responses = [
        client.post(
            reverse("account_login"),
            {"login": f"essai{n}@example.org", "password": "pas-le-bon"},
        )
        for n in range(per_ip + 1)
    ]

    assert all(r.status_code == 200 for r in responses[:per_ip]), [r.status_code for r in responses]
    assert_french_429_page(responses[-1])
    # Another address is not punished for it.
    other = Client(REMOTE_ADDR="10.0.2.2").post(
        reverse("account_login"), {"login": UNKNOWN, "password": "pas-le-bon"}
    )
    assert other.status_code == 200


# --- Sign up ----------------------------------------------------------------------------------


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_signing_up_with_a_taken_address_answers_as_for_a_new_one(known):
    taken = sign_up(Client(REMOTE_ADDR="10.0.3.1"), KNOWN)
    new = sign_up(Client(REMOTE_ADDR="10.0.3.2"), "nouvelle.limites@example.org")

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]


def test_a_burst_of_sign_ups_gets_the_french_429_page_whatever_the_address(known):
    client = Client(REMOTE_ADDR="10.0.4.1")
    per_ip = rate("signup", "ip")
    responses = [sign_up(client, f"inscription{n}@example.org") for n in range(per_ip)]
    assert all(r.status_code == 302 for r in responses), [r.status_code for r in responses]

    # New browsers from the same address: the messages of the first sign-ups are not shown.
    refused_new = sign_up(Client(REMOTE_ADDR="10.0.4.1"), "une.de.plus@example.org")
    refused_taken = sign_up(Client(REMOTE_ADDR="10.0.4.1"), KNOWN)

    assert_french_429_page(refused_new)
    assert answer(refused_taken, KNOWN) == answer(refused_new, "une.de.plus@example.org")


# --- Sign-in codes by email ---------------------------------------------------------------------


def code_requests(email: str, address: str, count: int) -> list[tuple]:
    answers = []
    for _ in range(count):
        # A new browser each time: the limit holds by address and email, not by session.
        client = Client(REMOTE_ADDR=address)
        response = client.post(reverse("account_request_login_code"), {"email": email})
        answers.append(answer(response, email))
    return answers


def test_sign_in_codes_are_limited_per_address_with_a_french_message(known):
    per_email = rate("request_login_code", "key")
    answers = code_requests(KNOWN, "10.0.5.1", per_email + 1)

    for status, location, _text in answers[:per_email]:
        assert status == 302 and location == reverse("account_confirm_login_code")
    status, _location, text = answers[-1]
    assert status == 200
    assert TOO_MANY_LOGINS in text.replace("&#x27;", "'")


def test_sign_in_codes_get_the_same_answers_for_an_unknown_address(known):
    count = rate("request_login_code", "key") + 1
    for_known = code_requests(KNOWN, "10.0.6.1", count)
    for_unknown = code_requests(UNKNOWN, "10.0.6.2", count)

    assert for_unknown == for_known


def test_a_burst_of_code_requests_from_one_address_is_stopped(db):
    per_ip = rate("request_login_code", "ip")
    answers = [
        answer(
            Client(REMOTE_ADDR="10.0.7.1").post(
                reverse("account_request_login_code"), {"email": f"code{n}@example.org"}
            )
        )
        for n in range(per_ip + 1)
    ]

    assert all(status == 302 for status, _l, _t in answers[:per_ip])
    status, _location, text = answers[-1]
    assert status == 200
    assert TOO_MANY_LOGINS in text.replace("&#x27;", "'")


# --- Password reset ---------------------------------------------------------------------------


def reset_requests(email: str, address: str, count: int) -> list:
    client = Client(REMOTE_ADDR=address)
    return [client.post(reverse("account_reset_password"), {"email": email}) for _ in range(count)]


def test_password_reset_requests_are_limited_with_the_french_429_page(known, mailoutbox):
    per_email = rate("reset_password", "key")
    responses = reset_requests(KNOWN, "10.0.8.1", per_email + 1)

    for response in responses[:per_email]:
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password_done")
    assert_french_429_page(responses[-1])
    assert len([m for m in mailoutbox if KNOWN in m.to]) == per_email


def test_password_reset_answers_the_same_for_an_unknown_address(known):
    count = rate("reset_password", "key") + 1
    for_known = [answer(r, KNOWN) for r in reset_requests(KNOWN, "10.0.9.1", count)]
    for_unknown = [answer(r, UNKNOWN) for r in reset_requests(UNKNOWN, "10.0.9.2", count)]

    assert for_unknown == for_known


# --- Expressions ------------------------------------------------------------------------------


def expression_limit() -> int:
    return int(getattr(settings, "EXPRESSION_RATE_LIMIT", "10/h").split("/")[0])


def test_a_burst_of_expressions_is_stopped_in_french_and_keeps_what_was_typed(client):
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    resident = UserFactory(email="rafale@example.org", quartier=rimbart)
    client.force_login(resident)
    url = reverse("consultations:expression_create")
    limit = expression_limit()

    def post(text):
        return client.post(
            url,
            {
                "idempotency_key": str(uuid.uuid4()),
                "quartier": rimbart.pk,
                "text": text,
                "visibility": Visibility.PUBLIC_ANONYMOUS,
            },
        )

    accepted = [post(f"Message numéro {n} sur l'éclairage de la rue.") for n in range(limit)]
    assert all(r.status_code == 302 for r in accepted), [r.status_code for r in accepted]

    refused = post("Un message de trop, mais qu'il ne faut pas perdre.")

    assert refused.status_code == 429
    assert_french_platform_page(refused)
    body = refused.content.decode().replace("&#x27;", "'")
    assert "attendez environ" in body
    assert "Un message de trop, mais qu'il ne faut pas perdre." in body
    assert Expression.objects.filter(author=resident).count() == limit


# --- Event registrations ------------------------------------------------------------------------

REGISTRATION_BURST = 40


def test_a_burst_of_event_registrations_is_stopped_in_french(client):
    """A script registering one account to event after event is stopped (each registration
    takes places and sends an email). No resident registers to 40 events in one go."""
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    resident = UserFactory(email="inscriptions@example.org", quartier=rimbart)
    client.force_login(resident)
    events = EvenementFactory.create_batch(REGISTRATION_BURST, quartiers=[rimbart], capacity=50)

    refused = None
    statuses = []
    for event in events:
        response = client.post(
            reverse("evenements:register", args=[event.pk]),
            {"adults": 1, "children": 0},
            follow=True,
        )
        statuses.append(response.redirect_chain[0][1] if response.redirect_chain else 200)
        assert response.status_code != 500
        if not Inscription.objects.filter(user=resident, evenement=event).exists():
            refused = response
            break

    assert refused is not None, (
        f"{REGISTRATION_BURST} registrations in a row were all accepted ({statuses.count(302)}"
        " × 302): event registration has no rate limit"
    )
    assert refused.status_code in (200, 429)
    assert_french_platform_page(refused)
    body = refused.content.decode()
    assert "message-error" in body or "form-errors" in body, "the refusal is not explained"
