"""The committee's dashboard: what was routed to my instances, counted every way.

A comité member sees only the expressions routed to the instances they sit in; the
référent sees every instance, and a référent given communes only their expressions, with
the quartiers, objectives and consultations of her communes (``rules.in_review_scope``).
Filters live in the URL (django-filter) so that a view can be shared; the exports use the
same filters. The whole page runs a fixed number of SQL
queries, whatever the number of expressions: every count is a GROUP BY, and the filter
choices come from the same queries as the counts.

Values that are well-formed but match nothing (an unknown quartier, another member's
instance) simply give empty counts, then a message; malformed values (a date that does
not exist) give an empty result and the form's messages.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.territory.models import Objectif, Quartier

from .. import rules
from ..models import (
    Consultation,
    Etiquette,
    Expression,
    Source,
    said_or_created,
)
from . import charts
from .filters import (
    NO_OBJECTIF,
    REVIEW_STATUSES,
    DashboardFilter,
    fill_objectifs,
    filtered_expressions,
)
from .services import AGENDA_STATUSES

TREND_MONTHS_DEFAULT = 12
TREND_MONTHS_MAX = 36
TOP_SUPPORTED = 10
OBJECTIFS_SHOWN = 20  # bars of the « par objectif » chart without a quartier filter


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
    waiting: int = 0  # still « transmise » or « examinée »: listed by « Transmis à notre instance »
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


@dataclass
class _Lists:
    """What the filters offer, each row counted over the filtered expressions when valid."""

    instances: list
    quartiers: list
    objectifs: list
    etiquettes: list
    consultations: list

    @property
    def enjeux(self) -> dict:
        return {o.enjeu.number: o.enjeu for o in self.objectifs}

    def as_args(self) -> tuple:
        return (
            self.instances,
            self.quartiers,
            self.enjeux,
            self.objectifs,
            self.etiquettes,
            self.consultations,
        )


def _counted(queryset, routed_in, relation: str):
    """``queryset`` annotated with ``routed``: how many of ``routed_in`` go through ``relation``."""
    if routed_in is None:
        return queryset
    return queryset.annotate(routed=Count(relation, filter=Q(**{f"{relation}__in": routed_in})))


def _lists(user, queryset, valid: bool) -> _Lists:
    routed_in = queryset.values("pk") if valid else None
    through = Expression.objectifs.through
    instances = rules.instances_of(user).order_by("name")
    if valid:
        instances = instances.annotate(
            routed=Count(
                "transmissions", filter=Q(transmissions__expression__in=queryset.values("pk"))
            )
        )
    # A référent given communes is offered, and counts, only her communes' quartiers.
    objectifs = rules.in_review_scope(
        user, Objectif.objects.select_related("quartier", "enjeu")
    ).annotate(reached=Exists(through.objects.filter(objectif=OuterRef("pk"))))
    consultations = rules.in_review_scope(user, Consultation.objects.all(), "quartiers")
    return _Lists(
        instances=list(instances),
        quartiers=list(
            rules.in_review_scope(user, Quartier.objects.all(), "pk").order_by("position", "name")
        ),
        objectifs=list(
            _counted(objectifs, routed_in, "expressions").order_by(
                "quartier__position", "enjeu__number", "position"
            )
        ),
        etiquettes=list(
            _counted(Etiquette.objects.all(), routed_in, "expressions").order_by("name")
        ),
        consultations=list(
            _counted(consultations, routed_in, "expressions").order_by("-opens_on", "title")
        ),
    )


def _cube(queryset, enjeux) -> list[dict]:
    """One GROUP BY for every grouping an expression has once (quartier, source, step,
    month it was said), and, through one EXISTS per enjeu (there are three), for the enjeux too."""
    through = Expression.objectifs.through
    enjeu_flags = {
        f"enjeu_{number}": Exists(
            through.objects.filter(expression=OuterRef("pk"), objectif__enjeu__number=number)
        )
        for number in sorted(enjeux)
    }
    return list(
        queryset.annotate(
            month=TruncMonth(said_or_created()),
            has_objectif=Exists(through.objects.filter(expression=OuterRef("pk"))),
            **enjeu_flags,
        )
        .values("quartier_id", "source", "status", "month", "has_objectif", *enjeu_flags)
        .annotate(n=Count("pk"), supports=Sum("supports_count"), people=Sum("people_count"))
        .order_by()
    )


def _total_by(cube: list[dict], key: str) -> dict:
    totals: dict = {}
    for row in cube:
        value = _month(row[key]) if key == "month" else row[key]
        totals[value] = totals.get(value, 0) + row["n"]
    return totals


def build(user, data) -> Dashboard:
    """Every figure of the dashboard for ``user`` and the filters in ``data``."""
    filterset, queryset = filtered_expressions(user, data)
    valid = not (filterset.is_bound and not filterset.is_valid())
    lists = _lists(user, queryset, valid)
    _fill_choices(filterset, *lists.as_args())
    problems = _unknown_values(filterset, *lists.as_args())
    dashboard = Dashboard(
        filterset=filterset, valid=valid, problems=problems, instances=lists.instances
    )
    if not valid:
        dashboard.problems.insert(
            0,
            _(
                "Ces filtres ne sont pas valables : aucun résultat n'est affiché. "
                "Corrigez-les ou effacez-les."
            ),
        )
        dashboard.trend = charts.column_chart([])
        return dashboard

    cube = _cube(queryset, lists.enjeux)
    dashboard.top_supported = list(
        queryset.filter(supports_count__gt=0)
        .select_related("quartier", "author")
        .order_by("-supports_count", "-created_at", "-pk")[:TOP_SUPPORTED]
    )
    dashboard.total = sum(row["n"] for row in cube)
    dashboard.supports = sum(row["supports"] or 0 for row in cube)
    dashboard.people = sum(row["people"] or 0 for row in cube)
    dashboard.waiting = sum(row["n"] for row in cube if row["status"] in AGENDA_STATUSES)
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    dashboard.months = _trend(_total_by(cube, "month"), cleaned.get("du"), cleaned.get("au"))
    dashboard.trend = charts.column_chart(dashboard.months)
    dashboard.sections = _sections(cube, lists, dashboard.total, cleaned)
    dashboard.unreached = _unreached(lists.objectifs, cleaned)
    return dashboard


def _sections(cube: list[dict], lists: _Lists, total: int, cleaned: dict) -> list[Section]:
    """The groupings of the page, in order, each counted from the cube or the lists."""
    Category = charts.Category
    enjeux = lists.enjeux
    by_enjeu = {
        number: sum(row["n"] for row in cube if row[f"enjeu_{number}"]) for number in enjeux
    }
    quartier_counts = _total_by(cube, "quartier_id")
    source_counts = _total_by(cube, "source")
    status_counts = _total_by(cube, "status")
    without_objectif = total - sum(row["n"] for row in cube if row["has_objectif"])
    no_objectif = Category(NO_OBJECTIF, _("Sans objectif relié"), without_objectif)
    return [
        Section(
            "quartier",
            _("Par quartier"),
            _("Quartier"),
            [Category(q.slug, q.short_name, quartier_counts.get(q.pk, 0)) for q in lists.quartiers],
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
            + [no_objectif],
        ),
        Section(
            "objectif",
            _("Par objectif"),
            _("Objectif"),
            _most_cited(
                sorted(
                    (
                        Category(str(o.pk), f"{o.quartier.short_name} — {o}", o.routed)
                        for o in lists.objectifs
                        if o.routed
                    ),
                    key=lambda c: -c.count,
                ),
                everything=bool(cleaned.get("quartier")),
            )
            + [no_objectif],
        ),
        Section(
            "etiquette",
            _("Par étiquette"),
            _("Étiquette"),
            sorted(
                (Category(str(e.pk), e.name, e.routed) for e in lists.etiquettes if e.routed),
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
            [Category(c.slug, c.title, c.routed) for c in lists.consultations if c.routed]
            + [
                Category(
                    "",
                    _("Hors consultation"),
                    total - sum(c.routed for c in lists.consultations),
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
            [Category(i.slug, i.name, i.routed) for i in lists.instances],
        ),
    ]


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
    # From the first load, the objectives that the routed expressions name, grouped by
    # quartier (committee.js keeps those of the quartier chosen in the list before any
    # submit); once a quartier is chosen, every objective of it. Every objective of every
    # quartier would weigh tens of kilobytes at the agglomeration's scale.
    cleaned = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    quartier, chosen = cleaned.get("quartier"), cleaned.get("objectif")
    offered = [
        o
        for o in objectifs
        if o.pk == chosen
        or (o.quartier.slug == quartier if quartier else getattr(o, "routed", o.reached))
    ]
    fill_objectifs(fields["objectif"], offered, _("Tous les objectifs"))
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
