import datetime as dt
import re

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from participation.core import images
from participation.territory.models import Objectif, Quartier

from .models import Evenement, Series
from .services import MAX_PERSONS_PER_INSCRIPTION, Recurrence

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class ObjectifChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.quartier.short_name} — {obj}"


class EvenementForm(forms.ModelForm):
    """Create or edit an event; on creation, optionally repeat it (a series)."""

    REPEAT_NONE = ""
    repeat = forms.ChoiceField(
        label=_("Répéter cet événement"),
        required=False,
        choices=[("", _("Non, une seule date")), *Series.Frequency.choices],
        widget=forms.RadioSelect,
    )
    interval_weeks = forms.IntegerField(
        label=_("Toutes les combien de semaines"),
        min_value=1,
        max_value=8,
        initial=1,
        required=False,
        help_text=_("1 = chaque semaine, 2 = une semaine sur deux."),
    )
    until = forms.DateField(
        label=_("Jusqu'au (inclus)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dates = forms.CharField(
        label=_("Autres dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une date par ligne, au format JJ/MM/AAAA ; même horaire que la première."),
    )

    class Meta:
        model = Evenement
        fields = [
            "kind",
            "title",
            "description",
            "quartiers",
            "starts_at",
            "ends_at",
            "place_name",
            "address",
            "directions",
            "latitude",
            "longitude",
            "organiser_kind",
            "organiser_name",
            "accessibility",
            "registration_required",
            "capacity",
            "objectifs",
            "image",
            "image_alt",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "quartiers": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "directions": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"objectifs": ObjectifChoiceField}

    def __init__(self, *args, series_scope: bool = False, allow_repeat: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        self.fields["quartiers"].queryset = Quartier.objects.order_by("position", "name")
        self.fields["objectifs"].queryset = Objectif.objects.select_related("quartier").order_by(
            "quartier__position", "enjeu__number", "position"
        )
        self.fields["objectifs"].widget = forms.CheckboxSelectMultiple()
        self.fields["objectifs"].widget.choices = self.fields["objectifs"].choices
        self.fields["objectifs"].required = False
        self.fields["latitude"].help_text = _("Facultatif, pour la carte (ex. 50,5085).")
        self.fields["longitude"].help_text = _("Facultatif, pour la carte (ex. 2,4740).")
        if not allow_repeat:
            for name in ("repeat", "interval_weeks", "until", "dates"):
                del self.fields[name]
        if series_scope:
            self.fields["scope"] = forms.ChoiceField(
                label=_("Appliquer les changements à"),
                choices=[
                    ("this", _("cette date seulement")),
                    ("following", _("cette date et les suivantes de la série")),
                ],
                initial="this",
                widget=forms.RadioSelect,
            )

    def clean_image(self):
        """Size, format and pixel count from the header: the service re-encodes it."""
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            images.check_photo(image)
        return image

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError(_("Une latitude est comprise entre -90 et 90."))
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError(_("Une longitude est comprise entre -180 et 180."))
        return value

    def clean_dates(self):
        raw = self.cleaned_data.get("dates", "")
        days = []
        for chunk in re.split(r"[\s,;]+", raw.strip()):
            if not chunk:
                continue
            try:
                days.append(dt.datetime.strptime(chunk, "%d/%m/%Y").date())
            except ValueError:
                raise forms.ValidationError(
                    _("« %(value)s » n'est pas une date au format JJ/MM/AAAA."),
                    params={"value": chunk},
                ) from None
        return days

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("La fin doit être après le début."))
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error(
                "longitude", _("Donnez la latitude et la longitude, ou aucune des deux.")
            )
        if cleaned.get("capacity") is not None and not cleaned.get("registration_required"):
            self.add_error(
                "registration_required",
                _("Un nombre de places limité demande une inscription : cochez cette case."),
            )
        repeat = cleaned.get("repeat")
        if repeat == Series.Frequency.WEEKLY:
            until = cleaned.get("until")
            if not until:
                self.add_error("until", _("Indiquez jusqu'à quand l'événement se répète."))
            elif start and until < start.date():
                self.add_error("until", _("La date de fin de la série est avant la première date."))
            elif start and until > start.date() + dt.timedelta(days=731):
                self.add_error("until", _("Une série dure au plus deux ans."))
        elif repeat == Series.Frequency.DATES and not cleaned.get("dates"):
            self.add_error("dates", _("Indiquez au moins une autre date."))
        return cleaned

    def recurrence(self) -> Recurrence | None:
        repeat = self.cleaned_data.get("repeat")
        if not repeat:
            return None
        return Recurrence(
            frequency=repeat,
            interval_weeks=self.cleaned_data.get("interval_weeks") or 1,
            until=self.cleaned_data.get("until"),
            dates=self.cleaned_data.get("dates") or [],
        )

    def event_data(self) -> dict:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self._meta.fields and name not in ("quartiers", "objectifs")
        }
        if data.get("image") is False:  # « effacer » ticked
            data["image"] = ""
        elif data.get("image") is None:
            data.pop("image", None)
        return data


class RegistrationForm(forms.Form):
    adults = forms.IntegerField(
        label=_("Nombre d'adultes"), min_value=0, max_value=MAX_PERSONS_PER_INSCRIPTION, initial=1
    )
    children = forms.IntegerField(
        label=_("Nombre d'enfants"), min_value=0, max_value=MAX_PERSONS_PER_INSCRIPTION, initial=0
    )
    join_waiting_list = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        adults, children = cleaned.get("adults"), cleaned.get("children")
        if adults is not None and children is not None:
            if adults + children < 1:
                raise forms.ValidationError(_("Indiquez au moins une personne."))
            if adults + children > MAX_PERSONS_PER_INSCRIPTION:
                raise forms.ValidationError(
                    _("Une inscription compte au plus %(max)s personnes."),
                    params={"max": MAX_PERSONS_PER_INSCRIPTION},
                )
        return cleaned


class GuestRegistrationForm(RegistrationForm):
    """A mediator registers a person who has no account, at a stand."""

    name = forms.CharField(label=_("Nom ou prénom de la personne"), max_length=120)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Adresse électronique"), required=False)
    contact_consent = forms.BooleanField(
        label=_(
            "La personne accepte que la commune garde ce contact pour la prévenir au sujet de "
            "cet événement (rappel, changement, annulation)."
        ),
        required=False,
    )

    field_order = ["name", "phone", "email", "contact_consent", "adults", "children"]

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Ce numéro de téléphone n'est pas valide."))
        return phone

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("phone") or cleaned.get("email")) and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("Un téléphone ou une adresse ne se garde qu'avec l'accord de la personne."),
            )
        return cleaned


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=300,
        help_text=_("Il sera envoyé aux personnes inscrites."),
    )
    whole_series = forms.BooleanField(
        label=_("Annuler aussi toutes les dates suivantes de la série"), required=False
    )

    def __init__(self, *args, in_series: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["whole_series"]


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, inscriptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = inscriptions
