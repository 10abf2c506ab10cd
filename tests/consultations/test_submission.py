"""A resident posts an expression: the form, its errors, and what happens afterwards."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from consultations.models import Expression, ExpressionStep, Status, Visibility
from participation.audit.models import AuditEntry
from participation.notifications.models import Notification
from tests.factories import UserFactory

from .factories import ConsultationFactory

URL = reverse("consultations:expression_create")


def form_data(quartier, **overrides):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": quartier.pk,
        "text": "Les jeunes n'ont nulle part où aller le soir.",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_form_starts_on_the_residents_own_quartier(client_for, alice_in_rimbart, cite5):
    response = client_for(alice_in_rimbart).get(URL)

    assert response.status_code == 200
    assert response.context["form"].current_quartier == alice_in_rimbart.quartier
    html = response.content.decode()
    assert f'<option value="{alice_in_rimbart.quartier.pk}" selected>' in html


@pytest.mark.django_db
def test_it_lists_the_objectives_of_the_quartier_grouped_by_enjeu(
    client_for, alice_in_rimbart, mediation_rimbart, jardin_cite5
):
    response = client_for(alice_in_rimbart).get(URL)

    html = response.content.decode()
    assert "Renforcer la médiation sociale" in html
    assert f'id="objectif-{mediation_rimbart.pk}"' in html
    assert f'id="objectif-{jardin_cite5.pk}"' not in html
    assert "je ne sais pas" in html.lower()


@pytest.mark.django_db
def test_a_resident_posts_an_expression_that_waits_for_moderation(
    client_for, alice_in_rimbart, mediation_rimbart, live_events, django_capture_on_commit_callbacks
):
    client = client_for(alice_in_rimbart)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, form_data(alice_in_rimbart.quartier, objectifs=[mediation_rimbart.pk])
        )

    expression = Expression.objects.get()
    assert response.status_code == 302
    assert response["Location"] == expression.get_absolute_url()
    assert expression.status == Status.SOUMISE
    assert expression.author == alice_in_rimbart
    assert list(expression.objectifs.all()) == [mediation_rimbart]
    assert not expression.objectifs_unknown
    assert list(expression.steps.values_list("status", flat=True)) == [Status.SOUMISE]
    assert AuditEntry.objects.filter(action="expression.soumise", target_id=str(expression.pk))
    assert Notification.objects.filter(user=alice_in_rimbart).count() == 1
    assert len(mail.outbox) == 1
    assert "bien reçue" in mail.outbox[0].body
    announced = [e for g, e in live_events if g == "moderation" and e["id"] == expression.pk]
    assert [e["type"] for e in announced] == ["expression.submitted"]


@pytest.mark.django_db
def test_without_objective_the_mediators_will_link_it(client_for, alice_in_rimbart):
    client_for(alice_in_rimbart).post(
        URL, form_data(alice_in_rimbart.quartier, objectifs_unknown="on")
    )

    assert Expression.objects.get().objectifs_unknown


@pytest.mark.django_db
def test_an_unverified_email_gets_a_page_explaining_how_to_verify(client_for, rimbart):
    unverified = UserFactory(verified=False, quartier=rimbart)

    response = client_for(unverified).get(URL)

    assert response.status_code == 403
    html = response.content.decode()
    assert "vérifier votre adresse électronique" in html
    assert 'name="action_send"' in html
    assert client_for(unverified).post(URL, form_data(rimbart)).status_code == 403
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, rimbart):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _error_for(response, field):
    return response.context["form"].errors.get(field)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Écrivez votre message"),
        ("   \n  ", "Écrivez votre message"),
        ("x" * 20_000, "20 000 caractères"),
    ],
)
def test_an_empty_or_huge_text_is_refused_and_the_rest_is_kept(
    client_for, alice_in_rimbart, mediation_rimbart, text, expected
):
    data = form_data(
        alice_in_rimbart.quartier,
        text=text,
        objectifs=[mediation_rimbart.pk],
        photo_description="Le banc cassé",
        visibility=Visibility.PRIVATE,
    )

    response = client_for(alice_in_rimbart).post(URL, data)

    assert response.status_code == 200
    assert expected in " ".join(_error_for(response, "text"))
    html = response.content.decode()
    assert 'value="Le banc cassé"' in html
    assert f'value="{mediation_rimbart.pk}" id="objectif-{mediation_rimbart.pk}" checked' in html
    assert f'value="{data["idempotency_key"]}"' in html
    assert 'value="privee" id="id_visibility_2" checked' in html or (
        'value="privee"' in html and "checked" in html
    )
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_objective_of_another_quartier_is_refused_in_french(
    client_for, alice_in_rimbart, jardin_cite5
):
    data = form_data(alice_in_rimbart.quartier, objectifs=[jardin_cite5.pk])

    response = client_for(alice_in_rimbart).post(URL, data)

    assert response.status_code == 200
    errors = " ".join(_error_for(response, "objectifs"))
    assert "Un jardin partagé" in errors and "autre quartier" in errors
    assert data["text"] in response.content.decode().replace("&#x27;", "'")
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_closed_consultation_takes_no_more_expressions(client_for, alice_in_rimbart):
    closed = ConsultationFactory(
        closed=True, title="Bilan Nos Quartiers d'Été", quartiers=[alice_in_rimbart.quartier]
    )

    response = client_for(alice_in_rimbart).post(
        URL, form_data(alice_in_rimbart.quartier, consultation=closed.pk)
    )

    assert response.status_code == 200
    assert "est close" in " ".join(_error_for(response, "consultation"))
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_open_consultation_of_another_quartier_is_refused(client_for, alice_in_rimbart, cite5):
    elsewhere = ConsultationFactory(quartiers=[cite5])

    response = client_for(alice_in_rimbart).post(
        URL, form_data(alice_in_rimbart.quartier, consultation=elsewhere.pk)
    )

    assert "ne concerne pas Rimbart" in " ".join(_error_for(response, "consultation"))


@pytest.mark.django_db
def test_answering_an_open_consultation(client_for, alice_in_rimbart):
    jeunesse = ConsultationFactory(
        title="Table ronde jeunesse", quartiers=[alice_in_rimbart.quartier]
    )
    client = client_for(alice_in_rimbart)

    page = client.get(URL + f"?consultation={jeunesse.slug}")
    client.post(URL, form_data(alice_in_rimbart.quartier, consultation=jeunesse.pk))

    assert page.context["form"].initial["consultation"] == jeunesse.pk
    assert Expression.objects.get().consultation == jeunesse


@pytest.mark.django_db
def test_changing_quartier_without_javascript_keeps_what_was_typed(
    client_for, alice_in_rimbart, cite5, jardin_cite5
):
    data = form_data(cite5, action="refresh")

    response = client_for(alice_in_rimbart).post(URL, data)

    assert response.status_code == 200
    assert not response.context["form"].errors
    html = response.content.decode()
    assert "Un jardin partagé" in html
    assert "Les jeunes n&#x27;ont nulle part où aller le soir." in html
    assert data["idempotency_key"] in html
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_html_and_script_in_the_text_are_shown_as_text(client_for, alice_in_rimbart):
    client = client_for(alice_in_rimbart)
    client.post(
        URL, form_data(alice_in_rimbart.quartier, text='<script>alert("x")</script><b>gras</b>')
    )
    expression = Expression.objects.get()

    html = client.get(expression.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in html


@pytest.mark.django_db
def test_the_same_form_sent_twice_creates_one_expression(client_for, alice_in_rimbart):
    client = client_for(alice_in_rimbart)
    data = form_data(alice_in_rimbart.quartier)

    first = client.post(URL, data)
    second = client.post(URL, data)

    assert Expression.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert ExpressionStep.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_from_two_accounts_makes_two_expressions(client_for, alice_in_rimbart, bob):
    data = form_data(alice_in_rimbart.quartier)
    client_for(alice_in_rimbart).post(URL, data)
    client_for(bob).post(URL, data)

    assert Expression.objects.count() == 2


@pytest.mark.django_db
def test_too_many_messages_in_an_hour_get_a_clear_message_and_keep_the_form(
    client_for, alice_in_rimbart, settings
):
    settings.EXPRESSION_RATE_LIMIT = "2/h"
    client = client_for(alice_in_rimbart)
    for _ in range(2):
        client.post(URL, form_data(alice_in_rimbart.quartier))

    response = client.post(URL, form_data(alice_in_rimbart.quartier, text="Un troisième message"))

    assert response.status_code == 429
    assert "attendez environ" in response.content.decode()
    assert "Un troisième message" in response.content.decode()
    assert Expression.objects.count() == 2


@pytest.mark.django_db
def test_a_replay_is_not_counted_against_the_rate_limit(client_for, alice_in_rimbart, settings):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = client_for(alice_in_rimbart)
    data = form_data(alice_in_rimbart.quartier)
    client.post(URL, data)

    replay = client.post(URL, data)

    assert replay.status_code == 302
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_submission_succeeds_while_the_broker_is_down_and_the_email_follows(
    client_for, alice_in_rimbart, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from participation.notifications import tasks as notification_tasks
    from participation.notifications.models import Email

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis injoignable")

    original_delay = notification_tasks.send_email.delay
    monkeypatch.setattr(notification_tasks.send_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice_in_rimbart).post(URL, form_data(alice_in_rimbart.quartier))

    assert response.status_code == 302
    assert Expression.objects.count() == 1
    assert mail.outbox == []
    email = Email.objects.get(to=alice_in_rimbart.email)
    assert email.sent_at is None

    # The broker is back: the periodic sweep sends what was left.
    monkeypatch.setattr(notification_tasks.send_email, "delay", original_delay)
    Email.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    notification_tasks.send_pending_emails()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice_in_rimbart.email]


@pytest.mark.django_db
def test_submission_succeeds_while_the_cache_is_down(client_for, alice_in_rimbart, monkeypatch):
    from django.core.cache import caches

    def cache_down(*args, **kwargs):
        raise ConnectionError("Redis injoignable")

    monkeypatch.setattr(caches["default"], "add", cache_down)

    response = client_for(alice_in_rimbart).post(URL, form_data(alice_in_rimbart.quartier))

    assert response.status_code == 302
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_publishing_with_ones_name_needs_a_display_name(client_for, rimbart):
    nameless = UserFactory(display_name="", quartier=rimbart)

    response = client_for(nameless).post(
        URL, form_data(rimbart, visibility=Visibility.PUBLIC_NAMED)
    )

    assert "nom affiché" in " ".join(_error_for(response, "visibility"))


@pytest.mark.django_db
def test_mes_expressions_lists_them_with_their_status(client_for, alice_in_rimbart):
    from .factories import ExpressionFactory

    ExpressionFactory(author=alice_in_rimbart, quartier=alice_in_rimbart.quartier, text="Premier")
    ExpressionFactory(
        author=alice_in_rimbart,
        quartier=alice_in_rimbart.quartier,
        text="Deuxième",
        status=Status.REJETEE,
    )
    ExpressionFactory(text="Celui de quelqu'un d'autre")

    html = (
        client_for(alice_in_rimbart).get(reverse("consultations:my_expressions")).content.decode()
    )

    assert "Premier" in html and "Deuxième" in html
    assert "En attente de lecture" in html and "Non publiée" in html
    assert "quelqu&#x27;un d&#x27;autre" not in html


@pytest.mark.django_db
def test_the_verification_email_can_be_sent_again_from_the_page(client_for, rimbart):
    unverified = UserFactory(verified=False, quartier=rimbart)
    client = client_for(unverified)

    response = client.post(reverse("account_email"), {"email": unverified.email, "action_send": ""})

    assert response.status_code == 302
    assert mail.outbox and mail.outbox[0].to == [unverified.email]
