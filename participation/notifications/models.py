import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """What the application tells one person: shown in the app, live, with an unread counter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("lien"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class Outgoing(models.Model):
    """A message stored first, in the transaction that decided to send it, then sent by an
    on-commit task with retries; a beat sweep sends what the broker lost."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("texte"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Email(Outgoing):
    """An email: sent by ``tasks.send_email``, which holds the row's lock while it sends."""

    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=250)

    class Meta(Outgoing.Meta):
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Sms(Outgoing):
    """An SMS: sent by ``sms.deliver_sms``, claimed so that it is never sent twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.CharField(_("destinataire"), max_length=20)  # E.164, « +33612345678 »
    kind = models.CharField(_("sorte"), max_length=40)
    # The running attempt: set, with ``attempt_id``, before the provider is called; a claim
    # older than SMS_CLAIM_SECONDS belongs to an attempt that died (worker killed).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempt_id = models.UUIDField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("identifiant chez l'opérateur"), max_length=100, blank=True)

    class Meta(Outgoing.Meta):
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")

    def __str__(self) -> str:
        return f"{self.to}: {self.body[:40]}"
