"""Who may do what with expressions and consultations: every permission in one place."""

from allauth.account.models import EmailAddress
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from participation.accounts import scope
from participation.accounts.models import Role
from participation.accounts.rules import has_verified_phone, is_mediateur, is_referent
from participation.territory.models import Quartier

from .models import (
    PUBLIC_STATUSES,
    Consultation,
    Expression,
    Instance,
    Status,
    Transmission,
    Visibility,
)


def has_verified_email(user) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_has_verified_email", None)
    if cached is None:
        cached = EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists()
        user._has_verified_email = cached
    return cached


def can_submit(user) -> bool:
    """Posting an expression needs an account whose email or mobile number has been verified."""
    return (
        user.is_authenticated
        and user.is_active
        and (has_verified_phone(user) or has_verified_email(user))
    )


def can_record_in_field(user) -> bool:
    return is_mediateur(user)


def can_moderate(user) -> bool:
    return is_mediateur(user)


def can_manage_consultations(user) -> bool:
    return is_referent(user)


def is_author(user, expression: Expression) -> bool:
    return user.is_authenticated and expression.author_id == user.pk


# --- Instances: a comité member reviews only what was routed to their instances ---------


def is_comite_member(user) -> bool:
    """Someone who sits in instances (not the référent, who sees everything)."""
    return user.is_authenticated and user.role == Role.COMITE


# --- Communes: staff work only on their communes' quartiers (participation.accounts.scope) --


def staff_expressions(user, queryset=None):
    """The expressions a mediator or the référent works on: those of their communes'
    quartiers (every one for platform-wide staff); none for anyone else."""
    queryset = Expression.objects.all() if queryset is None else queryset
    if not is_mediateur(user):
        return queryset.none()
    return scope.by_quartier(user, queryset)


def covers(user, expression: Expression) -> bool:
    """Whether ``expression`` is in the communes ``user`` works for."""
    return scope.covers_quartier(user, expression.quartier_id)


def works_on(user, expression: Expression) -> bool:
    """A mediator or the référent of one of the expression's communes."""
    return is_mediateur(user) and covers(user, expression)


def instances_in_scope(user, queryset=None):
    """The instances concerning ``user``'s communes, and those of the whole platform."""
    queryset = Instance.objects.all() if queryset is None else queryset
    return scope.by_commune(user, queryset, or_none=True)


def instances_covering(expression: Expression, queryset=None):
    """``queryset`` narrowed to the instances reviewing for one of the communes of the
    expression's quartier, or for the whole platform (no commune): one query."""
    queryset = Instance.objects.all() if queryset is None else queryset
    through = Instance.communes.through
    has_communes = Exists(through.objects.filter(instance_id=OuterRef("pk")))
    reviews_it = Exists(
        through.objects.filter(
            instance_id=OuterRef("pk"), commune__quartiers=expression.quartier_id
        )
    )
    return queryset.filter(reviews_it | ~has_communes)


def counting_staff_expressions(user, relation: str = "expressions") -> Q | None:
    """For ``Count(relation, filter=…)``: only the expressions ``user`` works on are counted
    (None, every one, for platform-wide staff). What a tag groups, for instance."""
    if scope.quartier_ids(user) is None:
        return None
    return Q(**{f"{relation}__in": staff_expressions(user).values("pk")})


def can_record_for(user, quartier) -> bool:
    """A mediator records in the field (or the référent) only for her communes' quartiers."""
    return can_record_in_field(user) and scope.covers_quartier(user, quartier.pk)


def quartiers_in_scope(user, queryset=None):
    """The quartiers of ``user``'s communes (every one for platform-wide staff): what the
    moderation's filters and the field mode offer."""
    queryset = Quartier.objects.all() if queryset is None else queryset
    return scope.by_quartier(user, queryset, "pk")


def review_quartier_ids(user) -> frozenset[int] | None:
    """The quartiers the committee's pages narrow to for ``user``: those of a référent
    given communes; None (no narrowing) for a platform-wide référent and for members of
    instances, whom their instances already scope."""
    return scope.quartier_ids(user) if is_referent(user) else None


