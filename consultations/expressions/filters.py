"""Filters of the published expressions, shared by the pages and the API."""

import functools

import django_filters
from django import forms
from django.core.validators import slug_re
from django.db.models import BigIntegerField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from evenements import public as evenements_public
from participation.core.ids import pk_or_none
from participation.core.selects import RowsOnceChoiceFilter
from participation.territory.models import Enjeu, Objectif, Quartier

from ..models import Consultation, Expression, Source
from ..search import search_expressions


def objectif_choices(quartier: str | None = None, selected=None):
    """The objectives of the chosen quartier, under its name, and the objective already chosen.

    The list follows the quartier (a select of every objective of every quartier would weigh
    tens of kilobytes at the scale of the agglomeration): without a quartier, it only holds
    the objective already chosen, if any.
    """
    condition = Q(quartier__slug=quartier) if quartier else Q(pk__in=[])
    if pk_or_none(selected) is not None:
        condition |= Q(pk=pk_or_none(selected))
    groups: dict[str, list] = {}
    rows = (
        Objectif.objects.filter(condition)
        .select_related("quartier")
        .only("operationnel", "intercommunal", "quartier__short_name")
        .order_by("quartier__position", "quartier__name", "enjeu__number", "position")
    )
    for objectif in rows:
        label = str(objectif)
        groups.setdefault(objectif.quartier.short_name, []).append(
            (objectif.pk, label if len(label) <= 80 else label[:79] + "…")
        )
    return list(groups.items())


def evenement_choices(selected=None):
    """The event already chosen: the filter is reached from an event's page, not picked in a list."""
    if pk_or_none(selected) is None:
        return []
    return evenements_public.event_titles([pk_or_none(selected)])


class ExpressionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("ex. : médiation, éclairage")}
        ),
    )
    quartier = RowsOnceChoiceFilter(
        label=_("Quartier"),
        queryset=Quartier.objects.order_by("position", "name").only("slug", "name"),
        to_field_name="slug",
        empty_label=_("Tous les quartiers"),
        method="filter_quartier",
    )
    enjeu = RowsOnceChoiceFilter(
        label=_("Enjeu"),
        queryset=Enjeu.objects.all(),
        to_field_name="number",
        method="filter_enjeu",
        empty_label=_("Tous les enjeux"),
    )
    objectif = django_filters.ChoiceFilter(
        label=_("Objectif"),
        choices=objectif_choices,
        method="filter_objectif",
        empty_label=_("Tous les objectifs"),
    )
    consultation = RowsOnceChoiceFilter(
        label=_("Consultation"),
        queryset=Consultation.objects.only("slug", "title"),
        to_field_name="slug",
        empty_label=_("Toutes"),
    )
    evenement = django_filters.ChoiceFilter(
        label=_("Événement"),
        choices=evenement_choices,
        field_name="evenement_id",
        empty_label=_("Tous"),
    )
    source = django_filters.ChoiceFilter(
        label=_("Recueillie"), choices=Source.choices, empty_label=_("En ligne et sur le terrain")
    )
    ordre = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[
            ("recentes", _("les plus récentes")),
            ("soutenues", _("les plus soutenues (« moi aussi »)")),
        ],
        empty_label=None,
        method="filter_order",
    )

    class Meta:
        model = Expression
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        data = data or {}
        quartier = data.get("quartier") or None
        if quartier is not None and not slug_re.match(str(quartier)):
            quartier = None  # not a quartier at all: the field itself says so
        self.filters["objectif"].extra["choices"] = functools.partial(
            objectif_choices, quartier, data.get("objectif")
        )
        if not quartier:
            self.filters["objectif"].extra["empty_label"] = _("Choisissez d'abord un quartier")
        self.filters["evenement"].extra["choices"] = functools.partial(
            evenement_choices, data.get("evenement")
        )

    ORDERS = {
        "recentes": ("-published_at", "-pk"),
        "soutenues": ("-supports_count", "-published_at", "-pk"),
    }

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS.get(value, self.ORDERS["recentes"]))

    def filter_quartier(self, queryset, name, value):
        # A bigint on both sides: the GIN index of a search in one quartier (btree_gin,
        # consultations.search.listed_text_search_index) only compares int8 with int8.
        return queryset.filter(quartier_id=Cast(Value(value.pk), BigIntegerField()))

    def filter_search(self, queryset, name, value):
        return search_expressions(queryset, value)

    @extend_schema_field(OpenApiTypes.INT)  # the enjeu's number
    def filter_enjeu(self, queryset, name, value):
        through = Expression.objectifs.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("pk"), objectif__enjeu=value))
        )

    @extend_schema_field(OpenApiTypes.INT)  # the objectif's id
    def filter_objectif(self, queryset, name, value):
        through = Expression.objectifs.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("pk"), objectif_id=int(value)))
        )
