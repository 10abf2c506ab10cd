"""The committee's dashboard: what was routed to my instances, counted every way.

A comité member sees only the expressions routed to the instances they sit in; the
référent sees every instance. Filters live in the URL (django-filter) so that a view can
be shared; the exports use the same filters. The whole page runs a fixed number of SQL
queries, whatever the number of expressions: every count is a GROUP BY, and the filter
choices come from the same queries as the counts.

Values that are well-formed but match nothing (an unknown quartier, another member's
instance) simply give empty counts, then a message; malformed values (a date that does
not exist) give an empty result and the form's messages.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.territory.models import Objectif, Quartier

from . import charts, figures, rules
from .models import (
    ROUTED_STATUSES,
    Consultation,
    Decision,
    Etiquette,
    Expression,
    Reponse,
    Source,
    Status,
    Transmission,
)

# Steps of an expression once it has been routed.
REVIEW_STATUSES = [(status.value, status.label) for status in ROUTED_STATUSES]
TREND_MONTHS_DEFAULT = 12
TREND_MONTHS_MAX = 36
TOP_SUPPORTED = 10
OBJECTIFS_SHOWN = 20  # bars of the « par objectif » chart without a quartier filter
ID_MAX = 2**31 - 1
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


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        kwargs.setdefault("widget", forms.Select)
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
    digest = hashlib.sha256(repr((figures.generation(), scope, query)).encode()).hexdigest()
    return f"tableau-de-bord:{digest}"


@dataclass
class Section:
    """One grouping: its counts (a table), and the same as an SVG chart."""

    name: str
    title: str
    header: str
    rows: list[charts.Category]
    chart: charts.BarChart | None = None

    def __post_init__(self):
        if self.chart is None:
            self.chart = charts.bar_chart([row for row in self.rows if row.count])

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def has_data(self) -> bool:
        return any(row.count for row in self.rows)


@dataclass
class Dashboard:
    filterset: DashboardFilter
    valid: bool
    problems: list[str]
    instances: list
    total: int = 0
    supports: int = 0
    people: int = 0
    sections: list[Section] = field(default_factory=list)
    months: list[tuple[dt.date, int]] = field(default_factory=list)
    trend: charts.ColumnChart | None = None
    top_supported: list = field(default_factory=list)
    unreached: list = field(default_factory=list)

    @property
    def form(self):
        return self.filterset.form

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def instance_ids(self) -> str:
        return " ".join(str(instance.pk) for instance in self.instances)

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months[-TREND_MONTHS_MAX:]


def _trend(counts: dict[dt.date, int], start: dt.date | None, end: dt.date | None):
    today = _month(timezone.localdate())
    if start or end:
        first = _month(start) if start else min([*counts, _month(end)])
        last = _month(end) if end else max([*counts, today])
    elif counts:
        first, last = min(counts), max(max(counts), today)
    else:
        last = today
        first = _month(today - dt.timedelta(days=31 * (TREND_MONTHS_DEFAULT - 1)))
    if first > last:
        first = last
    return [(month, counts.get(month, 0)) for month in month_range(first, last)]


def build(user, data) -> Dashboard:
    """Every figure of the dashboard for ``user`` and the filters in ``data``."""
    filterset, queryset = filtered_expressions(user, data)
    valid = not (filterset.is_bound and not filterset.is_valid())

    instances = rules.instances_of(user).order_by("name")
    if valid:
        instances = instances.annotate(
            routed=Count(
                "transmissions",
                filter=Q(transmissions__expression__in=queryset.values("pk")),
            )
        )
    instances = list(instances)
    quartiers = list(Quartier.objects.order_by("position", "name"))
    through = Expression.objectifs.through
    objectifs = Objectif.objects.select_related("quartier", "enjeu").annotate(
        reached=Exists(through.objects.filter(objectif=OuterRef("pk")))
    )
    if valid:
        objectifs = objectifs.annotate(
            routed=Count("expressions", filter=Q(expressions__in=queryset.values("pk")))
        )
    objectifs = list(objectifs.order_by("quartier__position", "enjeu__number", "position"))
    etiquettes = Etiquette.objects.all()
    if valid:
        etiquettes = etiquettes.annotate(
            routed=Count("expressions", filter=Q(expressions__in=queryset.values("pk")))
        )
    etiquettes = list(etiquettes.order_by("name"))
    consultations = Consultation.objects.all()
    if valid:
        consultations = consultations.annotate(
            routed=Count("expressions", filter=Q(expressions__in=queryset.values("pk")))
        )
    consultations = list(consultations.order_by("-opens_on", "title"))
    enjeux = {o.enjeu.number: o.enjeu for o in objectifs}

    _fill_choices(filterset, instances, quartiers, enjeux, objectifs, etiquettes, consultations)
    problems = _unknown_values(
        filterset, instances, quartiers, enjeux, objectifs, etiquettes, consultations
    )
    dashboard = Dashboard(filterset=filterset, valid=valid, problems=problems, instances=instances)
    if not valid:
        dashboard.problems.insert(
            0,
            _(
                "Ces filtres ne sont pas valables : aucun résultat n'est affiché. "
                "Corrigez-les ou effacez-les."
            ),
        )
    if not valid:
        dashboard.trend = charts.column_chart([])
        return dashboard

    # One GROUP BY for every grouping an expression has once (quartier, source, step,
    # month), and, through one EXISTS per enjeu (there are three), for the enjeux too.
    enjeu_flags = {
        f"enjeu_{number}": Exists(
            through.objects.filter(expression=OuterRef("pk"), objectif__enjeu__number=number)
        )
        for number in sorted(enjeux)
    }
    cube = list(
        queryset.annotate(
            month=TruncMonth("created_at"),
            has_objectif=Exists(through.objects.filter(expression=OuterRef("pk"))),
            **enjeu_flags,
        )
        .values("quartier_id", "source", "status", "month", "has_objectif", *enjeu_flags)
        .annotate(n=Count("pk"), supports=Sum("supports_count"), people=Sum("people_count"))
        .order_by()
    )
    by_enjeu = {
        number: sum(row["n"] for row in cube if row[f"enjeu_{number}"]) for number in enjeux
    }
    dashboard.top_supported = list(
        queryset.filter(supports_count__gt=0)
        .select_related("quartier", "author")
        .order_by("-supports_count", "-created_at", "-pk")[:TOP_SUPPORTED]
    )

    def total_by(key):
        totals: dict = {}
        for row in cube:
            totals[row[key]] = totals.get(row[key], 0) + row["n"]
        return totals

    dashboard.total = sum(row["n"] for row in cube)
    dashboard.supports = sum(row["supports"] or 0 for row in cube)
    dashboard.people = sum(row["people"] or 0 for row in cube)
    with_objectif = sum(row["n"] for row in cube if row["has_objectif"])
    quartier_counts = total_by("quartier_id")
    source_counts = total_by("source")
    status_counts = total_by("status")
    month_counts: dict[dt.date, int] = {}
    for row in cube:
        month = _month(row["month"])
        month_counts[month] = month_counts.get(month, 0) + row["n"]

    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    dashboard.months = _trend(month_counts, cleaned.get("du"), cleaned.get("au"))
    dashboard.trend = charts.column_chart(dashboard.months)
    Category = charts.Category
    without_objectif = dashboard.total - with_objectif
    dashboard.sections = [
        Section(
            "quartier",
            _("Par quartier"),
            _("Quartier"),
            [Category(q.slug, q.short_name, quartier_counts.get(q.pk, 0)) for q in quartiers],
        ),
        Section(
            "enjeu",
            _("Par enjeu du contrat de ville"),
            _("Enjeu"),
            [
                Category(
                    str(number),
                    _("Enjeu %(number)s : %(title)s") % {"number": number, "title": enjeu.title},
                    by_enjeu.get(number, 0),
                )
                for number, enjeu in sorted(enjeux.items())
            ]
            + [Category(NO_OBJECTIF, _("Sans objectif relié"), without_objectif)],
        ),
        Section(
            "objectif",
            _("Par objectif"),
            _("Objectif"),
            _most_cited(
                sorted(
                    (
                        Category(str(o.pk), f"{o.quartier.short_name} — {o}", o.routed)
                        for o in objectifs
                        if o.routed
                    ),
                    key=lambda c: -c.count,
                ),
                everything=bool(cleaned.get("quartier")),
            )
            + [Category(NO_OBJECTIF, _("Sans objectif relié"), without_objectif)],
        ),
        Section(
            "etiquette",
            _("Par étiquette"),
            _("Étiquette"),
            sorted(
                (Category(str(e.pk), e.name, e.routed) for e in etiquettes if e.routed),
                key=lambda c: (-c.count, c.label.lower()),
            ),
        ),
        Section(
            "source",
            _("Par lieu de recueil"),
            _("Recueillie"),
            [
                Category(value, label, source_counts.get(value, 0))
                for value, label in Source.choices
            ],
        ),
        Section(
            "consultation",
            _("Par consultation"),
            _("Consultation"),
            [Category(c.slug, c.title, c.routed) for c in consultations if c.routed]
            + [
                Category(
                    "",
                    _("Hors consultation"),
                    dashboard.total - sum(c.routed for c in consultations),
                )
            ],
        ),
        Section(
            "etape",
            _("Par étape"),
            _("Étape"),
            [
                Category(value, label, status_counts.get(value, 0))
                for value, label in REVIEW_STATUSES
            ],
        ),
        Section(
            "instance",
            _("Par instance"),
            _("Instance"),
            [Category(i.slug, i.name, i.routed) for i in instances],
        ),
    ]
    dashboard.unreached = _unreached(objectifs, cleaned)
    return dashboard


def _most_cited(rows: list, *, everything: bool) -> list:
    """The objectives most cited, then one row for the others; every one for one quartier."""
    if everything or len(rows) <= OBJECTIFS_SHOWN:
        return rows
    others = rows[OBJECTIFS_SHOWN:]
    label = _("%(count)s autres objectifs (filtrez par quartier pour les voir)") % {
        "count": len(others)
    }
    return [*rows[:OBJECTIFS_SHOWN], charts.Category("", label, sum(c.count for c in others))]


def _unreached(objectifs, cleaned) -> list:
    """Objectives no expression at all is about yet, within the quartier and enjeu filters."""
    quartier = cleaned.get("quartier")
    enjeu = cleaned.get("enjeu")
    return [
        o
        for o in objectifs
        if not o.reached
        and (not quartier or o.quartier.slug == quartier)
        and (not enjeu or o.enjeu.number == enjeu)
    ]


def _fill_choices(filterset, instances, quartiers, enjeux, objectifs, etiquettes, consultations):
    fields = filterset.form.fields
    fields["instance"].widget.choices = [("", _("Toutes mes instances"))] + [
        (i.slug, i.name) for i in instances
    ]
    fields["quartier"].widget.choices = [("", _("Tous les quartiers"))] + [
        (q.slug, q.short_name) for q in quartiers
    ]
    fields["enjeu"].widget.choices = [("", _("Tous les enjeux"))] + [
        (number, _("Enjeu %(number)s") % {"number": number} + f" — {charts.short(e.title, 60)}")
        for number, e in sorted(enjeux.items())
    ]
    # The objectives of the chosen quartier only (and the one already chosen): every
    # objective of every quartier would weigh tens of kilobytes at the agglomeration's scale.
    cleaned = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    quartier, chosen = cleaned.get("quartier"), cleaned.get("objectif")
    groups: dict[str, list] = {}
    for o in objectifs:
        if (quartier and o.quartier.slug == quartier) or o.pk == chosen:
            groups.setdefault(o.quartier.short_name, []).append((o.pk, charts.short(str(o), 80)))
    empty = _("Tous les objectifs") if quartier else _("Choisissez d'abord un quartier")
    fields["objectif"].widget.choices = [("", empty), *groups.items()]
    fields["etiquette"].widget.choices = [("", _("Toutes les étiquettes"))] + [
        (e.pk, e.name) for e in etiquettes
    ]
    fields["consultation"].widget.choices = [("", _("Toutes"))] + [
        (c.slug, c.title) for c in consultations
    ]


def _unknown_values(filterset, instances, quartiers, enjeux, objectifs, etiquettes, consultations):
    """Messages for filter values that are well-formed but name nothing the person can see."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    cleaned = filterset.form.cleaned_data
    known = {
        "instance": ({i.slug for i in instances}, _("Cette instance n'est pas une des vôtres.")),
        "quartier": ({q.slug for q in quartiers}, _("Ce quartier n'existe pas.")),
        "enjeu": (set(enjeux), _("Cet enjeu n'existe pas.")),
        "objectif": ({o.pk for o in objectifs}, _("Cet objectif n'existe pas.")),
        "etiquette": ({e.pk for e in etiquettes}, _("Cette étiquette n'existe pas.")),
        "consultation": ({c.slug for c in consultations}, _("Cette consultation n'existe pas.")),
    }
    problems = []
    for name, (values, message) in known.items():
        value = cleaned.get(name)
        if value not in (None, "") and value not in values:
            filterset.form.add_error(name, message)
            problems.append(
                _("%(message)s Aucun résultat ne correspond : retirez ce filtre.")
                % {"message": message}
            )
    return problems