def in_review_scope(user, queryset, field: str = "quartier"):
    """``queryset`` narrowed to the rows whose ``field`` (a quartier, a to-many relation to
    quartiers, a path such as ``expression__quartier``, or ``pk`` for quartiers themselves)
    is in ``review_quartier_ids``; unchanged when that is None."""
    return scope.by_quartier(user, queryset, field) if is_referent(user) else queryset


def review_communes(user, queryset):
    """``queryset`` of communes narrowed to a référent's own (the annual review's choice);
    unchanged for a platform-wide référent and for members of instances."""
    ids = scope.commune_ids(user) if is_referent(user) else None
    return queryset if ids is None else queryset.filter(pk__in=ids)


def audit_in_scope(user, entries):
    """Audit entries narrowed, for staff given communes, to those about the expressions of
    their communes' quartiers (the whole log for platform-wide staff)."""
    if scope.quartier_ids(user) is None:
        return entries
    ids = staff_expressions(user).annotate(key=Cast("pk", CharField())).values("key")
    return entries.filter(target_type=Expression._meta.label_lower, target_id__in=ids)


def instances_of(user):
    """The instances whose routed expressions ``user`` reviews: for the référent, every one
    concerning her communes."""
    if is_referent(user):
        return instances_in_scope(user)
    if is_comite_member(user):
        return Instance.objects.filter(members=user)
    return Instance.objects.none()


def _routed(user):
    transmissions = Transmission.objects.filter(expression=OuterRef("pk"))
    if not is_referent(user):
        transmissions = transmissions.filter(instance__members=user)
    return Exists(transmissions)


def expressions_routed_to(user, queryset=None):
    """The expressions routed to ``user``'s instances (for the référent, to any instance,
    in her communes)."""
    queryset = Expression.objects.all() if queryset is None else queryset
    if is_referent(user):
        return scope.by_quartier(user, queryset.filter(_routed(user)))
    if not is_comite_member(user):
        return queryset.none()
    return queryset.filter(_routed(user))


def is_routed_to(user, expression: Expression) -> bool:
    """Whether ``expression`` was routed to one of the instances ``user`` sits in."""
    if not is_comite_member(user):
        return False
    cache = getattr(user, "_routed_expression_ids", None)
    if cache is None:
        cache = user._routed_expression_ids = {}
    if expression.pk not in cache:
        cache[expression.pk] = Transmission.objects.filter(
            expression_id=expression.pk, instance__members=user
        ).exists()
    return cache[expression.pk]


def can_view(user, expression: Expression) -> bool:
    """Private expressions: their author, mediators, and the instances they were routed to."""
    if expression.is_readable_by_anyone:
        return True
    if is_author(user, expression) or works_on(user, expression):
        return True
    return is_routed_to(user, expression)


def readable_expressions(user, queryset):
    """``queryset`` narrowed to what ``user`` may read as staff (``can_view`` for a whole
    list, the author's own aside): everything for mediators and the référent; for a comité
    member, what anyone may read and the private ones routed to their instances."""
    readable = Q(status__in=PUBLIC_STATUSES) & ~Q(visibility=Visibility.PRIVATE)
    if is_mediateur(user):
        if scope.quartier_ids(user) is None:
            return queryset
        return queryset.filter(readable | Q(quartier__in=scope.quartier_ids(user)))
    if is_comite_member(user):
        return queryset.filter(readable | Q(_routed(user)))
    return queryset.filter(readable)


def can_see_full_path(user, expression: Expression) -> bool:
    """The whole timeline with every note (rejection reason included)."""
    return (
        is_author(user, expression) or works_on(user, expression) or is_routed_to(user, expression)
    )


def readable_steps(user, expression: Expression, steps) -> list:
    """The steps of the timeline ``user`` may read: public ones for every reader; the others
    for the author, mediators and the référent; for a comité member, those of their own
    instances only (an instance's unpublished answer stays its own, even when the expression
    was also routed to another one)."""
    if not can_see_full_path(user, expression):
        return [step for step in steps if step.public]
    if not is_comite_member(user):
        return list(steps)
    mine = None
    readable = []
    for step in steps:
        instance = (step.data or {}).get("instance")
        if not step.public and instance is not None:
            if mine is None:
                mine = set(instances_of(user).values_list("pk", flat=True))
            if instance not in mine:
                continue
        readable.append(step)
    return readable


