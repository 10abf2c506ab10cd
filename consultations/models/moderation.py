"""What the mediators add to an expression: tags, routing to instances, redactions.

Every write goes through consultations.moderation.services (the service functions); these models
only hold the state.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InstanceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of(self, user):
        """The instances a person sits in (the référent sits in none but sees them all)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(members=user)


class Instance(models.Model):
    """A body that reviews what residents said: the convention's two, and partners."""

    class Kind(models.TextChoices):
        COMITE_PILOTAGE = "comite_pilotage", _("comité de pilotage")
        CONSEIL_CONSULTATIF = "conseil_consultatif", _("conseil consultatif")
        BAILLEUR = "bailleur", _("bailleur social")
        SERVICE_COMMUNAL = "service_communal", _("service communal")
        ASSOCIATION = "association", _("association")
        AUTRE = "autre", _("autre partenaire")

    name = models.CharField(_("nom"), max_length=160, unique=True)
    slug = models.SlugField(_("adresse courte"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices, default=Kind.AUTRE)
    description = models.TextField(_("rôle de l'instance"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membres"),
        related_name="instances",
        blank=True,
        limit_choices_to={"role": "comite"},
        help_text=_("Comptes au rôle « membre d'une instance »."),
    )
    # The communes it reviews for (participation.accounts.scope): none means the whole
    # platform (an instance of the agglomeration).
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("communes"),
        related_name="instances",
        blank=True,
        help_text=_("Aucune : une instance de toute la plateforme (l'agglomération)."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Une instance inactive ne reçoit plus d'expressions ; son historique reste."),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = InstanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Etiquette(models.Model):
    """A tag the mediators put on expressions to group them (« éclairage », « propreté »…)."""

    name = models.CharField(_("nom"), max_length=60)
    expressions = models.ManyToManyField(
        "consultations.Expression",
        verbose_name=_("expressions"),
        related_name="etiquettes",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="etiquette_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Transmission(models.Model):
    """An expression routed to an instance, with the mediator's note for its members."""

    expression = models.ForeignKey(
        "consultations.Expression",
        verbose_name=_("expression"),
        on_delete=models.CASCADE,
        related_name="transmissions",
    )
    instance = models.ForeignKey(
        Instance,
        verbose_name=_("instance"),
        on_delete=models.PROTECT,
        related_name="transmissions",
    )
    note = models.TextField(_("note pour l'instance"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transmise par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("transmise le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["expression", "instance"], name="one_transmission_per_instance"
            )
        ]
        indexes = [models.Index(fields=["instance", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.expression_id} → {self.instance}"


class Redaction(models.Model):
    """One edit of an expression's text by a mediator (personal data removed).

    ``previous_text`` keeps what the text was before: the first redaction of an
    expression holds the original words, which only the référent may read.
    """

    expression = models.ForeignKey(
        "consultations.Expression",
        verbose_name=_("expression"),
        on_delete=models.CASCADE,
        related_name="redactions",
    )
    previous_text = models.TextField(_("texte avant"))
    new_text = models.TextField(_("texte après"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("caviardage")
        verbose_name_plural = _("caviardages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.expression_id} @ {self.created_at:%Y-%m-%d %H:%M}"
