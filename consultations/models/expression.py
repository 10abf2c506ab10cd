import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from participation.core.choices import ChoicesDisplayMixin
from participation.core.urls_fast import reverse_pk
from participation.territory.models import Objectif

from ..storage import PrivateStorage
from .seance import Reponse

# The PostgreSQL text search configuration made by migration 0001: French stemming after
# accents are removed, so that « mediation » finds « médiations ».
SEARCH_CONFIG = "french_unaccent"


class Status(models.TextChoices):
    """The expression's path (README, « Path »): every change goes through transitions."""

    SOUMISE = "soumise", _("soumise")
    PUBLIEE = "publiee", _("publiée")
    REJETEE = "rejetee", _("rejetée")
    FUSIONNEE = "fusionnee", _("fusionnée")
    TRANSMISE = "transmise", _("transmise")
    EXAMINEE = "examinee", _("examinée")
    REPONDUE = "repondue", _("répondue")


# What a row of the moderation queue shows of an expression's text.
QUEUE_TEXT_CHARS = 280

# Statuses in which a non-private expression can be read by anyone.
PUBLIC_STATUSES = (
    Status.PUBLIEE,
    Status.FUSIONNEE,
    Status.TRANSMISE,
    Status.EXAMINEE,
    Status.REPONDUE,
)
# Statuses shown in the public lists and counted on the quartier page (a merged
# expression lives on in the one it was merged into).
LISTED_STATUSES = (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE, Status.REPONDUE)
# Once routed to an instance: what the committee's figures count.
ROUTED_STATUSES = (Status.TRANSMISE, Status.EXAMINEE, Status.REPONDUE)
# Where it stands, in the words its author reads on her cards (« Mes expressions »,
# « Mon espace »); the timeline of the expression's page tells the rest.
AUTHOR_STATUS_WORDS = {
    Status.SOUMISE: _("En attente de lecture"),
    Status.PUBLIEE: _("Publiée"),
    Status.REJETEE: _("Non publiée"),
    Status.FUSIONNEE: _("Regroupée avec un message semblable"),
    Status.TRANSMISE: _("Transmise pour réponse"),
    Status.EXAMINEE: _("Examinée, réponse à venir"),
    Status.REPONDUE: _("Réponse reçue"),
}


class Visibility(models.TextChoices):
    PUBLIC_NAMED = "public", _("publique, avec mon nom affiché")
    PUBLIC_ANONYMOUS = "anonyme", _("publique, sans mon nom")
    PRIVATE = "privee", _("privée : seuls les médiateurs et le comité la lisent")


class Source(models.TextChoices):
    """Where the expression was said; everything but « en ligne » was collected in the field."""

    EN_LIGNE = "en_ligne", _("en ligne")
    STAND = "stand", _("stand")
    TABLE_RONDE = "table_ronde", _("table ronde")
    NOS_QUARTIERS_ETE = "nos_quartiers_ete", _("Nos Quartiers d'Été")
    PERMANENCE = "permanence", _("permanence de médiation")
    TEMPS_INFORMATION = "temps_information", _("temps d'information")
    AUTRE = "autre", _("autre rencontre")


FIELD_SOURCES = tuple(source for source in Source if source != Source.EN_LIGNE)

# The kind of meeting an event is, by its kind (the values of evenements' Evenement.Kind): a
# field entry for an event takes its source from here unless the mediator chose another.
SOURCE_OF_EVENT_KIND = {
    "stand": Source.STAND,
    "table_ronde": Source.TABLE_RONDE,
    "nos_quartiers_ete": Source.NOS_QUARTIERS_ETE,
    "temps_information": Source.TEMPS_INFORMATION,
    "permanence": Source.PERMANENCE,
    "autre": Source.AUTRE,
}


class AgeGroup(models.TextChoices):
    MOINS_18 = "moins_18", _("moins de 18 ans")
    DE_18_A_25 = "18_25", _("18 à 25 ans")
    DE_26_A_59 = "26_59", _("26 à 59 ans")
    PLUS_60 = "60_plus", _("60 ans et plus")
    MIXTE = "mixte", _("plusieurs âges")


def waiting_q() -> Q:
    """What waits for a mediator: expressions soumises, and readers' reports not yet read."""
    return Q(status=Status.SOUMISE) | Q(flagged_at__isnull=False)


def waiting_since() -> Case:
    """When it started waiting: its submission, or the report that sent it back."""
    return Case(When(status=Status.SOUMISE, then=F("created_at")), default=F("flagged_at"))


