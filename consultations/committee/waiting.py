"""« Transmis à notre instance »: what was routed to my instances and waits for their answer.

One row per transmission (an expression routed to two of my instances waits for each of
them), with what the members need to answer: the text, its quartier and objectives, its
« moi aussi », the photo, the mediator's routing note, the séance whose agenda already
holds it, and its likely duplicates (``search.likely_duplicates_of``) among the
expressions the member may read. An expression waits while it is « transmise » or
« examinée » (``services.AGENDA_STATUSES``: what a séance may still take).

A comité member sees only their instances' rows; the référent, every instance's (those of
her communes' expressions when she is given communes: ``rules.in_review_scope``). The page
runs a fixed number of SQL queries whatever the number of rows: the lists of the filters
(instances, quartiers, the objectives named by what waits), the page and its count, the
objectives and the agendas of its expressions, and their likely duplicates.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from participation.territory.models import Objectif, Quartier

from .. import rules, search
from ..models import AgendaEntry, Expression, Transmission
from .filters import WaitingFilter, fill_objectifs
from .services import AGENDA_STATUSES

PAGE_SIZE = 20
DUPLICATES_SHOWN = 3


@dataclass
class Waiting:
    filterset: WaitingFilter
    instances: list
    page: Page
    problems: list[str] = field(default_factory=list)

    @property
    def form(self):
        return self.filterset.form


def transmissions_waiting(instances):
    """The transmissions to ``instances`` whose expression waits for an examination or an
    answer, by instance, the newest routed first."""
    return Transmission.objects.filter(
        instance__in=instances, expression__status__in=AGENDA_STATUSES
    ).order_by("instance__name", "instance_id", "-created_at", "-pk")


def build(user, data, page_number) -> Waiting:
    """The page of ``user`` for the filters in ``data``."""
    instances = list(rules.instances_of(user).order_by("name"))
    # A référent given communes: what waits from her communes only (an instance of the
    # whole platform also reviews the others').
    waiting = rules.in_review_scope(
        user, transmissions_waiting([i.pk for i in instances]), "expression__quartier"
    )
    # The objectives named by what waits, as one uncorrelated subquery: a correlated EXISTS
    # around the waiting list was planned, on stale statistics (a test's fresh rows), as a
    # loop over every objective, every naming and every transmission (a minute for a few
    # hundred expressions, CI run of 6 December 2026).
    named = Expression.objectifs.through.objects.filter(
        expression__in=waiting.values("expression_id")
    ).values("objectif_id")
    objectifs = list(
        Objectif.objects.filter(pk__in=named)
        .select_related("quartier")
        .order_by("quartier__position", "quartier__name", "enjeu__number", "position")
    )
    quartiers = list(
        rules.in_review_scope(user, Quartier.objects.all(), "pk").order_by("position", "name")
    )
    filterset = WaitingFilter(
        data or None,
        queryset=waiting.select_related("instance", "expression__quartier", "expression__author"),
    )
    form = filterset.form
    if len(instances) < 2 and not (data or {}).get("instance"):
        del form.fields["instance"]  # nothing to choose
    else:
        form.fields["instance"].widget.choices = [("", _("Toutes mes instances"))] + [
            (i.slug, i.name) for i in instances
        ]
    form.fields["quartier"].widget.choices = [("", _("Tous les quartiers"))] + [
        (q.slug, q.short_name) for q in quartiers
    ]
    fill_objectifs(form.fields["objectif"], objectifs, _("Tous les objectifs"))
    problems = _problems(filterset, instances, quartiers, objectifs)
    rows = filterset.qs if not problems else Transmission.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    _complete(user, page.object_list, instances)
    return Waiting(filterset=filterset, instances=instances, page=page, problems=problems)


def _problems(filterset, instances, quartiers, objectifs) -> list[str]:
    """Messages for values that are malformed, or well-formed but name nothing the person
    can filter on; with one of them, nothing is listed."""
    form = filterset.form
    if not filterset.is_bound:
        return []
    if not form.is_valid():
        return [
            _(
                "Ces filtres ne sont pas valables : aucune expression n'est affichée. "
                "Corrigez-les ou effacez-les."
            )
        ]
    cleaned = form.cleaned_data
    problems = []

    def refuse(name, message):
        form.add_error(name, message)
        problems.append(message)

    if cleaned.get("instance") and cleaned["instance"] not in {i.slug for i in instances}:
        refuse("instance", _("Cette instance n'est pas une des vôtres."))
    quartier = cleaned.get("quartier")
    if quartier and quartier not in {q.slug for q in quartiers}:
        refuse("quartier", _("Ce quartier n'existe pas."))
    chosen = cleaned.get("objectif")
    if chosen:
        objectif = next((o for o in objectifs if o.pk == chosen), None)
        if objectif is None:
            refuse("objectif", _("Aucune expression en attente ne porte sur cet objectif."))
        elif quartier and objectif.quartier.slug != quartier:
            refuse(
                "objectif",
                _(
                    "Cet objectif est celui de %(quartier)s : choisissez un objectif du quartier "
                    "choisi, ou « Tous les quartiers »."
                )
                % {"quartier": objectif.quartier.short_name},
            )
    return problems


def _complete(user, rows, instances) -> None:
    """Give each row of the page its expression's objectives, the séances of its instance
    whose agenda holds it still unanswered, and its likely duplicates."""
    expressions = list({row.expression_id: row.expression for row in rows}.values())
    if not expressions:
        return
    prefetch_related_objects(
        expressions,
        Prefetch("objectifs", queryset=Objectif.objects.select_related("enjeu")),
    )
    on_agenda: dict[tuple[int, int], list] = {}
    for entry in (
        AgendaEntry.objects.filter(
            expression__in=expressions,
            # Only the séances she may open (not another commune's or the whole platform's).
            seance__instance__in=rules.instances_run_by(user).filter(
                pk__in=[i.pk for i in instances]
            ),
            item__reponse__isnull=True,
        )
        .select_related("seance")
        .order_by("seance__starts_at", "pk")
    ):
        key = (entry.expression_id, entry.seance.instance_id)
        on_agenda.setdefault(key, []).append(entry.seance)
    # Only what the member may read: what anyone may list, and what went to their instances.
    readable = Expression.objects.listed() | rules.expressions_routed_to(user)
    duplicates = search.likely_duplicates_of(expressions, limit=DUPLICATES_SHOWN, queryset=readable)
    for row in rows:
        row.seances = on_agenda.get((row.expression_id, row.instance_id), [])
        row.duplicates = duplicates.get(row.expression_id, [])
