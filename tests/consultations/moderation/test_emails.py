"""The author hears of each step once: in the application, live, and by email as they
chose; an email task that fails and is retried, or is delivered twice, sends one email."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import send_mail as real_send_mail

from consultations.models import Status
from consultations.moderation import aiguillage
from consultations.moderation import services as moderation
from participation.core import realtime
from participation.notifications.models import Email, Notification
from participation.notifications.tasks import send_email, send_pending_emails
from tests.consultations.factories import ExpressionFactory


@pytest.mark.django_db
def test_each_step_is_told_once_in_the_application_live_and_by_email(
    mediateur, alice, copil, live_events, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with django_capture_on_commit_callbacks(execute=True):
        moderation.publish(expression, actor=mediateur)
    with django_capture_on_commit_callbacks(execute=True):
        aiguillage.route(expression, actor=mediateur, instances=[copil])

    assert [m.subject for m in mail.outbox] == [f"Votre expression n° {expression.pk}"] * 2
    assert "publiée" in mail.outbox[0].body
    assert "Comité de Pilotage Cohésion Sociale" in mail.outbox[1].body
    assert Notification.objects.filter(user=alice, read_at__isnull=True).count() == 2
    personal = [e for g, e in live_events if g == realtime.user_group(alice.pk)]
    assert [e["type"] for e in personal] == ["notification", "notification"]


@pytest.mark.django_db
def test_an_author_who_declined_emails_is_told_in_the_application_only(
    mediateur, alice, django_capture_on_commit_callbacks
):
    alice.notify_by = "none"
    alice.save()
    expression = ExpressionFactory(author=alice)

    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject(expression, actor=mediateur, reason="hors_sujet")

    assert mail.outbox == []
    assert Notification.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_a_retried_email_task_sends_the_step_once(
    mediateur, alice, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(author=alice)
    calls = []

    def smtp_down_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise ConnectionError("serveur de courriel injoignable")
        return real_send_mail(*args, **kwargs)

    with mock.patch("participation.notifications.tasks.send_mail", side_effect=smtp_down_once):
        with django_capture_on_commit_callbacks(execute=True):
            moderation.publish(expression, actor=mediateur)
        stored = Email.objects.get()
        assert stored.sent_at is None and mail.outbox == []

        # Celery runs the retry; then the same task is delivered again (acks_late).
        send_email.apply(args=[stored.pk])
        send_email.apply(args=[stored.pk])
        send_pending_emails.apply()

    assert len(calls) == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    stored.refresh_from_db()
    assert stored.sent_at is not None


@pytest.mark.django_db
def test_the_header_counts_the_authors_unread_notifications(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice)
    client = client_for(alice)
    assert "data-live-notifications>Notifications</a>" in client.get("/").content.decode()

    moderation.publish(expression, actor=mediateur)

    html = client.get("/").content.decode()
    assert 'data-live-notifications>Notifications <span class="badge">1</span>' in html
    client.post("/notifications/lues/")
    assert '<span class="badge">' not in client.get("/").content.decode()
