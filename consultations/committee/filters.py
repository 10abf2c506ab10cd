"""The committee's filters, carried in the URL: one set for the dashboard and the exports,
one for « Transmis à notre instance » (``WaitingFilter``).

Values that are well-formed but match nothing (an unknown quartier, another member's
instance) simply give empty counts; malformed values (a date that does not exist) give an
empty result and the form's messages. Ids are bounded like every id (participation.core.ids).
"""

import datetime as dt
import hashlib

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.core.ids import IdFilter

from .. import changes, rules
from ..models import (
    ROUTED_STATUSES,
    Etiquette,
    Expression,
    Source,
    Status,
    Transmission,
)
from . import charts
from .services import AGENDA_STATUSES

# Steps of an expression once it has been routed.
REVIEW_STATUSES = [(status.value, status.label) for status in ROUTED_STATUSES]
NO_OBJECTIF = "sans"


# What an expression waiting for an instance may still be, in the committee's words.
WAITING_LABELS = {
    Status.TRANSMISE: gettext_lazy("À examiner (transmise)"),
    Status.EXAMINEE: gettext_lazy("Examinée, réponse à écrire"),
}
WAITING_STEPS = [(status.value, WAITING_LABELS[status]) for status in AGENDA_STATUSES]
NEWEST, OLDEST, MOST_SUPPORTED = "recentes", "anciennes", "soutenues"


class ObjectifSelect(forms.Select):
    """The objectives grouped by quartier, each option naming its quartier
    (``data-quartier``): static/js/committee.js keeps only those of the quartier chosen in
    the same form's ``quartier`` list, before any submit. Filled by ``fill_objectifs``."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-objectifs-of": "quartier", **(attrs or {})})
        self.quartier_of: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        quartier = self.quartier_of.get(str(value))
        if quartier:
            option["attrs"]["data-quartier"] = quartier
        return option


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` where the platform is (Europe/Paris)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def fill_objectifs(field, objectifs, empty_label: str) -> None:
    """Offer ``objectifs`` (with their quartier loaded) in ``field``'s ObjectifSelect, one
    group per quartier, in the order given."""
    groups: dict[str, list] = {}
    for o in objectifs:
        groups.setdefault(o.quartier.short_name, []).append((o.pk, charts.short(str(o), 80)))
    field.widget.choices = [("", empty_label), *groups.items()]
    field.widget.quartier_of = {str(o.pk): o.quartier.slug for o in objectifs}


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
    objectif = IdFilter(
        label=gettext_lazy("Objectif"), method="filter_objectif", widget=ObjectifSelect
    )
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
    # By the day it was said (``said_or_created``): a field entry synced later counts on
    # the day it was said, like every figure of the committee.
    du = django_filters.DateFilter(
        label=gettext_lazy("Exprimées à partir du"),
        method="filter_said_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = django_filters.DateFilter(
        label=gettext_lazy("jusqu'au"),
        method="filter_said_until",
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

    def filter_said_from(self, queryset, name, value):
        return queryset.said_between(start=day_start(value))

    def filter_said_until(self, queryset, name, value):
        return queryset.said_between(end=day_start(value + dt.timedelta(days=1)))

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

    The référent sees every instance (in her communes when she is given some: two
    référents of different communes never share figures); a committee member, the
    instances they sit in.
    """
    if rules.is_referent(user):
        quartiers = rules.review_quartier_ids(user)
        # Her communes too: two communes may share their quartiers, not their instances.
        scope = "referent" if quartiers is None else f"referent:{changes.scope_key(user)}"
    else:
        scope = ",".join(
            str(pk) for pk in rules.instances_of(user).order_by("pk").values_list("pk", flat=True)
        )
    query = sorted((key, value) for key, values in data.lists() for value in values)
    digest = hashlib.sha256(repr((changes.figures_generation(), scope, query)).encode()).hexdigest()
    return f"tableau-de-bord:{digest}"


class WaitingFilter(django_filters.FilterSet):
    """The filters of « Transmis à notre instance », over the transmissions of my instances
    whose expression waits (``waiting.build`` fills the lists and checks the values)."""

    instance = SlugFilter(label=gettext_lazy("Instance"), field_name="instance__slug")
    quartier = SlugFilter(label=gettext_lazy("Quartier"), field_name="expression__quartier__slug")
    objectif = IdFilter(
        label=gettext_lazy("Objectif"), method="filter_objectif", widget=ObjectifSelect
    )
    etape = django_filters.ChoiceFilter(
        label=gettext_lazy("Étape"),
        choices=WAITING_STEPS,
        field_name="expression__status",
        empty_label=gettext_lazy("Toutes"),
    )
    tri = django_filters.ChoiceFilter(
        label=gettext_lazy("Ordre"),
        choices=[
            (NEWEST, gettext_lazy("Les dernières transmises d'abord")),
            (OLDEST, gettext_lazy("Celles qui attendent depuis le plus longtemps d'abord")),
            (MOST_SUPPORTED, gettext_lazy("Les plus soutenues d'abord")),
        ],
        method="sort",
        empty_label=None,
    )

    class Meta:
        model = Transmission
        fields: list[str] = []

    def filter_objectif(self, queryset, name, value):
        through = Expression.objectifs.through
        return queryset.filter(
            Exists(through.objects.filter(expression=OuterRef("expression"), objectif_id=value))
        )

    def sort(self, queryset, name, value):
        """By instance, then as chosen (the newest routed first when nothing is chosen)."""
        if value == MOST_SUPPORTED:
            order = ("-expression__supports_count", "-created_at", "-pk")
        elif value == OLDEST:
            order = ("created_at", "pk")
        else:
            return queryset
        return queryset.order_by("instance__name", "instance_id", *order)
