from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsultationQuerySet(models.QuerySet):
    def open(self, today=None):
        today = today or timezone.localdate()
        return self.filter(opens_on__lte=today, closes_on__gte=today)

    def closed(self, today=None):
        return self.filter(closes_on__lt=today or timezone.localdate())

    def for_quartier(self, quartier):
        return self.filter(quartiers=quartier)


class Consultation(models.Model):
    """A call for expression opened by the référent: a question, for some quartiers, for a time."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse courte"), max_length=80, unique=True)
    question = models.TextField(
        _("question posée"), help_text=_("En mots simples, comme on la poserait au stand.")
    )
    description = models.TextField(_("présentation"), blank=True)
    quartiers = models.ManyToManyField(
        "territory.Quartier", verbose_name=_("quartiers concernés"), related_name="consultations"
    )
    objectifs = models.ManyToManyField(
        "territory.Objectif",
        verbose_name=_("objectifs concernés"),
        related_name="consultations",
        blank=True,
    )
    opens_on = models.DateField(_("ouverte à partir du"))
    closes_on = models.DateField(_("close après le"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouverte par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:consultation_detail", kwargs={"slug": self.slug})

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    @property
    def is_closed(self) -> bool:
        return self.closes_on < timezone.localdate()

    @property
    def is_upcoming(self) -> bool:
        return self.opens_on > timezone.localdate()

    @property
    def state_label(self) -> str:
        if self.is_closed:
            return _("close")
        if self.is_upcoming:
            return _("bientôt ouverte")
        return _("ouverte")
