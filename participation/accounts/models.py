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


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
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
    """An account; the email is the login. The role decides what the person may do."""

    email = models.EmailField(_("adresse électronique"), unique=True)
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
    notify_by_email = models.BooleanField(
        _("recevoir les nouvelles par courriel"),
        default=True,
        help_text=_("Un courriel quand votre expression avance ou reçoit une réponse."),
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
        return self.display_name or self.email

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
        """Only the référent reaches Django's admin (the referential, roles, instances)."""
        return self.is_active and (self.role == Role.REFERENT or self.is_superuser)

    def has_perm(self, perm, obj=None) -> bool:
        # The référent administers the whole referential in the admin; the model admins
        # themselves forbid what no one may do (editing the audit log).
        if self.is_active and self.role == Role.REFERENT:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.REFERENT:
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
