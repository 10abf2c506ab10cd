"""Who may do what with expressions and consultations: every permission in one place."""

from allauth.account.models import EmailAddress
from django.db.models import Q

from participation.accounts.rules import is_mediateur, is_referent, is_staff_role

from .models import LISTED_STATUSES, Expression, Status, Visibility


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
    """Posting an expression needs an account whose email has been verified."""
    return user.is_authenticated and user.is_active and has_verified_email(user)


def can_record_in_field(user) -> bool:
    return is_mediateur(user)


def can_moderate(user) -> bool:
    return is_mediateur(user)


def can_manage_consultations(user) -> bool:
    return is_referent(user)


def is_author(user, expression: Expression) -> bool:
    return user.is_authenticated and expression.author_id == user.pk


def can_view(user, expression: Expression) -> bool:
    """Private expressions: their author and staff; others once published on the path."""
    if expression.is_readable_by_anyone:
        return True
    return is_author(user, expression) or is_staff_role(user)


def can_see_full_path(user, expression: Expression) -> bool:
    """The whole timeline with every note (rejection reason included)."""
    return is_author(user, expression) or is_staff_role(user)


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


def visible_expressions(user, queryset=None):
    """Everything ``user`` may open: the public ones, their own, everything for staff."""
    queryset = Expression.objects.all() if queryset is None else queryset
    if is_staff_role(user):
        return queryset
    public = Q(status__in=LISTED_STATUSES + (Status.FUSIONNEE,)) & ~Q(visibility=Visibility.PRIVATE)
    if user.is_authenticated:
        return queryset.filter(public | Q(author=user))
    return queryset.filter(public)
