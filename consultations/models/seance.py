"""What an instance does with what was routed to it: séances, their agenda, the answers.

Every write goes through consultations.committee.services (the service functions); these models
only hold the state.
"""

from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core.choices import ChoicesDisplayMixin


class Decision(models.TextChoices):
    """What the instance decided, in the words residents read on the answer."""

    RETENUE = "retenue", _("retenue")
    A_L_ETUDE = "a_l_etude", _("à l'étude")
    NON_RETENUE = "non_retenue", _("non retenue")
    DEJA_EN_COURS = "deja_en_cours", _("déjà en cours")


class SeanceQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now())


class Seance(models.Model):
    """One meeting of an instance, with its agenda of routed expressions."""

    instance = models.ForeignKey(
        "consultations.Instance",
        verbose_name=_("instance"),
        on_delete=models.PROTECT,
        related_name="seances",
    )
    title = models.CharField(
        _("intitulé"),
        max_length=200,
        blank=True,
        help_text=_("Facultatif : « Comité de pilotage annuel 2026 »…"),
    )
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200)
    agenda_notes = models.TextField(
        _("ordre du jour"),
        blank=True,
        help_text=_("Les autres points de la séance ; les expressions s'ajoutent ensuite."),
    )
    examined_at = models.DateTimeField(
        _("tenue le"),
        null=True,
        blank=True,
        help_text=_("Rempli quand la séance a eu lieu et que ses expressions sont examinées."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("préparée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = SeanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["instance", "-starts_at"])]

    def __str__(self) -> str:
        return self.title or _("Séance du %(date)s") % {
            "date": timezone.localtime(self.starts_at).strftime("%d/%m/%Y")
        }

    def get_absolute_url(self) -> str:
        return reverse("consultations:seance_detail", kwargs={"pk": self.pk})

    @property
    def is_held(self) -> bool:
        return self.examined_at is not None

    @property
    def has_begun(self) -> bool:
        """Its date has come: only then can it be marked held, or answer from."""
        return self.starts_at <= timezone.now()


class AgendaItem(models.Model):
    """One point of a séance's agenda: one expression, or several grouped under a title."""

    seance = models.ForeignKey(
        Seance, verbose_name=_("séance"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(
        _("intitulé du groupe"),
        max_length=200,
        blank=True,
        help_text=_("Pour un groupe d'expressions qui disent la même chose."),
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)
    expressions = models.ManyToManyField(
        "consultations.Expression",
        verbose_name=_("expressions"),
        through="AgendaEntry",
        related_name="agenda_items",
    )
    created_at = models.DateTimeField(_("ajouté le"), default=timezone.now)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["seance", "position", "pk"]

    def __str__(self) -> str:
        return self.title or _("Point n° %(number)s") % {"number": self.position}


class AgendaEntry(models.Model):
    """An expression on an agenda item; the séance is repeated so that it is there only once."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="entries")
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="entries")
    expression = models.ForeignKey(
        "consultations.Expression", on_delete=models.CASCADE, related_name="agenda_entries"
    )

    class Meta:
        verbose_name = _("expression à l'ordre du jour")
        verbose_name_plural = _("expressions à l'ordre du jour")
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "expression"], name="expression_once_per_seance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seance_id}/{self.item_id}: {self.expression_id}"


class ReponseQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)


class Reponse(ChoicesDisplayMixin, models.Model):
    """The instance's decision on an agenda item, written for the residents who spoke."""

    item = models.OneToOneField(
        AgendaItem,
        verbose_name=_("point de l'ordre du jour"),
        on_delete=models.PROTECT,
        related_name="reponse",
    )
    seance = models.ForeignKey(
        Seance, verbose_name=_("séance"), on_delete=models.PROTECT, related_name="reponses"
    )
    instance = models.ForeignKey(
        "consultations.Instance",
        verbose_name=_("instance"),
        on_delete=models.PROTECT,
        related_name="reponses",
    )
    expressions = models.ManyToManyField(
        "consultations.Expression", verbose_name=_("expressions"), related_name="reponses"
    )
    # The quartiers of the expressions it answers, kept with them (``keep_answer_quartiers``):
    # a quartier's answers are found by this index instead of walking every answer's
    # expressions. Which answers and expressions are shown is still decided by the
    # expressions' own state (``committee.services.public_answers``).
    quartiers = models.ManyToManyField(
        "territory.Quartier",
        verbose_name=_("quartiers"),
        related_name="+",
        blank=True,
        editable=False,
    )
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices)
    text = models.TextField(
        _("réponse aux habitant·es"),
        help_text=_("En mots simples : ce qui va se passer, quand, et qui s'en occupe."),
    )
    public = models.BooleanField(
        _("réponse publique"),
        default=True,
        help_text=_(
            "Publique : lisible de tous sur « Vous avez dit, nous avons fait ». "
            "Sinon seul·es les auteur·rices la lisent."
        ),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrite par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("répondue le"), default=timezone.now, db_index=True)

    objects = ReponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["public", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} — {self.item}"


def keep_answer_quartiers(reponse_ids=None) -> None:
    """Set the ``quartiers`` of the answers ``reponse_ids`` (of every answer if None) to those
    of the expressions they answer. Run on every change of an answer's expressions made
    through the ORM (below); writes around it (``bulk_create``, ``COPY``) call it, or
    ``manage.py recount_expressions``. An expression's quartier changes only while no
    mediator has read it, before any answer; a deleted expression leaves its quartier
    behind, which shows nothing more (``public_answers`` checks the expressions)."""
    links = Reponse.expressions.through.objects.all()
    kept = Reponse.quartiers.through.objects.all()
    if reponse_ids is not None:
        links = links.filter(reponse_id__in=reponse_ids)
        kept = kept.filter(reponse_id__in=reponse_ids)
    pairs = list(links.values_list("reponse_id", "expression__quartier_id").distinct())
    kept.delete()
    Reponse.quartiers.through.objects.bulk_create(
        [Reponse.quartiers.through(reponse_id=r, quartier_id=q) for r, q in pairs],
        batch_size=2000,
    )


@receiver(m2m_changed, sender=Reponse.expressions.through, dispatch_uid="answer_quartiers")
def _expressions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # an answer's expressions
        if action in ("post_add", "post_remove", "post_clear"):
            keep_answer_quartiers([instance.pk])
    elif action == "pre_clear":  # an expression's answers: read before they are unlinked
        instance._answers_before_clear = list(instance.reponses.values_list("pk", flat=True))
    elif action == "post_clear":
        keep_answer_quartiers(instance.__dict__.pop("_answers_before_clear", []))
    elif action in ("post_add", "post_remove"):
        keep_answer_quartiers(pk_set)
