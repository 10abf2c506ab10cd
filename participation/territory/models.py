"""The referential of the contrat de ville: territory, quartiers, their portrait and objectives."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
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


# How a resident reaches a commune's mediators (« Joindre un·e médiateur·rice »).
MEDIATION_FIELDS = ("mediation_phone", "mediation_hours", "mediation_place")


class CommuneQuerySet(models.QuerySet):
    def with_mediation_contact(self):
        """The communes that set at least one way to reach their mediators."""
        return self.exclude(**dict.fromkeys(MEDIATION_FIELDS, ""))

    def nearest_first(self, user):
        """The communes by name, but, for a resident who gave her quartier, the communes that
        carry it first (``QuartierQuerySet.nearest_first``'s rule for communes)."""
        ordered = self.order_by("name")
        quartier_id = getattr(user, "quartier_id", None) if user.is_authenticated else None
        if quartier_id is None:
            return ordered
        carries_hers = Quartier.communes.through.objects.filter(
            commune_id=OuterRef("pk"), quartier_id=quartier_id
        )
        return ordered.alias(hers=Exists(carries_hers)).order_by("-hers", "name")


class Commune(models.Model):
    agglomeration = models.ForeignKey(
        Agglomeration, on_delete=models.PROTECT, related_name="communes"
    )
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(unique=True)
    # How a resident reaches the commune's mediators (« Joindre un·e médiateur·rice »): set
    # by the référent, never part of the referential's files. The phone is kept in E.164.
    mediation_phone = models.CharField(_("téléphone de la médiation"), max_length=20, blank=True)
    mediation_hours = models.CharField(
        _("jours et heures où l'on répond"), max_length=200, blank=True
    )
    mediation_place = models.CharField(_("lieu d'accueil"), max_length=300, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_mediation_contact(self) -> bool:
        return any(getattr(self, name) for name in MEDIATION_FIELDS)


class QuartierQuerySet(models.QuerySet):
    def nearest_first(self, user):
        """The quartiers in the convention's order, but, for a resident who gave hers, her
        quartier first, then the others of her communes (an intercommunal quartier's every
        commune): everyone sees every quartier, their own first."""
        ordered = self.order_by("position", "name")
        quartier_id = getattr(user, "quartier_id", None) if user.is_authenticated else None
        if quartier_id is None:
            return ordered
        neighbours = Quartier.communes.through.objects.filter(
            quartier_id=OuterRef("pk"),
            commune__quartiers=quartier_id,
        )
        closeness = models.Case(
            models.When(pk=quartier_id, then=0),
            models.When(Exists(neighbours), then=1),
            default=2,
            output_field=models.IntegerField(),
        )
        return ordered.alias(closeness=closeness).order_by("closeness", "position", "name")


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

    objects = QuartierQuerySet.as_manager()

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
    source = models.CharField(
        _("source du chiffre"),
        max_length=200,
        blank=True,
        help_text=_("Vide : la source du portrait du quartier."),
    )
    year = models.PositiveSmallIntegerField(_("année du chiffre"), null=True, blank=True)
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


class ObjectifQuerySet(models.QuerySet):
    def in_force(self, at: dt.date | None = None, *, keep=None):
        """The objectives not retired on ``at`` (default: today in Paris), the ones residents
        and staff may still choose; ``keep`` (ids or a queryset) stays offered all the same,
        so that a form editing a record keeps the retired objectives it already names."""
        at = at or timezone.localdate()
        condition = Q(retired_on__isnull=True) | Q(retired_on__gt=at)
        if keep is not None:
            condition |= Q(pk__in=keep)
        return self.filter(condition)

    def retired(self, at: dt.date | None = None):
        return self.filter(retired_on__lte=at or timezone.localdate())


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
    # Where the row came from in the data files (its intercommunal wording there), so that
    # load_referentiel finds it again after the référent rewords it. Empty: added here.
    file_key = models.CharField(
        _("libellé dans les fichiers d'origine"), max_length=300, blank=True, editable=False
    )
    retired_on = models.DateField(
        _("retiré à partir du"),
        null=True,
        blank=True,
        help_text=_("Ne se choisit plus à partir de ce jour ; ce qui s'y rattache reste."),
    )
    retired_reason = models.CharField(_("motif du retrait"), max_length=300, blank=True)

    objects = ObjectifQuerySet.as_manager()

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

    def is_retired(self, at: dt.date | None = None) -> bool:
        return self.retired_on is not None and self.retired_on <= (at or timezone.localdate())


class Avenant(models.Model):
    """An amendment to the convention: what the Comité de Pilotage decided to change.

    While it is « en cours », the référent's changes may be attached to it; once closed, it
    says which changes it made.
    """

    signed_on = models.DateField(_("date de l'avenant"))
    title = models.CharField(_("intitulé"), max_length=200)
    text = models.TextField(_("ce qu'il change"), blank=True)
    in_progress = models.BooleanField(
        _("en cours"),
        default=True,
        help_text=_("Tant qu'il est en cours, les modifications peuvent y être rattachées."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class ReferentielChange(models.Model):
    """One change of the referential, field by field: the public history of the convention.

    ``fields`` lists ``{"field", "label", "before", "after"}`` (texts as shown). Who made it is
    kept for the staff (and in the audit log); the public page says only where it came from.
    """

    class Action(models.TextChoices):
        CREATION = "creation", _("ajout")
        MODIFICATION = "modification", _("modification")
        RETRAIT = "retrait", _("retrait")
        REMISE = "remise", _("remise en vigueur")
        SUPPRESSION = "suppression", _("suppression")

    class Origin(models.TextChoices):
        PLATEFORME = "plateforme", _("dans la plateforme")
        FICHIERS = "fichiers", _("depuis les fichiers du référentiel")

    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("type d'objet"), max_length=60)
    target_id = models.PositiveIntegerField(_("identifiant de l'objet"))
    target_label = models.CharField(_("objet"), max_length=300)
    quartier = models.ForeignKey(
        Quartier,
        verbose_name=_("quartier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referentiel_changes",
    )
    fields = models.JSONField(_("champs modifiés"), default=list)
    avenant = models.ForeignKey(
        Avenant,
        verbose_name=_("avenant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )

    class Meta:
        verbose_name = _("modification du référentiel")
        verbose_name_plural = _("historique du référentiel")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} : {self.target_label}"

    @property
    def kind_label(self) -> str:
        return TARGET_LABELS.get(self.target_type, self.target_type)


TARGET_LABELS = {
    "quartier": _("Quartier"),
    "indicator": _("Chiffre du portrait"),
    "finding": _("Constat"),
    "enjeu": _("Enjeu"),
    "objectif": _("Objectif"),
    "commune": _("Commune"),
    "agglomeration": _("Agglomération"),
}
