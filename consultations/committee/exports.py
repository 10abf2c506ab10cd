"""Expressions as spreadsheets: CSV and XLSX with the dashboard's filters, in constant memory.

Rows are read by keyset pages of ``CHUNK`` expressions (a few queries per page, never the
whole table in memory) and written as they come: CSV streamed to the browser, XLSX through
openpyxl's write-only mode into a temporary file. An export with more than
``EXPORT_INLINE_MAX_ROWS`` rows is made by Celery (``ExportJob``) with a progress bar.

No export ever holds an email, a contact or the name of someone who did not choose to
show it: the author column is the name shown on the site (« un·e habitant·e de … »).
"""

import logging
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Decision,
    Etiquette,
    Expression,
    Reponse,
    Source,
    Status,
    Transmission,
    Visibility,
    said_or_created,
)

logger = logging.getLogger(__name__)

CHUNK = 2000
# A chunk whose ids span less than this many times its length is read by id range.
DENSE_WINDOW = 4

COLUMNS = [
    ("numero", gettext_lazy("N°")),
    # When it was said (``said_or_created``), the date the dashboard's filters and counts read.
    ("dite_le", gettext_lazy("Dite le")),
    ("quartier", gettext_lazy("Quartier")),
    ("recueillie", gettext_lazy("Recueillie")),
    ("consultation", gettext_lazy("Consultation")),
    ("etape", gettext_lazy("Étape")),
    ("publication", gettext_lazy("Publication")),
    ("auteur", gettext_lazy("Auteur·rice (nom affiché)")),
    ("personnes", gettext_lazy("Personnes")),
    ("message", gettext_lazy("Message")),
    ("enjeux", gettext_lazy("Enjeux")),
    ("objectifs", gettext_lazy("Objectifs")),
    ("etiquettes", gettext_lazy("Étiquettes")),
    ("moi_aussi", gettext_lazy("« Moi aussi »")),
    ("transmise_a", gettext_lazy("Transmise à")),
    ("decision", gettext_lazy("Décision")),
    ("reponse", gettext_lazy("Réponse")),
]
WIDTHS = [8, 17, 16, 18, 24, 12, 24, 24, 10, 80, 12, 50, 20, 10, 30, 14, 60]


def header() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


class _AuthorLabels:
    """The name the site shows; the account's name only when its owner chose to show it."""

    def __init__(self):
        self.one = str(_("un·e habitant·e de %(quartier)s"))
        self.many = str(_("%(count)s habitant·es de %(quartier)s"))

    def __call__(self, quartier: str, source: str, people: int) -> str:
        if source != Source.EN_LIGNE and people > 1:
            return self.many % {"count": people, "quartier": quartier}
        return self.one % {"quartier": quartier}


