"""Retention: the contacts of people without account are forgotten after CONTACT_RETENTION_DAYS."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from consultations.models import Expression, Source
from evenements.models import Inscription
from evenements.rgpd import ANONYMISED_NAME
from participation.accounts import tasks
from participation.notifications.models import Email
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def guest(event, *, name: str, registered_days_ago: int) -> Inscription:
    inscription = InscriptionFactory(
        evenement=event,
        user=None,
        name=name,
        phone="06 12 34 56 78",
        email=f"{name.lower()}@example.org",
        contact_consent=True,
        contact_consent_at=days_ago(registered_days_ago),
    )
    # created_at is set on insert; move it back in time as if it had been recorded then.
    Inscription.objects.filter(pk=inscription.pk).update(created_at=days_ago(registered_days_ago))
    return inscription


def field_expression(*, contact: str, recorded_days_ago: int) -> Expression:
    return ExpressionFactory(
        author=None,
        source=Source.STAND,
        contact=contact,
        contact_consent=True,
        created_at=days_ago(recorded_days_ago),
    )


def sent_email(*, to: str, sent_days_ago: int) -> Email:
    email = Email.objects.create(to=to, subject="Inscription confirmée", body="…")
    moment = days_ago(sent_days_ago)
    Email.objects.filter(pk=email.pk).update(created_at=moment, sent_at=moment)
    return email


@pytest.fixture
def records(alice):
    """Contacts on both sides of the default period (365 days)."""
    old_event = EvenementFactory(starts_at=in_days(-400))
    recent_event = EvenementFactory(starts_at=in_days(-10))
    series_event = EvenementFactory(starts_at=in_days(20))
    return {
        "old_guest": guest(old_event, name="Karim", registered_days_ago=410),
        "recent_guest": guest(recent_event, name="Louise", registered_days_ago=20),
        # Registered long ago to an occurrence still to come: must still be told of changes.
        "coming_guest": guest(series_event, name="Malik", registered_days_ago=400),
        "old_account": InscriptionFactory(evenement=old_event, user=alice),
        "old_field": field_expression(contact="06 00 00 00 01", recorded_days_ago=400),
        "recent_field": field_expression(contact="nadia@example.org", recorded_days_ago=30),
        "old_email": sent_email(to="karim@example.org", sent_days_ago=400),
        "recent_email": sent_email(to="louise@example.org", sent_days_ago=3),
    }


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_contacts", *args, stdout=out)
    return out.getvalue()


def test_only_contacts_older_than_the_period_are_forgotten(records, alice):
    output = purge()

    old = Inscription.objects.get(pk=records["old_guest"].pk)
    assert (old.name, old.phone, old.email, old.contact_consent) == (ANONYMISED_NAME, "", "", False)
    assert old.contact_consent_at is None  # no date of a consent no one can be traced to
    for key, name in [("recent_guest", "Louise"), ("coming_guest", "Malik")]:
        kept = Inscription.objects.get(pk=records[key].pk)
        assert (kept.name, kept.phone) == (name, "06 12 34 56 78")
    assert Inscription.objects.get(pk=records["old_account"].pk).user == alice
    old_field = Expression.objects.get(pk=records["old_field"].pk)
    assert (old_field.contact, old_field.contact_consent) == ("", False)
    assert Expression.objects.get(pk=records["recent_field"].pk).contact == "nadia@example.org"
    assert not Email.objects.filter(pk=records["old_email"].pk).exists()
    assert Email.objects.filter(pk=records["recent_email"].pk).exists()
    assert "evenements : 1 effacés" in output
    assert "consultations : 1 effacés" in output
    assert "courriels : 1 effacés" in output
    assert "Total : 3 effacés." in output


def test_purging_twice_changes_nothing_more(records):
    purge()

    output = purge()

    assert "Total : 0 effacés." in output


def test_a_dry_run_counts_and_changes_nothing(records):
    output = purge("--dry-run")

    assert "Total : 3 seraient effacés. Rien n'a été modifié." in output
    assert Inscription.objects.get(pk=records["old_guest"].pk).name == "Karim"
    assert Expression.objects.get(pk=records["old_field"].pk).contact == "06 00 00 00 01"
    assert Email.objects.filter(pk=records["old_email"].pk).exists()


def test_the_period_comes_from_the_command_line_or_the_setting(records, settings):
    settings.CONTACT_RETENTION_DAYS = 5

    assert "Total : 4 effacés." in purge("--days", "25")
    assert Inscription.objects.get(pk=records["recent_guest"].pk).name == "Louise"
    assert Expression.objects.get(pk=records["recent_field"].pk).contact == ""

    counts = tasks.purge_contacts.delay().get()

    assert counts == {"evenements": 1, "consultations": 0, "courriels": 0}
    assert Inscription.objects.get(pk=records["recent_guest"].pk).name == ANONYMISED_NAME
    assert Inscription.objects.get(pk=records["coming_guest"].pk).name == "Malik"


def test_the_purge_runs_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-contacts"]

    assert entry["task"] == "participation.accounts.tasks.purge_contacts"
    assert tasks.purge_contacts.name == entry["task"]


def test_a_period_below_one_day_is_refused():
    with pytest.raises(Exception, match="au moins un jour"):
        purge("--days", "0")