def can_see_private_details(user, expression: Expression) -> bool:
    """Who recorded it, the contact given with consent: mediators and the référent of its
    communes."""
    return works_on(user, expression)


def can_edit(user, expression: Expression) -> bool:
    """Its author may still change an expression that no mediator has read yet."""
    return is_author(user, expression) and expression.status == Status.SOUMISE


def can_support(user, expression: Expression) -> bool:
    return user.is_authenticated and expression.is_listed and not is_author(user, expression)


def can_report(user, expression: Expression) -> bool:
    return user.is_authenticated and expression.is_listed and not is_author(user, expression)


# --- Moderation ------------------------------------------------------------------------


def can_read_original_text(user) -> bool:
    """The words an expression had before a mediator removed personal data from them."""
    return is_referent(user)


def can_manage_etiquettes(user) -> bool:
    return is_mediateur(user)


def may_rename_etiquette(user, etiquette) -> bool:
    """Tags are shared by every commune: a mediator given communes renames only one that is
    on no expression of another commune (its new name would show in their queue)."""
    ids = scope.quartier_ids(user)
    if ids is None:
        return can_manage_etiquettes(user)
    return can_manage_etiquettes(user) and not (
        etiquette.expressions.exclude(quartier__in=ids).exists()
    )


def can_route(user) -> bool:
    return is_mediateur(user)


def can_manage_instances(user) -> bool:
    return is_referent(user)


def managed_consultations(user, queryset=None):
    """The consultations the référent runs: those with a quartier of her communes (every
    one for a platform-wide référent)."""
    queryset = Consultation.objects.all() if queryset is None else queryset
    if not can_manage_consultations(user):
        return queryset.none()
    return scope.by_quartier(user, queryset, "quartiers")


def can_edit_instance(user, instance) -> bool:
    """Change an instance and its members: a référent whose communes hold all of the
    instance's; an instance without commune (the whole platform's) is for a platform-wide
    référent only. Reads ``instance.communes`` (prefetch it for a list)."""
    return can_manage_instances(user) and scope.communes_within(
        user, [commune.pk for commune in instance.communes.all()]
    )


def can_read_audit(user) -> bool:
    """The audit log of an expression, on its staff page and as CSV."""
    return is_mediateur(user)


def can_export_whole_audit(user) -> bool:
    return is_referent(user)


# --- The committee: instances, séances, answers, exports --------------------------------


def can_review(user) -> bool:
    """The committee's pages: members of an instance and the référent."""
    return is_referent(user) or is_comite_member(user)


def instances_run_by(user):
    """The instances whose séances ``user`` sees, prepares and answers for: her own for an
    instance member; every one for a platform-wide référent; for a référent given communes,
    those all of whose communes are hers. A séance's agenda holds whatever was routed to its
    instance, so an instance of the whole platform, or shared with another commune, stays
    with its members and the platform's référents."""
    if is_referent(user):
        mine = scope.commune_ids(user)
        if mine is None:
            return Instance.objects.all()
        communes = Instance.communes.through.objects.filter(instance_id=OuterRef("pk"))
        return Instance.objects.filter(Exists(communes)).exclude(
            Exists(communes.exclude(commune_id__in=mine))
        )
    if is_comite_member(user):
        return Instance.objects.filter(members=user)
    return Instance.objects.none()


def can_act_for_instance(user, instance) -> bool:
    """Prepare a séance of ``instance``, put expressions on its agenda, answer them."""
    if is_referent(user):
        return instances_run_by(user).filter(pk=instance.pk).exists()
    return is_comite_member(user) and instance.members.filter(pk=user.pk).exists()


def can_download_export(user, job) -> bool:
    """An export holds what its requester could see when it was made: theirs only."""
    return can_review(user) and job.requester_id == user.pk