def filter_summary(filterset) -> list[tuple[str, str]]:
    """(label, value shown) of every active filter, for exports and printed pages."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    summary = []
    for name, field_ in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        shown = value
        choices = getattr(field_.widget, "choices", None) or getattr(field_, "choices", None)
        for key, label in choices or ():
            if isinstance(label, list | tuple):
                match = next((inner for k, inner in label if str(k) == str(value)), None)
                if match:
                    shown = match
                    break
            elif str(key) == str(value):
                shown = label
                break
        if isinstance(shown, dt.date):
            shown = shown.strftime("%d/%m/%Y")
        summary.append((str(field_.label), str(shown)))
    return summary


# --- The séance dossier ----------------------------------------------------------------


@dataclass
class DossierGroup:
    """What residents said about one objective of one quartier, on a séance's agenda."""

    quartier: object
    objectif: object | None
    expressions: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.expressions)

    @property
    def people(self) -> int:
        return sum(e.people_count for e in self.expressions)

    @property
    def supports(self) -> int:
        return sum(e.supports_count for e in self.expressions)


@dataclass
class DossierQuartier:
    quartier: object
    groups: list[DossierGroup]
    expression_ids: set = field(default_factory=set)
    people: int = 0
    supports: int = 0

    @property
    def count(self) -> int:
        return len(self.expression_ids)


