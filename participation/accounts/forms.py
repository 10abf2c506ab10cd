from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from participation.territory.models import Quartier

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
