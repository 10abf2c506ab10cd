"""Filters of the moderation queue (django-filter); every value comes from a list."""

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from participation.core.ids import PkChoiceFilter
from participation.territory.models import Quartier

from .. import rules
from ..models import Consultation, Etiquette, Expression, Source


class ModerationFilter(django_filters.FilterSet):
    quartier = django_filters.ModelChoiceFilter(
        label=_("Quartier"),
        queryset=Quartier.objects.order_by("position", "name"),
        to_field_name="slug",
        empty_label=_("Tous les quartiers"),
    )
    source = django_filters.ChoiceFilter(
        label=_("Recueillie"), choices=Source.choices, empty_label=_("En ligne et sur le terrain")
    )
    consultation = django_filters.ModelChoiceFilter(
        label=_("Consultation"),
        queryset=Consultation.objects.order_by("-opens_on", "title"),
        to_field_name="slug",
        empty_label=_("Toutes"),
    )
    etiquette = PkChoiceFilter(
        label=_("Étiquette"),
        field_name="etiquettes",
        queryset=Etiquette.objects.all(),
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Expression
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff given communes filter by their communes' quartiers only.
        quartier = self.filters["quartier"]
        quartier.queryset = rules.quartiers_in_scope(user, quartier.queryset)

    @property
    def is_active(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.filters)

    def active_values(self) -> dict[str, str]:
        """The filters this page applies (a value not understood is not applied), each value
        written as ``consultations.changes.arrival`` writes it: a slug, a code or an id."""
        if not self.is_bound:
            return {}
        self.form.is_valid()  # cleans once; a value not understood stays out of cleaned_data
        values = {}
        for name, filter_ in self.filters.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, models.Model):
                value = getattr(value, filter_.extra.get("to_field_name") or "pk")
            values[name] = str(value)
        return values
