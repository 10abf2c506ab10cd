"""The referential of the contrat de ville: territory, quartiers, their portrait and objectives."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .figures import format_figure


class Agglomeration(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    short_name = models.CharField(_("sigle"), max_length=20, unique=True)
    quartiers_count = models.PositiveIntegerField(_("quartiers fragiles"), default=0)
    qpv_count = models.PositiveIntegerField(_("quartiers prioritaires (QPV)"), default=0)
    qic_count = models.PositiveIntegerField(_("quartiers d'intérêt communautaire (QIC)"), default=0)
    communes_count = models.PositiveIntegerField(_("communes concernées"), default=0)

    class Meta:
        verbose_name = _("agglomération")
        verbose_name_plural = _("agglomérations")

    def __str__(self) -> str:
        return self.short_name


class Commune(models.Model):
    agglomeration = models.ForeignKey(
        Agglomeration, on_delete=models.PROTECT, related_name="communes"
    )
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Quartier(models.Model):
    code = models.CharField(_("code quartier"), max_length=20, unique=True)
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=120)
    short_name = models.CharField(
        _("nom court"),
        max_length=60,
        help_text=_("Tel que les habitant·es le disent : « Rimbart »."),
    )
    status = models.CharField(_("statut"), max_length=120)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune porteuse"),
        on_delete=models.PROTECT,
        related_name="quartiers_portes",
    )
    communes = models.ManyToManyField(
        Commune, verbose_name=_("communes concernées"), related_name="quartiers"
    )
    population = models.PositiveIntegerField(_("population"))
    population_approximate = models.BooleanField(_("population approximative"), default=True)
    population_trend = models.CharField(_("évolution de la population"), max_length=200, blank=True)
    surface_ha = models.PositiveIntegerField(_("surface (hectares)"))
    statistics_source = models.CharField(_("source du portrait"), max_length=200, blank=True)
    summary = models.CharField(
        _("présentation courte"),
        max_length=300,
        blank=True,
        help_text=_("Une ou deux phrases simples, montrées sur la page d'accueil."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territory:quartier", kwargs={"slug": self.slug})


class Indicator(models.Model):
    """One figure of a quartier's portrait statistique, with the agglomeration's beside it."""

    quartier = models.ForeignKey(Quartier, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(_("clé"))
    label = models.CharField(_("libellé"), max_length=250)
    short_label = models.CharField(
        _("libellé court"),
        max_length=60,
        blank=True,
        help_text=_("Pour le graphique ; le libellé complet reste dans le tableau."),
    )
    value = models.DecimalField(_("valeur du quartier"), max_digits=7, decimal_places=1)
    agglomeration_value = models.DecimalField(
        _("valeur de l'agglomération"), max_digits=7, decimal_places=1
    )
    unit = models.CharField(_("unité"), max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["quartier", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "key"], name="unique_indicator_per_quartier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} : {self.display_value}"

    @property
    def chart_label(self) -> str:
        return self.short_label or self.label

    @property
    def display_value(self) -> str:
        return format_figure(self.value, self.unit)

    @property
    def display_agglomeration_value(self) -> str:
        return format_figure(self.agglomeration_value, self.unit)


class Finding(models.Model):
    """An irritant, an opportunité or an enjeu prioritaire of the commune for the quartier."""

    class Kind(models.TextChoices):
        IRRITANT = "irritant", _("irritant")
        OPPORTUNITE = "opportunite", _("opportunité")
        ENJEU_PRIORITAIRE = "enjeu_prioritaire", _("enjeu prioritaire")

    quartier = models.ForeignKey(Quartier, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("texte"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("constat")
        verbose_name_plural = _("constats (irritants, opportunités, enjeux prioritaires)")
        ordering = ["quartier", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "kind", "position"], name="unique_finding_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Enjeu(models.Model):
    """One of the three enjeux of the contrat de ville."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    plain_title = models.CharField(
        _("en mots simples"),
        max_length=200,
        blank=True,
        help_text=_("Comment le dire à un·e habitant·e."),
    )

    class Meta:
        verbose_name = _("enjeu")
        verbose_name_plural = _("enjeux")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Enjeu {self.number} : {self.title}"


class Objectif(models.Model):
    """One row of a quartier's objectives table.

    enjeu → orientation of the intercommunal strategy → objective of the intercommunal
    strategy → objectif opérationnel for the quartier (empty where the document has none).
    """

    quartier = models.ForeignKey(Quartier, on_delete=models.CASCADE, related_name="objectifs")
    enjeu = models.ForeignKey(Enjeu, on_delete=models.PROTECT, related_name="objectifs")
    orientation = models.CharField(_("orientation de la stratégie intercommunale"), max_length=300)
    intercommunal = models.CharField(_("objectif de la stratégie intercommunale"), max_length=300)
    operationnel = models.CharField(
        _("objectif opérationnel pour le quartier"), max_length=300, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["quartier", "enjeu__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "enjeu", "position"], name="unique_objectif_position"
            )
        ]

    def __str__(self) -> str:
        return self.operationnel or self.intercommunal

    @property
    def title(self) -> str:
        return str(self)
