"""The committee's filters: one set for the dashboard and the exports, carried in the URL.

Values that are well-formed but match nothing (an unknown quartier, another member's
instance) simply give empty counts; malformed values (a date that does not exist) give an
empty result and the form's messages. Ids are bounded like every id (participation.core.ids).
"""

import hashlib

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.core.ids import IdFilter

from .. import changes, rules
from ..models import (
    ROUTED_STATUSES,
    Etiquette,
    Expression,
    Source,
    Transmission,
)

# Steps of an expression once it has been routed.
REVIEW_STATUSES = [(status.value, status.label) for status in ROUTED_STATUSES]
NO_OBJECTIF = "sans"


class DashboardForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            raise ValidationError(
                _("La date de début (%(start)s) est après la date de fin (%(end)s).")
                % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}
            )
        return cleaned


class SlugFilter(django_filters.CharFilter):
    """A slug chosen in a list filled after the counts (see ``Dashboard``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_slug])
        kwargs.setdefault("widget", forms.Select)
        kwargs.setdefault("max_length", 80)
        super().__init__(*args, **kwargs)


class DashboardFilter(django_filters.FilterSet):
    """The dashboard's and the exports' filters; every value travels in the URL."""

    instance = SlugFilter(label=gettext_lazy("Instance"), method="filter_instance")
    quartier = SlugFilter(label=gettext_lazy("Quartier"), field_name="quartier__slug")
    enjeu = IdFilter(label=gettext_lazy("Enjeu"), method="filter_enjeu")
    objectif = IdFilter(label=gettext_lazy("Objectif"), method="filter_objectif")
    etiquette = IdFilter(label=gettext_lazy("Étiquette"), method="filter_etiquette")
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Recueillie"),
        choices=Source.choices,
        empty_label=gettext_lazy("En ligne et sur le terrain"),
    )
    consultation = SlugFilter(label=gettext_lazy("Consultation"), field_name="consultation__slug")
    etape = django_filters.ChoiceFilter(
        label=gettext_lazy("Étape"),
        choices=REVIEW_STATUSES,
        field_name="status",
        empty_label=gettext_lazy("Toutes"),
    )
    du = django_filters.DateFilter(
        label=gettext_lazy("Déposées à partir du"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = django_filters.DateFilter(
        label=gettext_lazy("jusqu'au"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Expression
        fields: list[str] = []
        form = DashboardForm

    def __init__(self, data=None, *args, user=None, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)

    def filter_instance(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Transmission.objects.filter(
                    expression=OuterRef("pk"),
                    instance__slug=value,
                    instance__in=rules.instances_of(self.user),
                )
            )
        )

    def filter_enjeu(self, queryset, name, value):
        through = Expression.objectifs.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("pk"), objectif__enjeu__number=value))
        )

    def filter_objectif(self, queryset, name, value):
        through = Expression.objectifs.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("pk"), objectif_id=value))
        )

    def filter_etiquette(self, queryset, name, value):
        through = Etiquette.expressions.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("pk"), etiquette_id=value))
        )


def filtered_expressions(user, data):
    """(filterset, queryset) of the routed expressions ``user`` may see, filtered by ``data``.

    The queryset is empty when the filters are malformed; values that are well-formed but
    unknown match nothing by themselves.
    """
    filterset = DashboardFilter(data or None, queryset=rules.expressions_routed_to(user), user=user)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, Expression.objects.none()
    return filterset, filterset.qs


def cache_key(user, data) -> str:
    """The same for everyone who sees the same routed expressions with the same filters.

    The référent sees every instance; a committee member, the instances they sit in.
    """
    if rules.is_referent(user):
        scope = "referent"
    else:
        scope = ",".join(
            str(pk) for pk in rules.instances_of(user).order_by("pk").values_list("pk", flat=True)
        )
    query = sorted((key, value) for key, values in data.lists() for value in values)
    digest = hashlib.sha256(repr((changes.figures_generation(), scope, query)).encode()).hexdigest()
    return f"tableau-de-bord:{digest}"
