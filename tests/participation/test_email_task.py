import pytest

from participation.notifications import tasks
from participation.notifications.models import Email


@pytest.mark.django_db
def test_a_failed_sending_is_counted_so_the_sweep_gives_up_in_the_end(monkeypatch):
    email = Email.objects.create(to="alice@example.org", subject="Objet", body="Texte")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("relais SMTP injoignable")

    monkeypatch.setattr(tasks, "send_mail", refuse)

    with pytest.raises(Exception, match="relais SMTP injoignable|retry"):
        tasks.send_email.apply(args=[email.pk], throw=True)

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts >= 1  # committed before the retry: the sweep stops after 8
    assert "relais SMTP injoignable" in email.last_error


@pytest.mark.django_db
def test_a_stored_email_is_sent_once_even_when_its_task_runs_twice(mailoutbox):
    email = Email.objects.create(to="alice@example.org", subject="Objet", body="Texte")

    tasks.send_email.apply(args=[email.pk])
    tasks.send_email.apply(args=[email.pk])

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    assert [message.subject for message in mailoutbox] == ["Objet"]
