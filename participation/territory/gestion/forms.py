"""Forms of the referential's edition: every input checked, with a French message next to it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.accounts.phone import display_phone, parse_french_number

from ..exchange import MAX_BYTES
from ..models import (
    MEDIATION_FIELDS,
    Avenant,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AvenantField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Avenant.objects.filter(in_progress=True),
            required=False,
            label=_("Sous quel avenant ?"),
            empty_label=_("Aucun (correction ou mise à jour des chiffres)"),
            help_text=_("Seuls les avenants « en cours » sont proposés."),
            error_messages={
                "invalid_choice": _("Cet avenant n'existe pas ou n'est plus en cours.")
            },
            **kwargs,
        )


class ValuesForm(forms.ModelForm):
    """A form whose cleaned fields a service writes (``values``), not ``save``."""

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ReferentielForm(ValuesForm):
    """A change of the referential, possibly under an avenant « en cours »."""

    avenant = AvenantField()


class QuartierForm(ReferentielForm):
    class Meta:
        model = Quartier
        fields = [
            "name",
            "short_name",
            "status",
            "summary",
            "population",
            "population_approximate",
            "population_trend",
            "surface_ha",
            "statistics_source",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "population": {"invalid": _("Écrivez un nombre entier d'habitants, par exemple 1300.")},
            "surface_ha": {"invalid": _("Écrivez un nombre entier d'hectares, par exemple 21.")},
        }


class IndicatorForm(ReferentielForm):
    class Meta:
        model = Indicator
        fields = ["label", "short_label", "value", "agglomeration_value", "unit", "source", "year"]
        localized_fields = ["value", "agglomeration_value"]
        error_messages = {
            "value": {"invalid": _("Écrivez un nombre, avec une virgule : 45,4.")},
            "agglomeration_value": {"invalid": _("Écrivez un nombre, avec une virgule : 18,8.")},
            "year": {"invalid": _("Écrivez l'année sur quatre chiffres, par exemple 2024.")},
        }

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1990 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("L'année du chiffre va de 1990 à l'année en cours."))
        return year


class FindingForm(ReferentielForm):
    class Meta:
        model = Finding
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 300})}


class FindingCreateForm(ReferentielForm):
    class Meta:
        model = Finding
        fields = ["kind", "text"]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        }
        error_messages = {"kind": {"required": _("Choisissez la nature du constat.")}}


class EnjeuForm(ReferentielForm):
    class Meta:
        model = Enjeu
        fields = ["title", "plain_title"]


class ObjectifForm(ReferentielForm):
    class Meta:
        model = Objectif
        fields = ["orientation", "intercommunal", "operationnel"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2, "maxlength": 300})
            for name in ("orientation", "intercommunal", "operationnel")
        }
        error_messages = {
            "intercommunal": {
                "required": _("L'objectif de la stratégie intercommunale est obligatoire.")
            },
            "orientation": {"required": _("L'orientation est obligatoire.")},
        }


class ObjectifCreateForm(ObjectifForm):
    class Meta(ObjectifForm.Meta):
        fields = ["enjeu", *ObjectifForm.Meta.fields]
        error_messages = {
            **ObjectifForm.Meta.error_messages,
            "enjeu": {"required": _("Choisissez l'enjeu de l'objectif.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enjeu"].empty_label = None
        self.fields["enjeu"].widget = forms.RadioSelect(choices=self.fields["enjeu"].choices)


class RetireForm(forms.Form):
    retired_on = forms.DateField(
        label=_("Retiré à partir du"),
        widget=DATE_INPUT,
        help_text=_("Ce jour-là, il disparaît des formulaires ; ce qui s'y rattache reste."),
        error_messages={
            "required": _("Donnez la date du retrait."),
            "invalid": _("Donnez une date, par exemple 01/03/2027."),
        },
    )
    retired_reason = forms.CharField(
        label=_("Motif du retrait"),
        max_length=300,
        help_text=_("Montré au public avec l'objectif retiré."),
        error_messages={"required": _("Dites pourquoi l'objectif est retiré.")},
    )
    avenant = AvenantField()


class RestoreForm(forms.Form):
    avenant = AvenantField()


class AvenantForm(forms.ModelForm):
    changes = forms.ModelMultipleChoiceField(
        label=_("Les modifications qu'il couvre"),
        queryset=ReferentielChange.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les modifications faites dans la plateforme et rattachées à aucun avenant."),
    )

    class Meta:
        model = Avenant
        fields = ["signed_on", "title", "text", "in_progress"]
        widgets = {"signed_on": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "signed_on": {
                "required": _("Donnez la date de l'avenant."),
                "invalid": _("Donnez une date, par exemple 01/03/2027."),
            },
            "title": {"required": _("Donnez un intitulé à l'avenant.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["changes"]
        field.queryset = ReferentielChange.objects.filter(
            origin=ReferentielChange.Origin.PLATEFORME, avenant__isnull=True
        ).order_by("-created_at", "-pk")
        field.label_from_instance = lambda change: (
            f"{timezone.localtime(change.created_at):%d/%m/%Y} — {change.get_action_display()} : {change.target_label}"
        )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ImportForm(forms.Form):
    """A commune's referential as a file (exchange.py checks what it says)."""

    document = forms.FileField(
        label=_("Le fichier du référentiel (JSON)"),
        help_text=_(
            "Un fichier .json au format « engagements-quartiers-2030/referentiel », 2 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        error_messages={
            "required": _("Choisissez le fichier JSON du référentiel."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Envoyez un fichier."),
        },
    )
    apply = forms.BooleanField(
        label=_("Écrire les différences si la commune est déjà sur la plateforme"),
        help_text=_(
            "Sans cette case, pour une commune déjà chargée, la page montre seulement ce qui "
            "changerait. Les modifications faites dans la plateforme restent."
        ),
        required=False,
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier pèse %(size).1f Mo : un référentiel ne dépasse pas %(max)s Mo."),
                params={"size": document.size / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024},
            )
        return document

    def data_bytes(self) -> bytes:
        document = self.cleaned_data["document"]
        document.seek(0)
        return document.read(MAX_BYTES + 1)


class MediationContactForm(ValuesForm):
    """How residents reach the commune's mediators: what « Joindre un·e médiateur·rice » shows."""

    mediation_phone = forms.CharField(
        label=_("Téléphone de la médiation"),
        required=False,
        max_length=30,
        help_text=_("Le numéro que les habitant·es appellent, par exemple 03 21 12 34 56."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    class Meta:
        model = Commune
        fields = list(MEDIATION_FIELDS)
        labels = {
            "mediation_hours": _("Jours et heures où l'on répond"),
            "mediation_place": _("Lieu d'accueil"),
        }
        help_texts = {
            "mediation_hours": _(
                "Par exemple : du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h."
            ),
            "mediation_place": _(
                "Le nom du lieu et son adresse, par exemple : Local de médiation, 12 rue …"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.mediation_phone:
            self.initial["mediation_phone"] = display_phone(self.instance.mediation_phone)

    def clean_mediation_phone(self) -> str:
        typed = self.cleaned_data["mediation_phone"]  # stripped by the field
        return parse_french_number(typed) if typed else ""
