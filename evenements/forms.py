import datetime as dt
import json
import re

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from participation.accounts.phone import FrenchMobileField
from participation.core import images
from participation.territory.models import Objectif, Quartier

from . import geo, rules
from .models import Evenement, Series
from .services import MAX_PERSONS_PER_INSCRIPTION, Recurrence

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class ObjectifChoiceField(forms.ModelMultipleChoiceField):
    """Every objective validates here; the form shows those of the chosen quartiers only
    (``objectif_groups``) and ``clean`` refuses one of a quartier not chosen."""

    def label_from_instance(self, obj):
        return str(obj)


def _ids(values) -> set[int]:
    """Primary keys from what a form holds: posted strings, model instances or pks."""
    found = set()
    for value in values or ():
        try:
            found.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            continue
    return found


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

    def __init__(
        self, *args, series_scope: bool = False, allow_repeat: bool = True, user=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        # ``user``'s quartiers only (evenements.rules); the ones of other communes an event
        # already has stay on it, untouched, outside the form (``outside_quartiers``).
        self.fields["quartiers"].queryset = rules.event_quartiers(
            user, Quartier.objects.order_by("position", "name")
        )
        self.fields["quartiers"].error_messages["invalid_choice"] = _(
            "Ce quartier n'est pas dans vos communes : choisissez parmi ceux de la liste."
        )
        existing = self.instance.quartiers.all() if self.instance.pk else ()
        self.outside_quartiers = [q for q in existing if not rules.may_place_in(user, [q.pk])]
        outside = {quartier.pk for quartier in self.outside_quartiers}
        self.outside_objectifs = [
            objectif
            for objectif in (self.instance.objectifs.all() if outside else ())
            if objectif.quartier_id in outside
        ]
        # Retired objectives are offered no more; an event keeps those it already names.
        kept = self.instance.objectifs.all() if self.instance.pk else None
        self.fields["objectifs"].queryset = (
            Objectif.objects.in_force(keep=kept)
            .filter(quartier__in=self.fields["quartiers"].queryset)
            .select_related("quartier", "enjeu")
            .order_by("quartier__position", "quartier__name", "enjeu__number", "position")
        )
        self.fields["objectifs"].widget = forms.CheckboxSelectMultiple()
        self.fields["objectifs"].widget.choices = self.fields["objectifs"].choices
        self.fields["objectifs"].required = False
        self.fields["latitude"].help_text = _(
            "Facultatif, pour la carte : cliquez sur la carte, ou tapez-la (ex. 50.5085)."
        )
        self.fields["longitude"].help_text = _(
            "Facultatif, pour la carte : cliquez sur la carte, ou tapez-la (ex. 2.4740)."
        )
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

    def clean_quartiers(self):
        return [*self.cleaned_data["quartiers"], *self.outside_quartiers]

    def clean_objectifs(self):
        return [*self.cleaned_data["objectifs"], *self.outside_objectifs]

    def clean_image(self):
        """Size, format and pixel count from the header: the service re-encodes it."""
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            images.check_photo(image)
        return image

    def keep_typed(self, data) -> None:
        """Show ``data`` (a POST) again in this unbound form, without validating it: the
        button « Afficher les objectifs des quartiers choisis » without JavaScript."""
        for name, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                self.initial[name] = data.getlist(name)
            elif isinstance(field, forms.BooleanField):
                self.initial[name] = name in data
            elif name in data and not isinstance(field, forms.FileField):
                self.initial[name] = data.get(name)

    def chosen_quartier_ids(self) -> set[int]:
        return _ids(self["quartiers"].value())

    def objectif_groups(self) -> list[dict]:
        """The objectives' checkboxes by quartier, then by enjeu. A quartier's group is
        shown when the quartier is chosen, or when one of its objectives is ticked (so that
        an error about it is seen); a script shows and hides them as quartiers are ticked."""
        chosen = self.chosen_quartier_ids()
        ticked = _ids(self["objectifs"].value())
        groups: dict[int, dict] = {}
        for widget in self["objectifs"].subwidgets:
            objectif = widget.data["value"].instance
            group = groups.setdefault(
                objectif.quartier_id,
                {"quartier": objectif.quartier, "enjeux": {}, "visible": False},
            )
            group["visible"] |= objectif.quartier_id in chosen or objectif.pk in ticked
            group["enjeux"].setdefault(objectif.enjeu, []).append(widget)
        return [{**group, "enjeux": list(group["enjeux"].items())} for group in groups.values()]

    def quartier_centres_json(self) -> str:
        """The quartiers' approximate centres, for the map that picks the place."""
        return json.dumps(geo.quartier_centres(self.fields["quartiers"].queryset))

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        geo.check_latitude(value)
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        geo.check_longitude(value)
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
        quartiers, objectifs = cleaned.get("quartiers"), cleaned.get("objectifs")
        if quartiers is not None and objectifs:
            chosen = {quartier.pk for quartier in quartiers}
            for objectif in objectifs:
                if objectif.quartier_id not in chosen:
                    self.add_error(
                        "objectifs",
                        forms.ValidationError(
                            _(
                                "L'objectif « %(objectif)s » est celui du quartier "
                                "%(quartier)s, qui n'est pas choisi : cochez ce quartier ou "
                                "décochez l'objectif."
                            ),
                            params={"objectif": objectif, "quartier": objectif.quartier.short_name},
                        ),
                    )
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
    phone = FrenchMobileField(
        label=_("Téléphone mobile"),
        help_text=_(
            "Ou une adresse électronique. Par exemple 06 12 34 56 78 : le rappel, "
            "un changement ou une annulation arrivent par SMS."
        ),
        required=False,
    )
    email = forms.EmailField(label=_("Adresse électronique"), required=False)
    contact_consent = forms.BooleanField(
        label=_(
            "La personne accepte que la commune garde ce contact pour la prévenir au sujet de "
            "cet événement (rappel, changement, annulation)."
        ),
        required=False,
    )

    field_order = ["name", "phone", "email", "contact_consent", "adults", "children"]

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