def said_or_created() -> Coalesce:
    """When it was said: ``said_at`` for a field entry typed offline and sent later, else
    when it was received (``created_at``). The one rule for every count of expressions by
    period (the committee's figures, charts, filters, exports and bilan): an entry said on
    30 November and synced on 2 December counts in November."""
    return Coalesce("said_at", "created_at")


def photo_path(instance, filename: str) -> str:
    # The name the browser sent is never kept: it may carry personal data.
    return timezone.now().strftime(f"expressions/%Y/%m/{uuid.uuid4().hex}.jpg")


def thumbnail_path(instance, filename: str) -> str:
    return timezone.now().strftime(f"expressions/%Y/%m/{uuid.uuid4().hex}-mini.jpg")


# What a public line about an expression reads (its text, « moi aussi », date, and
# ``public_author_name``), for ``.only()`` with ``select_related("quartier", "author")``.
CARD_FIELDS = (
    "text",
    "created_at",
    "supports_count",
    "source",
    "people_count",
    "visibility",
    "quartier__short_name",
    "author__display_name",
)


def listed_q(prefix: str = "") -> Q:
    """Published on the path and not private: what the public lists show (and their indexes
    are restricted to, so the condition is written once); ``prefix`` (« expression__ »)
    applies it across a relation."""
    return Q(**{f"{prefix}status__in": LISTED_STATUSES}) & ~Q(
        **{f"{prefix}visibility": Visibility.PRIVATE}
    )


class ExpressionQuerySet(models.QuerySet):
    def listed(self):
        """What anyone may see in lists: published on the path, not private."""
        return self.filter(listed_q())

    def readable_by_anyone(self):
        return self.filter(status__in=PUBLIC_STATUSES).exclude(visibility=Visibility.PRIVATE)

    def readable_by(self, user):
        """``readable_by_anyone``, and her own on their way for a signed-in author (with
        their status, as « Mes expressions » shows them); a private one never."""
        if not user.is_authenticated:
            return self.readable_by_anyone()
        return self.filter(Q(status__in=PUBLIC_STATUSES) | Q(author=user)).exclude(
            visibility=Visibility.PRIVATE
        )

    def collected_in_field(self):
        return self.exclude(source=Source.EN_LIGNE)

    def with_said_or_created(self):
        """Annotated with ``said_or_created`` (``said_or_created()``), to group or order by."""
        return self.annotate(said_or_created=said_or_created())

    def said_between(self, start=None, end=None):
        """Said at ``start`` or later and before ``end`` (aware datetimes; None: no bound)."""
        moment = said_or_created()
        bounds = []
        if start is not None:
            bounds.append(GreaterThanOrEqual(moment, start))
        if end is not None:
            bounds.append(LessThan(moment, end))
        return self.filter(*bounds) if bounds else self

    def for_author_cards(self, author, *, news: bool = True):
        """``author``'s own expressions as her cards show them, in a fixed number of queries.

        With ``news`` (« Mon espace »), each is annotated with ``active_at``, the latest step
        of its timeline (hers included), and ``news_at``, the latest step someone else added
        (a publication, a transmission, an answer; the submission is no news, nor what she
        did herself); « Mes expressions » lists them by date and needs neither (two
        subqueries per row less). ``answers`` lists the instances' answers, newest first.
        """
        timeline = {}
        if news:
            steps = ExpressionStep.objects.filter(expression=OuterRef("pk")).order_by(
                "-created_at", "-pk"
            )
            timeline = {
                "active_at": Subquery(steps.values("created_at")[:1]),
                "news_at": Subquery(
                    steps.exclude(status=Status.SOUMISE)
                    .exclude(actor=author)
                    .values("created_at")[:1]
                ),
            }
        return (
            self.filter(author=author)
            .select_related("quartier")
            # What a card shows (partials/my_expression_card.html), and nothing more.
            .only(
                "text",
                "visibility",
                "created_at",
                "status",
                "supports_count",
                "quartier__short_name",
            )
            .annotate(**timeline)
            .prefetch_related(
                models.Prefetch(
                    "reponses",
                    queryset=Reponse.objects.select_related("instance")
                    .only("decision", "text", "created_at", "instance__name")
                    .order_by("-created_at", "-pk"),
                    to_attr="answers",
                )
            )
        )

    def for_cards(self):
        """Everything a list card shows (``partials/expression_card.html`` and the « moi
        aussi » beside it), and nothing more, in a fixed number of queries: fewer columns to
        read, to build and to key each card by (``fragments.state``)."""
        return (
            self.select_related("quartier", "author", "consultation")
            .only(
                *CARD_FIELDS,
                "published_at",
                "status",
                "photo",
                "photo_description",
                "author_id",
                "quartier__slug",
                "consultation__slug",
                "consultation__title",
            )
            .prefetch_related(
                models.Prefetch(
                    "objectifs",
                    queryset=Objectif.objects.only("operationnel", "intercommunal").order_by(
                        "enjeu__number", "position"
                    ),
                )
            )
        )


