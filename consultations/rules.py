"""Who may do what with expressions and consultations: every permission in one place."""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q

from participation.accounts.models import Role
from participation.accounts.rules import has_verified_phone, is_mediateur, is_referent

from .models import PUBLIC_STATUSES, Expression, Instance, Status, Transmission, Visibility


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


def instances_of(user):
    """The instances whose routed expressions ``user`` reviews: every one for the référent."""
    if is_referent(user):
        return Instance.objects.all()
    if is_comite_member(user):
        return Instance.objects.filter(members=user)
    return Instance.objects.none()


def _routed(user):
    transmissions = Transmission.objects.filter(expression=OuterRef("pk"))
    if not is_referent(user):
        transmissions = transmissions.filter(instance__members=user)
    return Exists(transmissions)


def expressions_routed_to(user, queryset=None):
    """The expressions routed to ``user``'s instances (to any instance for the référent)."""
    queryset = Expression.objects.all() if queryset is None else queryset
    if not (is_referent(user) or is_comite_member(user)):
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
    if is_author(user, expression) or is_mediateur(user):
        return True
    return is_routed_to(user, expression)


def readable_expressions(user, queryset):
    """``queryset`` narrowed to what ``user`` may read as staff (``can_view`` for a whole
    list, the author's own aside): everything for mediators and the référent; for a comité
    member, what anyone may read and the private ones routed to their instances."""
    if is_mediateur(user):
        return queryset
    readable = Q(status__in=PUBLIC_STATUSES) & ~Q(visibility=Visibility.PRIVATE)
    if is_comite_member(user):
        return queryset.filter(readable | Q(_routed(user)))
    return queryset.filter(readable)


def can_see_full_path(user, expression: Expression) -> bool:
    """The whole timeline with every note (rejection reason included)."""
    return is_author(user, expression) or is_mediateur(user) or is_routed_to(user, expression)


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


def can_see_private_details(user) -> bool:
    """Who recorded it, the contact given with consent: mediators and the référent."""
    return is_mediateur(user)


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


def can_route(user) -> bool:
    return is_mediateur(user)


def can_manage_instances(user) -> bool:
    return is_referent(user)


def can_read_audit(user) -> bool:
    """The audit log of an expression, on its staff page and as CSV."""
    return is_mediateur(user)


def can_export_whole_audit(user) -> bool:
    return is_referent(user)


# --- The committee: instances, séances, answers, exports --------------------------------


def can_review(user) -> bool:
    """The committee's pages: members of an instance and the référent."""
    return is_referent(user) or is_comite_member(user)


def can_act_for_instance(user, instance) -> bool:
    """Prepare a séance of ``instance``, put expressions on its agenda, answer them."""
    if is_referent(user):
        return True
    return is_comite_member(user) and instance.members.filter(pk=user.pk).exists()


def can_download_export(user, job) -> bool:
    """An export holds what its requester could see when it was made: theirs only."""
    return can_review(user) and job.requester_id == user.pk