def seance_items(seance):
    """The agenda in order, each point with its answer and its expressions (4 queries)."""
    from django.db.models import Prefetch

    expressions = Expression.objects.select_related("quartier", "author").prefetch_related(
        Prefetch(
            "objectifs",
            queryset=Objectif.objects.select_related("enjeu").order_by("enjeu__number", "position"),
        )
    )
    items = list(
        seance.items.select_related("reponse")
        .prefetch_related(Prefetch("expressions", queryset=expressions.order_by("pk")))
        .order_by("position", "pk")
    )
    for item in items:
        listed = item.expressions.all()
        item.supports_total = sum(e.supports_count for e in listed)
        item.people_total = sum(e.people_count for e in listed)
    return items


def seance_dossier(items) -> list[DossierQuartier]:
    """The agenda's expressions by quartier, then objective (one under each of its objectives)."""
    quartiers: dict[int, DossierQuartier] = {}
    groups: dict[tuple, DossierGroup] = {}
    for item in items:
        for expression in item.expressions.all():
            expression.agenda_item = item
            block = quartiers.setdefault(
                expression.quartier_id, DossierQuartier(quartier=expression.quartier, groups=[])
            )
            if expression.pk not in block.expression_ids:
                block.expression_ids.add(expression.pk)
                block.people += expression.people_count
                block.supports += expression.supports_count
            for objectif in list(expression.objectifs.all()) or [None]:
                key = (expression.quartier_id, objectif.pk if objectif else 0)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = DossierGroup(
                        quartier=expression.quartier, objectif=objectif
                    )
                    block.groups.append(group)
                group.expressions.append(expression)

    def objectif_order(group):
        o = group.objectif
        return (1, 0, 0) if o is None else (0, o.enjeu.number, o.position)

    result = sorted(quartiers.values(), key=lambda b: (b.quartier.position, b.quartier.name))
    for block in result:
        block.groups.sort(key=objectif_order)
    return result


