from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from participation.core.ratelimit import RateLimited
from participation.territory.models import Quartier

from . import rgpd
from .models import User


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
        fields = ["display_name", "quartier", "notify_by_email"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
        }

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if "@" in name:
            raise forms.ValidationError(
                _("Le nom affiché est public : n'y mettez pas votre adresse électronique.")
            )
        return name


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with the password rules said in one short sentence."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            self.fields["password1"].help_text = _(
                "Au moins 8 caractères, pas seulement des chiffres, et pas un mot de passe "
                "trop courant ni trop proche de votre adresse."
            )


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
                label=_("Le code reçu par courriel"),
                max_length=12,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
                help_text=_("Six chiffres, valables 15 minutes."),
                error_messages={"required": _("Tapez le code reçu par courriel pour confirmer.")},
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
