"""Finding events: one FilterSet for the list, the map, the calendar and the API.

An impossible filter (a date like 2026-13-45, an unknown quartier) makes the FilterSet
invalid; callers then show an empty list with the French reasons (``filter_messages``).
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core.selects import RowsOnceChoiceFilter
from participation.territory.models import Quartier

from .models import Evenement

MIN_YEAR, MAX_YEAR = 2000, 2100
DATE_ERROR = _("Date impossible : écrivez-la sous la forme AAAA-MM-JJ (par exemple 2026-12-05).")


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class EvenementFilterForm(forms.Form):
    def _clean_year(self, name):
        value = self.cleaned_data.get(name)
        if value and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("Date hors des limites : choisissez une année entre %(min)s et %(max)s."),
                params={"min": MIN_YEAR, "max": MAX_YEAR},
            )
        return value

    def clean_du(self):
        return self._clean_year("du")

    def clean_au(self):
        return self._clean_year("au")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            raise forms.ValidationError(
                _("La date de fin de recherche est avant la date de début.")
            )
        return cleaned


class EvenementFilter(django_filters.FilterSet):
    quartier = RowsOnceChoiceFilter(
        label=_("Quartier"),
        field_name="quartiers",
        to_field_name="slug",
        queryset=Quartier.objects.order_by("position", "name").only("slug", "name"),
        empty_label=_("Tous les quartiers"),
        error_messages={"invalid_choice": _("Ce quartier n'existe pas.")},
    )
    type = django_filters.ChoiceFilter(
        label=_("Type d'événement"),
        field_name="kind",
        choices=Evenement.Kind.choices,
        empty_label=_("Tous les types"),
        error_messages={"invalid_choice": _("Ce type d'événement n'existe pas.")},
    )
    du = django_filters.DateFilter(
        label=_("À partir du"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_ERROR},
    )
    au = django_filters.DateFilter(
        label=_("Jusqu'au"),
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_ERROR},
    )
    ouvert = django_filters.BooleanFilter(
        label=_("Seulement les événements ouverts aux inscriptions"),
        method="filter_open",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Evenement
        fields: list[str] = []
        form = EvenementFilterForm

    def filter_from(self, queryset, name, value):
        return queryset.filter(ends_at__gte=day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(starts_at__lt=day_start(value + dt.timedelta(days=1)))

    def filter_open(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(capacity__isnull=True) | Q(capacity__gt=F("places_taken")),
            registration_required=True,
            status=Evenement.Status.PUBLIE,
            starts_at__gt=timezone.now(),
        )

    def filter_queryset(self, queryset):
        """Without a start date, only what has not ended yet: upcoming events first."""
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("du"):
            queryset = queryset.filter(ends_at__gte=timezone.now())
        return queryset

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    def filter_messages(self) -> list[str]:
        if not self.is_bound or self.is_valid():
            return []
        messages = []
        for name, errors in self.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            for error in errors:
                messages.append(f"{label} : {error}" if label else str(error))
        return messages


def mine_first(queryset, user):
    """Order with the events of the resident's own quartier first (when known)."""
    quartier_id = getattr(user, "quartier_id", None) if user.is_authenticated else None
    if not quartier_id:
        return queryset.order_by("starts_at", "pk")
    through = Evenement.quartiers.through
    return queryset.annotate(
        in_my_quartier=Exists(
            through.objects.filter(evenement=OuterRef("pk"), quartier_id=quartier_id)
        )
    ).order_by("-in_my_quartier", "starts_at", "pk")