class Expression(ChoicesDisplayMixin, models.Model):
    """What a resident said about their quartier, and where it stands on its path."""

    quartier = models.ForeignKey(
        "territory.Quartier",
        verbose_name=_("quartier"),
        on_delete=models.PROTECT,
        related_name="expressions",
    )
    text = models.TextField(_("message"))
    objectifs = models.ManyToManyField(
        "territory.Objectif",
        verbose_name=_("objectifs concernés"),
        related_name="expressions",
        blank=True,
    )
    objectifs_unknown = models.BooleanField(
        _("objectif à trouver"),
        default=False,
        help_text=_("La personne ne savait pas : un·e médiateur·rice reliera l'objectif."),
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("en réponse à la consultation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expressions",
    )
    evenement = models.ForeignKey(
        "evenements.Evenement",
        verbose_name=_("événement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expressions",
    )
    source = models.CharField(
        _("recueillie"), max_length=20, choices=Source.choices, default=Source.EN_LIGNE
    )
    visibility = models.CharField(
        _("publication"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC_ANONYMOUS,
    )
    status = models.CharField(
        _("étape"), max_length=12, choices=Status.choices, default=Status.SOUMISE, db_index=True
    )

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expressions",
        help_text=_("Vide quand l'expression a été recueillie sur le terrain."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recueillie par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_expressions",
    )
    people_count = models.PositiveSmallIntegerField(_("nombre de personnes"), default=1)
    age_group = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    contact_consent = models.BooleanField(_("accord pour être recontacté·e"), default=False)

    photo = models.FileField(
        _("photo"), storage=PrivateStorage(), upload_to=photo_path, blank=True, max_length=200
    )
    thumbnail = models.FileField(
        _("miniature"),
        storage=PrivateStorage(),
        upload_to=thumbnail_path,
        blank=True,
        max_length=200,
    )
    photo_description = models.CharField(_("description de la photo"), max_length=200, blank=True)
    # Faces are blurred in the stored photo when it is received, before anyone sees it.
    faces_blurred = models.PositiveSmallIntegerField(
        _("visages floutés automatiquement"), default=0, editable=False
    )

    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    supports_count = models.PositiveIntegerField(_("« moi aussi »"), default=0)
    flagged_at = models.DateTimeField(
        _("signalée le"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Un signalement attend la relecture d'un·e médiateur·rice."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionnée dans"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )

    said_at = models.DateTimeField(
        _("dite le"),
        null=True,
        blank=True,
        help_text=_(
            "Quand elle a été saisie sur l'appareil du mode terrain, si elle a été envoyée "
            "plus tard ; vide : à sa réception."
        ),
    )
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("étape changée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ExpressionQuerySet.as_manager()

    class Meta:
        verbose_name = _("expression citoyenne")
        verbose_name_plural = _("expressions citoyennes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="expression_once_per_author_key"
            ),
            models.UniqueConstraint(
                fields=["recorded_by", "idempotency_key"], name="expression_once_per_recorder_key"
            ),
            models.CheckConstraint(
                condition=Q(people_count__gte=1), name="expression_at_least_one_person"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "-published_at"]),
            models.Index(fields=["quartier", "status"]),
            # The public lists, newest first, read a page at a time (all, or one quartier's).
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=listed_q(),
                name="expression_listed_latest",
            ),
            models.Index(
                F("quartier"),
                F("published_at").desc(),
                F("id").desc(),
                condition=listed_q(),
                name="expression_listed_quartier",
            ),
            # The moderation queue, oldest first, read 20 at a time, and its count.
            models.Index(
                waiting_since(), F("id"), condition=waiting_q(), name="expression_waiting_queue"
            ),
        ]

    def __str__(self) -> str:
        return _("Expression n° %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse_pk("consultations:expression_detail", self.pk)

    @property
    def queue_text(self) -> str:
        """Its text as a row of the moderation queue shows it (cut past QUEUE_TEXT_CHARS)."""
        return Truncator(self.text).chars(QUEUE_TEXT_CHARS)

    @property
    def read_whole_in_queue(self) -> bool:
        """Whether its queue row shows all that « Publier » would make public: its whole text,
        and no photo. Otherwise it is published from its own page, once read there whole (a
        name or an address past the cut, a face or a plate on the photo)."""
        return not self.photo and len(self.text) <= QUEUE_TEXT_CHARS

    @property
    def is_field_collected(self) -> bool:
        return self.source != Source.EN_LIGNE

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    @property
    def is_readable_by_anyone(self) -> bool:
        return self.status in PUBLIC_STATUSES and not self.is_private

    @property
    def is_listed(self) -> bool:
        return self.status in LISTED_STATUSES and not self.is_private

    @property
    def public_author_name(self) -> str:
        """The name shown to others: never an email, never a name the person did not choose."""
        quartier = self.quartier.short_name
        if self.is_field_collected:
            if self.people_count > 1:
                return _("%(count)s habitant·es de %(quartier)s") % {
                    "count": self.people_count,
                    "quartier": quartier,
                }
            return _("un·e habitant·e de %(quartier)s") % {"quartier": quartier}
        if (
            self.visibility == Visibility.PUBLIC_NAMED
            and self.author is not None
            and self.author.display_name
        ):
            return self.author.display_name
        return _("un·e habitant·e de %(quartier)s") % {"quartier": quartier}

    @property
    def public_heading(self) -> str:
        """« Camille a dit », « 3 habitant·es de Rimbart ont dit »: the verb agrees."""
        people = self.people_count if self.is_field_collected and self.people_count > 1 else 1
        return ngettext("%(author)s a dit", "%(author)s ont dit", people) % {
            "author": self.public_author_name
        }

    @property
    def photo_alt(self) -> str:
        return self.photo_description or _("Photo jointe à l'expression")

    @property
    def author_status(self) -> str:
        """Where it stands, in its author's words (a private one is never « publiée »)."""
        if self.status == Status.PUBLIEE and self.is_private:
            return _("Lue et gardée privée")
        return AUTHOR_STATUS_WORDS[self.status]

    def has_news_since(self, seen_at) -> bool:
        """Whether someone else moved it along (a step, an answer) after ``seen_at``; with
        ``seen_at`` None (never seen), whether anyone did. Needs ``for_author_cards``."""
        moments = [self.news_at, *(answer.created_at for answer in self.answers)]
        latest = max((moment for moment in moments if moment is not None), default=None)
        return latest is not None and (seen_at is None or latest > seen_at)


class ExpressionStep(models.Model):
    """One step of an expression's timeline, as its author reads it.

    Every transition of consultations.transitions adds one. ``note`` is written for the
    author (a rejection reason, the instance it went to, the answer); ``public`` says
    whether other people see the step when the expression itself is public. ``data``
    holds what later steps need to point at (instances, séance, answer ids).
    """

    expression = models.ForeignKey(Expression, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("étape"), max_length=12, choices=Status.choices)
    note = models.TextField(_("précision"), blank=True)
    public = models.BooleanField(_("visible de tous"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("détails"), default=dict, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape d'une expression")
        verbose_name_plural = _("étapes des expressions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.expression_id} → {self.get_status_display()}"


class Support(models.Model):
    """« Moi aussi » : one per account and expression."""

    expression = models.ForeignKey(Expression, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("« moi aussi »")
        verbose_name_plural = _("« moi aussi »")
        constraints = [
            models.UniqueConstraint(fields=["expression", "user"], name="one_support_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} + {self.expression_id}"


class Signalement(ChoicesDisplayMixin, models.Model):
    """A reader tells the mediators that a published expression should be looked at again."""

    class Reason(models.TextChoices):
        DONNEES_PERSONNELLES = (
            "donnees_personnelles",
            _("il donne le nom ou l'adresse de quelqu'un"),
        )
        PROPOS_BLESSANTS = "propos_blessants", _("il contient des propos blessants ou insultants")
        HORS_SUJET = "hors_sujet", _("il ne parle pas du quartier")
        AUTRE = "autre", _("autre raison")

    expression = models.ForeignKey(
        Expression, on_delete=models.CASCADE, related_name="signalements"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("raison"), max_length=30, choices=Reason.choices)
    details = models.TextField(_("précisions"), blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traité par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["expression", "reporter"], name="one_signalement_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expression_id}: {self.get_reason_display()}"
