from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """An append-only trace of one action: who, when, on what, from which state to which, why."""

    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur de l'action"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("type d'objet"), max_length=60)
    target_id = models.CharField(_("identifiant de l'objet"), max_length=40)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des actions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    @property
    def label_for_staff(self) -> str:
        """Who acted, as the moderation pages say it: staff by address, a resident by number.

        The author of an anonymous expression and the people who reported it stay unknown
        to the mediators; the référent's whole export keeps the address (``actor_label``).
        Read with ``select_related("actor")``.
        """
        actor = self.actor
        if actor is not None and not actor.is_staff_role:
            return _("habitant·e n° %(number)s") % {"number": actor.pk}
        return self.actor_label
