from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HABITANT = "habitant", _("Habitant·e")
    MEDIATEUR = "mediateur", _("Médiateur·rice")
    COMITE = "comite", _("Membre d'une instance")
    REFERENT = "referent", _("Référent·e Politique de la Ville")


STAFF_ROLES = frozenset({Role.MEDIATEUR, Role.COMITE, Role.REFERENT})


class NotifyBy(models.TextChoices):
    """How a resident wants to be told that something happened (her answer, a reminder)."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("courriel")
    BOTH = "both", _("les deux")
    NONE = "none", _("aucun")


class Channel:
    """The channels a notice can take (``User.notice_channels``)."""

    EMAIL = "email"
    SMS = "sms"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        # A resident may have only a phone number; staff always have an email (and TOTP).
        if not email and not extra_fields.get("phone"):
            raise ValueError("An email address or a phone number is required.")
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.REFERENT)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account; the email or the mobile number is the login. The role decides what the
    person may do. A resident may have only a phone number: ``email`` is then NULL (never
    an empty string, so that uniqueness holds)."""

    email = models.EmailField(_("adresse électronique"), unique=True, null=True, blank=True)
    # E.164 (« +33612345678 »), parsed by participation.accounts.phone; NULL when none.
    phone = models.CharField(
        _("numéro de mobile"), max_length=16, unique=True, null=True, blank=True
    )
    # Set once a code sent by SMS to ``phone`` came back; changing the number clears it.
    phone_verified = models.BooleanField(_("numéro vérifié"), default=False)
    display_name = models.CharField(
        _("nom affiché"),
        max_length=60,
        blank=True,
        help_text=_("Le nom montré à côté de vos expressions publiques. Un prénom suffit."),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.HABITANT)
    quartier = models.ForeignKey(
        "territory.Quartier",
        verbose_name=_("quartier de résidence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )
    # The communes a member of staff works for (participation.accounts.scope): none means
    # every commune of the platform.
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("communes de travail"),
        related_name="staff",
        blank=True,
        help_text=_(
            "Pour l'équipe : les communes dont elle voit, modère et exporte le travail. "
            "Aucune : toutes les communes de la plateforme."
        ),
    )
    # Empty until the first save, which picks the sensible default (see save()).
    notify_by = models.CharField(
        _("être prévenu·e par"),
        max_length=8,
        choices=NotifyBy.choices,
        blank=True,
        help_text=_("Quand votre expression avance, reçoit une réponse, ou avant un événement."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Set when the owner deleted their account (RGPD): the row stays, emptied, because the
    # audit log points to it; see participation.accounts.rgpd.
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True, editable=False)
    # Part of every session's proof of sign-in: raised when a sign-out could not be erased
    # from the cache (participation.accounts.sessions), it ends every session signed before.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # When the owner last opened « Mon espace »: what changed after it is marked « nouveau ».
    my_space_seen_at = models.DateTimeField(
        _("dernière visite de « Mon espace »"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["email"]

    def __str__(self) -> str:
        if self.deleted_at is not None:
            return str(self.deleted_label)
        return self.display_name or self.email or self.phone or ""

    def save(self, *args, **kwargs):
        # "" from a form would collide with the next person without an address.
        self.email = self.email or None
        self.phone = self.phone or None
        if not self.notify_by:
            self.notify_by = NotifyBy.EMAIL if self.email else NotifyBy.SMS
        super().save(*args, **kwargs)

    def notice_channels(self) -> set[str]:
        """The channels (``Channel.EMAIL``, ``Channel.SMS``) a notice to this person takes.

        Her choice (``notify_by``), restricted to what can reach her: an email address, a
        verified mobile number. When the chosen channel cannot reach her (she chose SMS and
        later removed her number), the other one is used if she has it: she did want to be
        told. « aucun » gives an empty set, as does a deleted or inactive account.
        """
        if self.deleted_at is not None or not self.is_active or self.notify_by == NotifyBy.NONE:
            return set()
        reachable = set()
        if self.email:
            reachable.add(Channel.EMAIL)
        if self.phone and self.phone_verified:
            reachable.add(Channel.SMS)
        wanted = {
            NotifyBy.EMAIL: {Channel.EMAIL},
            NotifyBy.SMS: {Channel.SMS},
            NotifyBy.BOTH: {Channel.EMAIL, Channel.SMS},
        }.get(self.notify_by, {Channel.EMAIL} if self.email else {Channel.SMS})
        return (wanted & reachable) or reachable

    @property
    def notify_by_email(self) -> bool:
        """Whether notices go by email (kept for the callers written before SMS)."""
        return Channel.EMAIL in self.notice_channels()

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's proof of sign-in (from the password), with the epoch once it was raised:
        raising it signs out everywhere. At epoch 0 it is Django's own."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret)
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def deleted_label(self) -> str:
        """How a deleted account is named in the audit log and the staff pages."""
        return _("compte supprimé n° %(number)s") % {"number": self.pk}

    @property
    def is_staff(self) -> bool:
        """Django's admin: superusers, and a référent who works for every commune (its pages
        are not narrowed to communes, so a référent given communes never reaches it)."""
        return self.is_active and (self.is_superuser or self._is_platform_referent())

    def _is_platform_referent(self) -> bool:
        from .scope import is_platform_wide

        return self.role == Role.REFERENT and is_platform_wide(self)

    def has_perm(self, perm, obj=None) -> bool:
        # The référent administers the whole referential in the admin; the model admins
        # themselves forbid what no one may do (editing the audit log).
        if self.is_active and self._is_platform_referent():
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self._is_platform_referent():
            return True
        return super().has_module_perms(app_label)

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_mediateur(self) -> bool:
        return self.role in {Role.MEDIATEUR, Role.REFERENT}

    @property
    def is_comite(self) -> bool:
        return self.role in {Role.COMITE, Role.REFERENT}

    @property
    def is_referent(self) -> bool:
        return self.role == Role.REFERENT

    @property
    def public_name(self) -> str:
        return self.display_name or _("un·e habitant·e")
