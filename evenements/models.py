"""Events of the animation citoyenne and the registrations to them.

Times are stored in UTC and shown in Europe/Paris (``TIME_ZONE``). A capacity counts
persons (adults and children); « complet » is derived from the confirmed registrations.

Each event keeps the places its confirmed registrations take (``places_taken``), counted
again from them whenever one is created, changed in a way that moves places, or deleted
(the ORM's signals, below): every list, block and API reads the column instead of an
aggregate per event (issue 19). Writes that bypass the ORM (``bulk_create``, ``COPY``,
``update()`` of status or persons) must be followed by ``Evenement.objects.recount_places()``.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core.choices import ChoicesDisplayMixin
from participation.core.urls_fast import reverse_pk


class Series(models.Model):
    """How the occurrences of a recurring event were generated (a weekly permanence, a programme).

    The occurrences are ordinary ``Evenement`` rows pointing here; editing « the series »
    applies a change to every coming occurrence.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("toutes les semaines (ou toutes les n semaines)")
        DATES = "dates", _("à des dates choisies")

    frequency = models.CharField(
        _("répétition"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    interval_weeks = models.PositiveSmallIntegerField(_("toutes les … semaines"), default=1)
    until = models.DateField(_("jusqu'au"), null=True, blank=True)
    dates = models.JSONField(_("dates"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("série d'événements")
        verbose_name_plural = _("séries d'événements")

    def __str__(self) -> str:
        first = self.occurrences.order_by("starts_at").first()
        return str(first.title) if first else f"Série {self.pk}"


class EvenementQuerySet(models.QuerySet):
    def published(self):
        """Published and not cancelled: what one may still come to."""
        return self.filter(status=Evenement.Status.PUBLIE)

    def public(self):
        """What the public may see: everything but drafts (a cancelled event stays shown,
        marked as cancelled). Every public list, feed, block and API goes through this."""
        return self.exclude(status=Evenement.Status.BROUILLON)

    def drafts(self):
        return self.filter(status=Evenement.Status.BROUILLON)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def recount_places(self) -> int:
        """Count again, from their registrations, the places these events' rows keep."""
        return self.update(places_taken=confirmed_places())


def confirmed_places() -> Coalesce:
    """The places an event's confirmed registrations take (adults and children), for a
    query on events: the one count behind ``places_taken`` and the services' checks of the
    capacity."""
    taken = (
        Inscription.objects.filter(
            evenement=models.OuterRef("pk"), status=Inscription.Status.CONFIRMEE
        )
        .order_by()
        .values("evenement")
        .annotate(total=models.Sum(models.F("adults") + models.F("children")))
        .values("total")
    )
    return Coalesce(models.Subquery(taken, output_field=models.IntegerField()), 0)


class Evenement(ChoicesDisplayMixin, models.Model):
    class Kind(models.TextChoices):
        STAND = "stand", _("Stand")
        TABLE_RONDE = "table_ronde", _("Table ronde")
        NOS_QUARTIERS_ETE = "nos_quartiers_ete", _("Nos Quartiers d'Été")
        TEMPS_INFORMATION = "temps_information", _("Temps d'information")
        PERMANENCE = "permanence", _("Permanence de médiation")
        AUTRE = "autre", _("Autre")

    class Status(models.TextChoices):
        # A draft is seen by staff only (« Aperçu »), until someone publishes it.
        BROUILLON = "brouillon", _("Brouillon")
        PUBLIE = "publie", _("Publié")
        ANNULE = "annule", _("Annulé")

    class OrganiserKind(models.TextChoices):
        COMMUNE = "commune", _("Service de la commune")
        ASSOCIATION = "association", _("Association")
        PARTENAIRE = "partenaire", _("Partenaire")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.STAND)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quartiers = models.ManyToManyField(
        "territory.Quartier", verbose_name=_("quartiers"), related_name="evenements"
    )
    place_name = models.CharField(_("lieu"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    directions = models.TextField(
        _("comment venir"),
        blank=True,
        help_text=_("Bus, stationnement, repères : ce qu'il faut pour trouver le lieu."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"), db_index=True)
    organiser_kind = models.CharField(
        _("organisé par"),
        max_length=20,
        choices=OrganiserKind.choices,
        default=OrganiserKind.COMMUNE,
    )
    organiser_name = models.CharField(
        _("nom de l'organisateur"),
        max_length=200,
        help_text=_("Le service de la commune ou l'association qui organise."),
    )
    accessibility = models.TextField(
        _("accessibilité"),
        blank=True,
        help_text=_("Accès en fauteuil, boucle magnétique, garde d'enfants, interprète…"),
    )
    objectifs = models.ManyToManyField(
        "territory.Objectif",
        verbose_name=_("objectifs du contrat de ville"),
        related_name="evenements",
        blank=True,
    )
    image = models.ImageField(_("image"), upload_to="evenements/%Y/", blank=True)
    image_alt = models.CharField(_("description de l'image"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        help_text=_("Laisser vide si le nombre de places n'est pas limité."),
    )
    registration_required = models.BooleanField(_("inscription nécessaire"), default=False)
    # Moved only by its registrations (``recount_places``), never by a save of the event.
    places_taken = models.PositiveIntegerField(_("places prises"), default=0, editable=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PUBLIE
    )
    cancellation_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    series = models.ForeignKey(
        Series,
        verbose_name=_("série"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvenementQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="evenement_ends_after_start",
                violation_error_message=_("La fin doit être après le début."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The count read with the event may be old by now (a registration since): a save of
        # the event writes every field it loaded but that one.
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name != "places_taken"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_pk("evenements:detail", self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.BROUILLON

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.ANNULE

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def places_left(self) -> int | None:
        """Free places, or ``None`` when unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.places_left == 0

    def count_places_taken(self) -> int:
        """The places taken now, counted from the registrations (the services call it with
        the event's row locked, before they decide)."""
        return Evenement.objects.filter(pk=self.pk).values_list(confirmed_places(), flat=True).get()

    @property
    def ical_uid(self) -> str:
        return f"evenement-{self.pk}@participation.auchel.fr"


class Inscription(ChoicesDisplayMixin, models.Model):
    """One registration: by a signed-in resident, or by a mediator for a person without account."""

    class Status(models.TextChoices):
        CONFIRMEE = "confirmee", _("Confirmée")
        ATTENTE = "attente", _("Sur liste d'attente")
        ANNULEE = "annulee", _("Annulée")

    evenement = models.ForeignKey(
        Evenement,
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="inscriptions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inscriptions",
    )
    # A person without account, registered by a mediator at a stand.
    name = models.CharField(_("nom"), max_length=120, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    contact_consent = models.BooleanField(_("accepte d'être contacté·e"), default=False)
    # When the person gave it, to the mediator who registered her (``registered_by``).
    contact_consent_at = models.DateTimeField(_("accord donné le"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inscrit·e par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    adults = models.PositiveSmallIntegerField(_("adultes"), default=1)
    children = models.PositiveSmallIntegerField(_("enfants"), default=0)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.CONFIRMEE
    )
    # The waiting list is served in the order people asked.
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    attended = models.BooleanField(_("présent·e"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evenement", "user"],
                condition=Q(user__isnull=False),
                name="one_inscription_per_user_and_evenement",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="inscription_has_user_or_name",
            ),
            models.CheckConstraint(
                condition=Q(adults__gte=1) | Q(children__gte=1),
                name="inscription_at_least_one_person",
            ),
        ]
        indexes = [models.Index(fields=["evenement", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.person_name} — {self.evenement}"

    @property
    def person_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.name

    @property
    def persons(self) -> int:
        return self.adults + self.children

    @property
    def contact_email(self) -> str:
        if self.user_id:
            return self.user.email
        return self.email if self.contact_consent else ""


# --- The places kept on each event ---------------------------------------------------------

# What a registration's places depend on: a save of other fields only (a reminder sent,
# attendance, contact details) leaves the count alone.
_PLACES_FIELDS = frozenset({"evenement", "evenement_id", "status", "adults", "children"})


def recount_places(event_ids) -> None:
    """Count again the places of these events, their rows locked first: the count is then
    read after any other transaction counting them has committed (a count inside the
    ``UPDATE`` alone would read the snapshot taken before it waited for the lock)."""
    ids = sorted({pk for pk in event_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        events = Evenement.objects.filter(pk__in=ids)
        list(events.select_for_update().values_list("pk", flat=True))
        events.recount_places()


def _moves_places(update_fields) -> bool:
    return update_fields is None or bool(_PLACES_FIELDS & set(update_fields))


@receiver(pre_save, sender=Inscription, dispatch_uid="places_before_save")
def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # A registration moved to another event (the admin) frees its places in the first.
    instance._places_event_before = None
    if raw or instance._state.adding or update_fields is not None:
        return
    instance._places_event_before = (
        Inscription.objects.filter(pk=instance.pk).values_list("evenement_id", flat=True).first()
    )


@receiver(post_save, sender=Inscription, dispatch_uid="places_after_save")
def _after_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _moves_places(update_fields):
        return
    recount_places([instance.evenement_id, getattr(instance, "_places_event_before", None)])


@receiver(post_delete, sender=Inscription, dispatch_uid="places_after_delete")
def _after_delete(sender, instance, origin=None, **kwargs):
    # Deleted with its event: there is nothing left to count.
    if isinstance(origin, Evenement) or getattr(origin, "model", None) is Evenement:
        return
    recount_places([instance.evenement_id])
