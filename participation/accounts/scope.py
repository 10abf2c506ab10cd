"""Which communes a member of staff works for: the one rule of the platform's access by
commune (issue 18).

Several communes share one platform. A staff account given communes (``User.communes``)
sees, moderates, routes, answers and exports only what concerns them: the expressions,
events, consultations and instances of the quartiers of those communes. An intercommunal
quartier (Cité 5 over Auchel, Calonne-Ricouart and Marles-les-Mines) belongs to each of its
communes. A staff account without commune works for the whole platform: the
agglomeration's team, or every account of a platform that serves one commune. Residents
are never narrowed: they see everything public.

Everything here is read once per request (one query) and kept on the user object.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

_UNREAD = object()


def _read(user) -> tuple[frozenset[int], frozenset[int]] | None:
    """(commune ids, quartier ids) of ``user``'s scope, or None for the whole platform."""
    scope = getattr(user, "_commune_scope", _UNREAD)
    if scope is _UNREAD:
        scope = None
        if user.is_authenticated and not user.is_superuser:
            # One query: each of the person's communes with each of its quartiers.
            rows = list(
                get_user_model()
                .communes.through.objects.filter(user_id=user.pk)
                .values_list("commune_id", "commune__quartiers")
            )
            if rows:
                communes = frozenset(commune for commune, _ in rows)
                quartiers = frozenset(quartier for _, quartier in rows if quartier is not None)
                scope = (communes, quartiers)
        user._commune_scope = scope
    return scope


def forget(user) -> None:
    """Read the scope again at the next question (after its communes changed)."""
    user.__dict__.pop("_commune_scope", None)


def is_platform_wide(user) -> bool:
    """Whether ``user`` works for every commune (no commune given, or a superuser)."""
    return user.is_authenticated and _read(user) is None


def commune_ids(user) -> frozenset[int] | None:
    """The communes ``user`` works for; None for every commune."""
    scope = _read(user)
    return None if scope is None else scope[0]


def quartier_ids(user) -> frozenset[int] | None:
    """The quartiers of ``user``'s communes (intercommunal ones included); None for all."""
    scope = _read(user)
    return None if scope is None else scope[1]


def covers_quartier(user, quartier_id) -> bool:
    ids = quartier_ids(user)
    return ids is None or quartier_id in ids


def covers_any_quartier(user, quartier_ids_of_object) -> bool:
    """For an object over several quartiers (an event, a consultation): one is enough."""
    ids = quartier_ids(user)
    return ids is None or not ids.isdisjoint(quartier_ids_of_object)


def covers_commune(user, commune_id) -> bool:
    ids = commune_ids(user)
    return ids is None or commune_id in ids


def by_quartier(
    user, queryset: QuerySet, field: str = "quartier", *, or_none: bool = False
) -> QuerySet:
    """``queryset`` narrowed to the rows whose ``field`` (a quartier, a to-many relation to
    quartiers, a path such as ``expression__quartier``, or ``pk`` for quartiers themselves)
    is in ``user``'s communes; unchanged for platform-wide staff. ``or_none`` (a quartier
    field): a row of no quartier (a change of an enjeu) concerns every commune."""
    ids = quartier_ids(user)
    if ids is None:
        return queryset
    if field == "pk" or "__" in field:
        return queryset.filter(**{f"{field}__in": ids})
    relation = queryset.model._meta.get_field(field)
    if relation.many_to_many or relation.one_to_many:
        through = queryset.model.objects.filter(pk=OuterRef("pk"), **{f"{field}__in": ids})
        return queryset.filter(Exists(through))
    condition = Q(**{f"{field}__in": ids})
    if or_none:
        condition |= Q(**{f"{field}__isnull": True})
    return queryset.filter(condition)


def by_commune(user, queryset: QuerySet, field: str = "communes", *, or_none: bool = False):
    """``queryset`` narrowed to the rows concerning ``user``'s communes through ``field``
    (a commune, or a to-many relation to communes). ``or_none``: a row without commune
    (an agglomeration-wide instance) concerns every commune."""
    ids = commune_ids(user)
    if ids is None:
        return queryset
    relation = queryset.model._meta.get_field(field)
    if relation.many_to_many or relation.one_to_many:
        inside = Exists(queryset.model.objects.filter(pk=OuterRef("pk"), **{f"{field}__in": ids}))
        if or_none:
            anywhere = Exists(
                queryset.model.objects.filter(pk=OuterRef("pk"), **{f"{field}__isnull": False})
            )
            return queryset.filter(inside | ~anywhere)
        return queryset.filter(inside)
    condition = Q(**{f"{field}__in": ids})
    if or_none:
        condition |= Q(**{f"{field}__isnull": True})
    return queryset.filter(condition)


def communes_within(actor, commune_ids_given) -> bool:
    """Whether ``actor`` may give these communes to someone (a role, an instance): any for
    platform-wide staff, a non-empty part of their own otherwise."""
    mine = commune_ids(actor)
    if mine is None:
        return True
    given = frozenset(commune_ids_given)
    return bool(given) and given <= mine


def accounts_within(actor, queryset: QuerySet) -> QuerySet:
    """The accounts of ``queryset`` working inside ``actor``'s communes: given communes, all
    of them ``actor``'s; every account for platform-wide staff. A référent given communes
    manages only these among the staff (platform-wide staff are not hers)."""
    mine = commune_ids(actor)
    if mine is None:
        return queryset
    through = get_user_model().communes.through.objects.filter(user_id=OuterRef("pk"))
    return queryset.filter(
        Exists(through.filter(commune_id__in=mine)) & ~Exists(through.exclude(commune_id__in=mine))
    )


def accounts_manageable_by(actor, queryset: QuerySet) -> QuerySet:
    """The accounts of ``queryset`` whose role ``actor`` may change: every resident, and the
    staff working inside her communes (``accounts_within``)."""
    if commune_ids(actor) is None:
        return queryset
    from .models import STAFF_ROLES

    staff = accounts_within(actor, queryset.filter(role__in=STAFF_ROLES))
    return queryset.filter(~Q(role__in=STAFF_ROLES) | Q(pk__in=staff.values("pk")))


def account_within(actor, account) -> bool:
    """``accounts_within`` for one account (its communes read in one query)."""
    if commune_ids(actor) is None:
        return True
    return communes_within(actor, account.communes.values_list("pk", flat=True))


def by_quartier_in_one_query(user, queryset: QuerySet, field: str = "quartier") -> QuerySet:
    """``by_quartier`` for a foreign key to a quartier, without reading the scope first:
    the person's communes are read by a subquery of the same query. For a query whose
    result is kept in the cache (the count of every staff header), where reading the scope
    would cost each page a query of its own."""
    if user.is_superuser or getattr(user, "_commune_scope", _UNREAD) is not _UNREAD:
        return by_quartier(user, queryset, field)
    theirs = get_user_model().communes.through.objects.filter(user_id=user.pk)
    inside = theirs.filter(commune__quartiers=OuterRef(field))
    return queryset.filter(~Exists(theirs) | Exists(inside))
