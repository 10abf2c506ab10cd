from allauth.account.fields import EmailField
from allauth.account.forms import ChangePhoneForm as AllauthChangePhoneForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from participation.core.ratelimit import RateLimited
from participation.territory.models import Commune, Quartier

from . import rgpd, scope
from .models import STAFF_ROLES, NotifyBy, Role, User

SMS_OFF = _(
    "L'envoi de SMS n'est pas activé sur cette plateforme : utilisez une adresse électronique."
)


class ProfileForm(forms.ModelForm):
    quartier = forms.ModelChoiceField(
        label=_("Quartier de résidence"),
        queryset=Quartier.objects.order_by("position", "name"),
        required=False,
        empty_label=_("— Non précisé —"),
        help_text=_(
            "Pour vous montrer d'abord ce qui se passe près de chez vous. "
            "Laissez « Non précisé » si vous préférez ne pas le dire ou habitez ailleurs."
        ),
    )

    class Meta:
        model = User
        fields = ["display_name", "quartier", "notify_by"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "notify_by": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notify_by = self.fields["notify_by"]
        notify_by.required = True
        notify_by.label = _("Comment voulez-vous être prévenu·e ?")
        notify_by.error_messages["required"] = _("Choisissez comment être prévenu·e.")
        # No blank choice; without SMS on the platform, no SMS choice either.
        notify_by.choices = [
            (choice.value, choice.label)
            for choice in NotifyBy
            if settings.SMS_ENABLED or choice in (NotifyBy.EMAIL, NotifyBy.NONE)
        ]

    def clean_notify_by(self) -> str:
        """A channel she cannot be reached by is refused, with what to do instead."""
        choice = self.cleaned_data["notify_by"]
        user = self.instance
        wants_sms = choice in {NotifyBy.SMS, NotifyBy.BOTH}
        wants_email = choice in {NotifyBy.EMAIL, NotifyBy.BOTH}
        if wants_sms and not (user.phone and user.phone_verified):
            raise forms.ValidationError(
                _(
                    "Pour être prévenu·e par SMS, ajoutez d'abord votre numéro de mobile (ci-dessus)."
                )
            )
        if wants_email and not user.email:
            raise forms.ValidationError(
                _(
                    "Pour être prévenu·e par courriel, ajoutez d'abord votre adresse "
                    "électronique (ci-dessus)."
                )
            )
        return choice

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if "@" in name:
            raise forms.ValidationError(
                _("Le nom affiché est public : n'y mettez pas votre adresse électronique.")
            )
        return name


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with the password rules said in one short sentence; the
    mobile number has its own sign-up form (``PhoneSignupForm``)."""

    def _get_signup_fields(self, kwargs) -> dict:
        fields = dict(super()._get_signup_fields(kwargs))
        fields.pop("phone", None)
        return fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            self.fields["password1"].help_text = _(
                "Au moins 8 caractères, pas seulement des chiffres, et pas un mot de passe "
                "trop courant ni trop proche de votre adresse."
            )


class PhoneSignupForm(AllauthSignupForm):
    """Sign-up with a French mobile number alone: no email, no password. allauth then sends
    a code by SMS (its phone verification stage) and signs her in once it comes back. A
    number that already has an account gets the same answer (no enumeration)."""

    def _get_signup_fields(self, kwargs) -> dict:
        return {"phone": {"required": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _(
            "Un numéro en 06 ou 07, par exemple 06 12 34 56 78. Nous y envoyons un code par "
            "SMS pour vérifier que c'est bien le vôtre."
        )

    def clean(self):
        if not settings.SMS_ENABLED:
            raise forms.ValidationError(SMS_OFF)
        return super().clean()


class LoginForm(AllauthLoginForm):
    """Sign-in with an email address and a password; a mobile number signs in by a code
    (« Recevoir un code »), as those accounts have no password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = EmailField(
            error_messages={
                "invalid": _(
                    "Tapez une adresse électronique. Avec un numéro de mobile, choisissez "
                    "« Recevoir un code par courriel ou SMS » plus bas."
                )
            }
        )
        self.order_fields(["login", "password", "remember"])


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """A sign-in code by email, or by SMS to a mobile number while SMS are on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Votre adresse électronique")
        if "phone" in self.fields:
            if settings.SMS_ENABLED:
                self.fields["phone"].label = _("ou votre numéro de mobile")
                self.fields["phone"].help_text = _(
                    "Si vous avez créé votre compte avec un numéro de mobile : le code arrive par SMS."
                )
            else:
                del self.fields["phone"]

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors and not cleaned_data.get("email") and not cleaned_data.get("phone"):
            raise forms.ValidationError(
                _("Tapez votre adresse électronique ou votre numéro de mobile.")
            )
        return cleaned_data


class ChangePhoneForm(AllauthChangePhoneForm):
    """Adding or changing one's mobile number (« Mon profil »): allauth sends a code by SMS
    to the new number, which replaces the old one once the code comes back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Nouveau numéro de mobile")

    def clean(self):
        if not settings.SMS_ENABLED:
            raise forms.ValidationError(SMS_OFF)
        return super().clean()


class DeleteAccountForm(forms.Form):
    """The owner confirms the deletion of their account with their password, or an emailed code."""

    KEEP = "garder"
    DELETE = "supprimer"

    expressions = forms.ChoiceField(
        label=_("Vos expressions déjà publiées"),
        choices=[
            (
                KEEP,
                _(
                    "Les laisser en ligne, sans mon nom : elles seront signées "
                    "« un·e habitant·e de » votre quartier."
                ),
            ),
            (DELETE, _("Les supprimer, avec leurs photos.")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez ce que deviennent vos expressions publiées.")},
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        if self.user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Votre mot de passe"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                help_text=_("Pour être sûr que c'est bien vous."),
                error_messages={"required": _("Tapez votre mot de passe pour confirmer.")},
            )
        else:
            self.fields["code"] = forms.CharField(
                label=_("Le code reçu par courriel")
                if self.user.email
                else _("Le code reçu par SMS"),
                max_length=12,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
                help_text=_("Six chiffres, valables 15 minutes."),
                error_messages={"required": _("Tapez le code reçu pour confirmer.")},
            )

    @property
    def keep_public_expressions(self) -> bool:
        return self.cleaned_data["expressions"] == self.KEEP

    def _count_attempt(self) -> None:
        try:
            rgpd.check_attempt(self.user)
        except RateLimited as limited:
            raise forms.ValidationError(limited.message) from limited

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        self._count_attempt()
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        return password

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self._count_attempt()
        if not rgpd.check_deletion_code(self.request, code):
            raise forms.ValidationError(
                _("Ce code n'est pas le bon ou n'est plus valable : demandez-en un nouveau.")
            )
        return code


# --- Roles (« Espace référent ») ---------------------------------------------------------


class AccountSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Chercher une personne par son nom ou son adresse électronique"),
        max_length=120,
        required=False,
    )


class RoleForm(forms.Form):
    """The role to give, and the communes a staff role works for; the page asks once more
    before it is given (``confirmed``)."""

    role = forms.ChoiceField(
        label=_("Nouveau rôle"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le rôle à donner."),
            "invalid_choice": _("Choisissez un rôle de la liste."),
        },
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes de travail"),
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pour un rôle de l'équipe : les communes dont la personne voit, modère et exporte "
            "le travail. Aucune cochée : toutes les communes de la plateforme."
        ),
        error_messages={
            "invalid_choice": _(
                "Cette commune n'est pas l'une des vôtres : choisissez parmi celles de la liste."
            )
        },
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, account: User, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.current_communes = list(account.communes.order_by("name"))
        mine = scope.commune_ids(actor)
        self.platform_wide = mine is None
        field = self.fields["communes"]
        field.queryset = Commune.objects.order_by("name")
        if not self.platform_wide:
            field.queryset = field.queryset.filter(pk__in=mine)
            field.help_text = _(
                "Pour un rôle de l'équipe : parmi vos communes, celles dont la personne voit, "
                "modère et exporte le travail. Aucune cochée : toutes les vôtres."
            )
        self.fields["role"].initial = account.role
        field.initial = [commune.pk for commune in self.current_communes]

    def clean(self):
        cleaned = super().clean()
        role, communes = cleaned.get("role"), cleaned.get("communes")
        if role is None or communes is None:
            return cleaned
        same_communes = role not in STAFF_ROLES or {c.pk for c in communes} == {
            c.pk for c in self.current_communes
        }
        if role == self.account.role and same_communes:
            self.add_error(
                "role",
                _("« %(name)s » a déjà ce rôle : choisissez-en un autre, ou d'autres communes.")
                % {"name": self.account},
            )
        return cleaned

    def communes_to_give(self):
        """What ``services.change_role`` gets: the communes ticked; none ticked means every
        commune for a platform-wide référent, and all of hers (None) for the others."""
        communes = list(self.cleaned_data.get("communes") or [])
        if not communes and not self.platform_wide:
            return None
        return communes
