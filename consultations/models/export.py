"""A long export of expressions, prepared by Celery and downloaded by its requester only."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..storage import PrivateStorage


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", _("CSV (tableur, séparateur point-virgule)")
        XLSX = "xlsx", _("Excel (.xlsx)")

    class State(models.TextChoices):
        PENDING = "attente", _("en attente")
        RUNNING = "en_cours", _("en préparation")
        READY = "prete", _("prête")
        FAILED = "echouee", _("échouée")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    query = models.CharField(
        _("filtres"), max_length=2000, blank=True, help_text=_("Les filtres du tableau de bord.")
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    done = models.PositiveIntegerField(_("lignes écrites"), default=0)
    file = models.FileField(
        _("fichier"), storage=PrivateStorage(), upload_to="exports/", blank=True, max_length=200
    )
    error = models.CharField(_("erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:export_job", kwargs={"pk": self.pk})

    @property
    def progress(self) -> int:
        """Percentage written, 0 to 100."""
        if self.state == self.State.READY:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.created_at).strftime("%Y-%m-%d-%H%M")
        return f"expressions-{stamp}.{self.format}"