# --- The annual bilan ------------------------------------------------------------------

# Steps counted in the bilan: what went past moderation (rejected and merged ones aside).
BILAN_STATUSES = (Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE, Status.REPONDUE)


@dataclass
class BilanRow:
    quartier: object
    objectif: object | None
    expressions: int = 0
    people: int = 0
    supports: int = 0
    routed: int = 0
    answered: int = 0
    decisions: dict = field(default_factory=dict)

    def decision_counts(self) -> list[int]:
        return [self.decisions.get(value, 0) for value in Decision.values]

    def add(self, *, status, n, people, supports):
        self.expressions += n
        self.people += people or 0
        self.supports += supports or 0
        if status in ROUTED_STATUSES:
            self.routed += n
        if status == Status.REPONDUE:
            self.answered += n


@dataclass
class BilanQuartier:
    total: BilanRow
    rows: list[BilanRow]


def bilan_years() -> list[int]:
    first = (
        Expression.objects.filter(status__in=BILAN_STATUSES)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    this_year = timezone.localdate().year
    start = timezone.localtime(first).year if first else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))


def bilan(year: int) -> list[BilanQuartier]:
    """Per quartier and objective, what was said in ``year`` and what became of it.

    Counts only (no text, no name): everything that went past moderation in the year,
    whichever instance it went to. A fixed number of queries.
    """
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    scope = Expression.objects.filter(
        status__in=BILAN_STATUSES, created_at__gte=start, created_at__lt=end
    )
    through = Expression.objectifs.through
    reponses = Reponse.expressions.through
    quartiers = list(Quartier.objects.order_by("position", "name"))
    objectifs = list(
        Objectif.objects.select_related("enjeu").order_by(
            "quartier_id", "enjeu__number", "position"
        )
    )
    by_objectif = (
        through.objects.filter(expression__in=scope)
        .values("objectif_id", "expression__status")
        .annotate(
            n=Count("expression_id"),
            people=Sum("expression__people_count"),
            supports=Sum("expression__supports_count"),
        )
        .order_by()
    )
    by_quartier = (
        scope.annotate(has_objectif=Exists(through.objects.filter(expression=OuterRef("pk"))))
        .values("quartier_id", "status", "has_objectif")
        .annotate(n=Count("pk"), people=Sum("people_count"), supports=Sum("supports_count"))
        .order_by()
    )
    decisions_by_objectif = (
        through.objects.filter(expression__in=scope, expression__reponses__isnull=False)
        .values("objectif_id", "expression__reponses__decision")
        .annotate(n=Count("expression_id", distinct=True))
        .order_by()
    )
    decisions_by_quartier = (
        reponses.objects.filter(expression__in=scope)
        .annotate(
            has_objectif=Exists(through.objects.filter(expression_id=OuterRef("expression_id")))
        )
        .values("expression__quartier_id", "reponse__decision", "has_objectif")
        .annotate(n=Count("expression_id", distinct=True))
        .order_by()
    )

    rows: dict[int, BilanRow] = {}
    blocks: dict[int, BilanQuartier] = {}
    without_rows: dict[int, BilanRow] = {}
    quartier_by_pk = {q.pk: q for q in quartiers}
    for q in quartiers:
        blocks[q.pk] = BilanQuartier(total=BilanRow(quartier=q, objectif=None), rows=[])
        without_rows[q.pk] = BilanRow(quartier=q, objectif=None)
    for o in objectifs:
        row = rows[o.pk] = BilanRow(quartier=quartier_by_pk.get(o.quartier_id), objectif=o)
        if o.quartier_id in blocks:
            blocks[o.quartier_id].rows.append(row)
    for entry in by_objectif:
        row = rows.get(entry["objectif_id"])
        if row is not None:
            row.add(
                status=entry["expression__status"],
                n=entry["n"],
                people=entry["people"],
                supports=entry["supports"],
            )
    for entry in by_quartier:
        block = blocks.get(entry["quartier_id"])
        if block is None:
            continue
        kwargs = {
            "status": entry["status"],
            "n": entry["n"],
            "people": entry["people"],
            "supports": entry["supports"],
        }
        block.total.add(**kwargs)
        if not entry["has_objectif"]:
            without_rows[entry["quartier_id"]].add(**kwargs)
    for entry in decisions_by_objectif:
        row = rows.get(entry["objectif_id"])
        decision = entry["expression__reponses__decision"]
        if row is not None and decision:
            row.decisions[decision] = row.decisions.get(decision, 0) + entry["n"]
    for entry in decisions_by_quartier:
        block = blocks.get(entry["expression__quartier_id"])
        if block is None:
            continue
        decision = entry["reponse__decision"]
        block.total.decisions[decision] = block.total.decisions.get(decision, 0) + entry["n"]
        if not entry["has_objectif"]:
            target = without_rows[entry["expression__quartier_id"]]
            target.decisions[decision] = target.decisions.get(decision, 0) + entry["n"]
    for pk, block in blocks.items():
        block.rows.append(without_rows[pk])
    return [blocks[q.pk] for q in quartiers]
