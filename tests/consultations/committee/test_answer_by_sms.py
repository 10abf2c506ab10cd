"""The answer to her expression reaches a resident who chose SMS: one SMS, a short link."""

import pytest
from django.core import mail
from django.utils.http import int_to_base36

from consultations.committee import services as committee
from consultations.models import Decision, Source, Visibility
from participation.accounts.models import NotifyBy
from participation.notifications.sms_backends import sms_length
from tests.factories import UserFactory

from .factories import SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db


def test_the_answer_goes_by_one_sms_with_a_short_link_to_her_expression(
    comite, instance_a, sms_outbox, settings, django_capture_on_commit_callbacks
):
    nadia = UserFactory(phone="+33612345678", phone_verified=True, notify_by=NotifyBy.SMS)
    expression = routed(instance_a, author=nadia)
    item = on_agenda(SeanceFactory(instance=instance_a), expression, title="Éclairage")

    with django_capture_on_commit_callbacks(execute=True):
        committee.record_answer(
            item,
            actor=comite,
            decision=Decision.RETENUE,
            text="Les lampadaires de la rue Jean Jaurès seront remplacés en mars ; "
            "la commune a voté le budget et l'entreprise a été choisie par l'agglomération.",
        )

    answers = [m for m in sms_outbox() if "réponse" in m["body"]]
    assert len(answers) == 1
    body = answers[0]["body"]
    assert answers[0]["to"] == "+33612345678"
    # ç is not in GSM-7 (é, è, à are): « recu » keeps the SMS at 160 characters, not 70.
    assert body.startswith("Votre expression a recu une réponse : Décision : retenue.")
    assert body.endswith(f" {settings.SITE_URL}/r/x{int_to_base36(expression.pk)}/")
    assert sms_length(body)[0] <= 160
    assert not [m for m in mail.outbox if "réponse" in m.body]


def test_the_short_link_leads_to_her_expression_which_checks_who_reads_it(
    client, client_for, instance_a, bob
):
    nadia = UserFactory(phone="+33612345678", phone_verified=True, notify_by=NotifyBy.SMS)
    expression = routed(instance_a, author=nadia, visibility=Visibility.PRIVATE)
    link = f"/r/x{int_to_base36(expression.pk)}/"

    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == expression.get_absolute_url()

    assert client_for(nadia).get(link, follow=True).status_code == 200
    assert client_for(bob).get(link, follow=True).status_code in (403, 404)
    assert client.get("/r/q1/").status_code == 404
    assert client.get("/r/x!/").status_code == 404


def answer_field_expression(instance, *, comite, mediateur, contact, visibility, on_commit):
    """A field expression with a consented ``contact``, routed to ``instance`` and answered."""
    expression = routed(
        instance,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        contact=contact,
        contact_consent=True,
        visibility=visibility,
    )
    item = on_agenda(SeanceFactory(instance=instance), expression)
    with on_commit(execute=True):
        committee.record_answer(item, actor=comite, decision=Decision.A_L_ETUDE, text="On étudie.")


@pytest.mark.parametrize(
    ("visibility", "with_link"), [(Visibility.PUBLIC_ANONYMOUS, True), (Visibility.PRIVATE, False)]
)
def test_a_field_expression_with_a_consented_mobile_gets_the_answer_by_sms(
    comite, instance_a, mediateur, sms_outbox, django_capture_on_commit_callbacks,
    visibility, with_link,
):  # fmt: skip
    answer_field_expression(
        instance_a,
        comite=comite,
        mediateur=mediateur,
        contact="06 12 34 56 78",
        visibility=visibility,
        on_commit=django_capture_on_commit_callbacks,
    )

    [answer] = [m for m in sms_outbox() if "On étudie." in m["body"]]
    assert answer["to"] == "+33612345678"
    assert ("/r/x" in answer["body"]) is with_link  # a private page would only say « non »


def test_a_field_contact_that_is_a_landline_gets_nothing(
    comite, instance_a, mediateur, sms_outbox, django_capture_on_commit_callbacks
):
    answer_field_expression(
        instance_a,
        comite=comite,
        mediateur=mediateur,
        contact="03 21 00 00 00",
        visibility=Visibility.PUBLIC_ANONYMOUS,
        on_commit=django_capture_on_commit_callbacks,
    )

    assert sms_outbox() == []
