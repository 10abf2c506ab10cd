from django import forms
from django.utils.translation import gettext_lazy as _

from participation.territory.models import Quartier

from .models import User


class ProfileForm(forms.ModelForm):
    quartier = forms.ModelChoiceField(
        label=_("Quartier de résidence"),
        queryset=Quartier.objects.order_by("position", "name"),
        required=False,
        empty_label=_("— Je préfère ne pas le dire, ou j'habite ailleurs —"),
        help_text=_("Pour vous montrer d'abord ce qui se passe près de chez vous."),
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