def _grouped(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for key, value in pairs:
        if value and value not in grouped.setdefault(key, []):
            grouped[key].append(value)
    return grouped


def _labels(choices) -> dict[str, str]:
    # Lazy labels translated once, not once per row.
    return {value: str(label) for value, label in choices}


def iter_records(
    queryset, *, instances=None, progress: Callable[[int], None] | None = None
) -> Iterator[list]:
    """The rows of ``queryset``'s expressions, ``CHUNK`` at a time, oldest first.

    ``instances``: the instances whose names may appear in « Transmise à » (the reader's).
    ``progress(done)`` is called after each chunk. Each chunk's objectives, tags, routings
    and answers are read by id range when the chunk's ids are dense, by id list otherwise:
    never more than a few chunks' rows in memory, whatever the size of the table.
    """
    statuses = _labels(Status.choices)
    sources = _labels(Source.choices)
    visibilities = {
        Visibility.PUBLIC_NAMED: str(_("publique, avec le nom")),
        Visibility.PUBLIC_ANONYMOUS: str(_("publique, anonyme")),
        Visibility.PRIVATE: str(_("privée")),
    }
    decisions = _labels(Decision.choices)
    author_label = _AuthorLabels()
    shown_name = Case(
        When(
            visibility=Visibility.PUBLIC_NAMED,
            source=Source.EN_LIGNE,
            then=F("author__display_name"),
        ),
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        queryset.order_by()
        .annotate(shown_name=shown_name, said=said_or_created())
        .values_list(
            "pk",
            "said",
            "quartier__short_name",
            "source",
            "consultation__title",
            "status",
            "visibility",
            "shown_name",
            "people_count",
            "text",
            "supports_count",
        )
    )
    objectif_through = Expression.objectifs.through
    etiquette_through = Etiquette.expressions.through
    reponse_through = Reponse.expressions.through
    transmissions = Transmission.objects.all()
    answers_read = reponse_through.objects.all()
    if instances is not None:
        transmissions = transmissions.filter(instance__in=instances)
        # Another instance's answer only if it chose to publish it.
        answers_read = answers_read.filter(
            Q(reponse__instance__in=instances) | Q(reponse__public=True)
        )
    last = 0
    done = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        first, last = chunk[0][0], chunk[-1][0]
        ids = {row[0] for row in chunk}
        if last - first < DENSE_WINDOW * len(chunk):
            # Dense ids (the usual big export): an id range is far cheaper than a list
            # of 2,000 parameters; rows of other expressions in it are skipped below.
            window = {"expression_id__gte": first, "expression_id__lte": last}
        else:
            window = {"expression_id__in": sorted(ids)}
        enjeux: dict[int, list[str]] = {}
        objectif_labels: dict[int, list[str]] = {}
        for e, number, operationnel, intercommunal in (
            objectif_through.objects.filter(**window)
            .order_by("objectif__enjeu__number", "objectif__position")
            .values_list(
                "expression_id",
                "objectif__enjeu__number",
                "objectif__operationnel",
                "objectif__intercommunal",
            )
        ):
            if e in ids:
                numbers = enjeux.setdefault(e, [])
                if str(number) not in numbers:
                    numbers.append(str(number))
                objectif_labels.setdefault(e, []).append(operationnel or intercommunal)
        etiquettes = _grouped(
            pair
            for pair in etiquette_through.objects.filter(**window)
            .order_by("etiquette__name")
            .values_list("expression_id", "etiquette__name")
            if pair[0] in ids
        )
        routed = _grouped(
            pair
            for pair in transmissions.filter(**window)
            .order_by("instance__name")
            .values_list("expression_id", "instance__name")
            if pair[0] in ids
        )
        answers = {
            e: (decision, text)
            for e, decision, text in answers_read.filter(**window)
            .order_by("reponse__created_at")
            .values_list("expression_id", "reponse__decision", "reponse__text")
            if e in ids
        }
        for (
            pk,
            said,
            quartier,
            source,
            consultation,
            status,
            visibility,
            shown,
            people,
            text,
            supports,
        ) in chunk:
            decision, answer = answers.get(pk, ("", ""))
            yield [
                pk,
                timezone.localtime(said).replace(tzinfo=None, microsecond=0),
                quartier,
                sources.get(source, source),
                consultation or "",
                statuses.get(status, status),
                visibilities.get(visibility, visibility),
                shown or author_label(quartier, source, people),
                people,
                text,
                ", ".join(enjeux.get(pk, ())),
                " | ".join(objectif_labels.get(pk, ())),
                ", ".join(etiquettes.get(pk, ())),
                supports,
                ", ".join(routed.get(pk, ())),
                decisions.get(decision, ""),
                answer,
            ]
        done += len(chunk)
        if progress is not None:
            progress(done)


def expressions_sheet(queryset, *, instances=None, progress=None):
    return (
        str(_("Expressions")),
        header(),
        iter_records(queryset, instances=instances, progress=progress),
        WIDTHS,
    )


# --- The séance dossier and the annual bilan as spreadsheets -------------------------


def dossier_sheets(items, quartiers):
    """Three sheets: the agenda, per quartier and objective, what residents said."""
    decisions = _labels(Decision.choices)
    without = str(_("Sans objectif relié"))

    def answer(item):
        return item.reponse if hasattr(item, "reponse") else None

    agenda_rows = [
        [
            item.position,
            item.title or str(_("Expression seule")),
            ", ".join(str(e.pk) for e in item.expressions.all()),
            item.supports_total,
            decisions.get(answer(item).decision, "") if answer(item) else "",
            answer(item).text if answer(item) else "",
        ]
        for item in items
    ]
    group_rows = [
        [
            block.quartier.short_name,
            group.objectif.enjeu.number if group.objectif else "",
            str(group.objectif) if group.objectif else without,
            group.count,
            group.people,
            group.supports,
        ]
        for block in quartiers
        for group in block.groups
    ]
    said_rows = [
        [
            block.quartier.short_name,
            str(group.objectif) if group.objectif else without,
            expression.pk,
            expression.agenda_item.position,
            expression.get_source_display(),
            expression.public_author_name,
            expression.people_count,
            expression.supports_count,
            expression.text,
        ]
        for block in quartiers
        for group in block.groups
        for expression in group.expressions
    ]
    return [
        (
            str(_("Ordre du jour")),
            [str(c) for c in (_("Point"), _("Intitulé"), _("Expressions n°"),
                              _("« Moi aussi »"), _("Décision"), _("Réponse"))],
            agenda_rows,
            [8, 40, 20, 12, 14, 60],
        ),
        (
            str(_("Par quartier et objectif")),
            [str(c) for c in (_("Quartier"), _("Enjeu"), _("Objectif"), _("Expressions"),
                              _("Personnes"), _("« Moi aussi »"))],
            group_rows,
            [18, 8, 60, 12, 12, 12],
        ),
        (
            str(_("Ce que disent les habitants")),
            [str(c) for c in (_("Quartier"), _("Objectif"), _("N°"), _("Point"),
                              _("Recueillie"), _("Auteur·rice (nom affiché)"), _("Personnes"),
                              _("« Moi aussi »"), _("Message"))],
            said_rows,
            [18, 50, 8, 8, 18, 24, 10, 12, 80],
        ),
    ]  # fmt: skip


def bilan_sheets(blocks, year):
    """One sheet: per quartier and objective, what was said, routed, answered, decided."""
    columns = [
        _("Quartier"),
        _("Enjeu"),
        _("Objectif"),
        _("Expressions"),
        _("Personnes"),
        _("« Moi aussi »"),
        _("Transmises"),
        _("Répondues"),
        *[str(label) for _value, label in Decision.choices],
    ]
    rows = []
    for block in blocks:
        for row in [*block.rows, block.total]:
            if row is block.total:
                label = _("Total du quartier")
            elif row.objectif is None:
                label = _("Sans objectif relié")
            else:
                label = str(row.objectif)
            rows.append(
                [
                    row.quartier.short_name,
                    row.objectif.enjeu.number if row.objectif else "",
                    label,
                    row.expressions,
                    row.people,
                    row.supports,
                    row.routed,
                    row.answered,
                    *row.decision_counts(),
                ]
            )
    return [(_("Bilan %(year)s") % {"year": year}, columns, rows, [18, 8, 60] + [12] * 9)]


# --- The annual review of the convention --------------------------------------------------


def review_columns() -> list[str]:
    return [
        str(c)
        for c in (
            _("Quartier"),
            _("Enjeu"),
            _("Objectif"),
            _("Retiré le"),
            _("Dites"),
            _("Publiées"),
            _("Transmises"),
            _("Répondues"),
            *[label for _value, label in Decision.choices],
            _("Événements tenus"),
            _("Événements"),
        )
    ]


def review_rows(review) -> list[list]:
    """One row per objective in force in the year, nobody's spoken-of ones included."""
    return [
        [
            row.objectif.quartier.short_name,
            row.objectif.enjeu.number,
            str(row.objectif),
            row.objectif.retired_on or "",
            row.said,
            row.published,
            row.routed,
            row.answered,
            *row.decision_counts(),
            len(row.events),
            " ; ".join(
                f"{timezone.localtime(event.starts_at):%d/%m/%Y} {event.title}"
                for event in row.events
            ),
        ]
        for row in review.rows
    ]


def review_sheets(review):
    """Two sheets: every objective in force with its figures, then those nobody spoke of."""
    silent = [
        [
            row.objectif.quartier.short_name,
            row.objectif.enjeu.number,
            str(row.objectif),
            row.objectif.retired_on or "",
            len(row.events),
        ]
        for row in review.silent
    ]
    return [
        (
            str(_("Revue %(year)s") % {"year": review.year}),
            review_columns(),
            review_rows(review),
            [18, 8, 60, 12] + [11] * (4 + len(Decision.choices)) + [11, 60],
        ),
        (
            str(_("Personne n'en a parlé")),
            [str(c) for c in (_("Quartier"), _("Enjeu"), _("Objectif"), _("Retiré le"),
                              _("Événements tenus"))],
            silent,
            [18, 8, 60, 12, 12],
        ),
    ]  # fmt: skip
