"""The demo accounts of the embedded mode: idempotent, staff with TOTP, never in production."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import CommandError, call_command

from participation.accounts import demo, scope
from participation.accounts.models import Role, User
from participation.territory.models import Quartier
from tests.factories import QuartierFactory

from .conftest import totp_code

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(
            User.objects.values_list("email", "display_name", "role", "quartier_id", "password")
        ),
        sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        sorted(Authenticator.objects.values_list("user__email", "type", "data")),
    )


@pytest.fixture
def quartiers():
    return [
        QuartierFactory(
            code="QP 06 20 04", slug="centre-ville", short_name="Centre-ville", position=1
        ),
        QuartierFactory(code="QP 06 20 06", slug="rimbart", short_name="Rimbart", position=4),
    ]


def test_the_documented_accounts_exist_with_their_roles(quartiers):
    demo.load(io.StringIO())

    roles = dict(User.objects.filter(email__in=demo.ACCOUNTS).values_list("email", "role"))
    assert roles == {
        "habitant@demo.auchel.fr": Role.HABITANT,
        "mediateur@demo.auchel.fr": Role.MEDIATEUR,
        "comite@demo.auchel.fr": Role.COMITE,
        "referent@demo.auchel.fr": Role.REFERENT,
        "mediateur.marles@demo.auchel.fr": Role.MEDIATEUR,
    }
    for user in User.objects.all():
        assert user.check_password(settings.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
    assert User.objects.get(email="habitant@demo.auchel.fr").quartier.slug == "rimbart"


def test_staff_accounts_have_totp_on_the_documented_secret(quartiers):
    demo.load(io.StringIO())

    for email in ["mediateur@demo.auchel.fr", "comite@demo.auchel.fr", "referent@demo.auchel.fr"]:
        authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
        assert TOTP(authenticator).validate_code(totp_code(settings.DEMO_TOTP_SECRET))
    assert not Authenticator.objects.filter(user__role=Role.HABITANT).exists()


def test_there_is_one_more_demo_resident_per_quartier(quartiers):
    demo.load(io.StringIO())

    for quartier in quartiers:
        resident = User.objects.get(email=demo.resident_email(quartier))
        assert resident.quartier == quartier
        assert resident.role == Role.HABITANT


def test_loading_twice_changes_nothing(quartiers):
    demo.load(io.StringIO())
    first = snapshot()

    out = io.StringIO()
    demo.load(out)

    assert snapshot() == first
    assert "0 créé(s)" in out.getvalue()


def test_it_loads_without_the_referential(db):
    out = io.StringIO()

    demo.load(out)

    assert User.objects.filter(email__in=demo.ACCOUNTS).count() == 5
    assert User.objects.get(email="habitant@demo.auchel.fr").quartier is None
    assert "load_referentiel" in out.getvalue()


def test_the_command_refuses_to_run_outside_the_embedded_mode(settings):
    settings.DEMO_ACCOUNTS_ENABLED = False

    with pytest.raises(CommandError, match="mode embarqué"):
        call_command("load_demo", stdout=io.StringIO())

    assert not User.objects.exists()


def test_the_mediator_of_marles_works_for_marles_only_the_others_for_the_platform(db):
    call_command("load_referentiel", stdout=io.StringIO())
    demo.load(io.StringIO())

    marles = User.objects.get(email="mediateur.marles@demo.auchel.fr")
    assert list(marles.communes.values_list("slug", flat=True)) == ["marles-les-mines"]
    assert scope.quartier_ids(marles) == {Quartier.objects.get(slug="cite-5").pk}
    assert not User.objects.get(email="mediateur@demo.auchel.fr").communes.exists()
