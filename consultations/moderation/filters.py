"""Filters of the moderation queue (django-filter); every value comes from a list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from participation.core.ids import PkChoiceFilter
from participation.territory.models import Quartier

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

    @property
    def is_active(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.filters)
