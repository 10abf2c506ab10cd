"""Who may do what with events; views and the API go through these helpers only."""

from participation.accounts import scope
from participation.accounts.rules import is_mediateur, role_required


def can_manage_events(user) -> bool:
    """Médiateurs and référents run events: create, edit, cancel, see who registered."""
    return is_mediateur(user)


def managed_events(user, queryset):
    """The events ``user`` runs: those of a quartier of their communes (participation.accounts.scope)."""
    if not can_manage_events(user):
        return queryset.none()
    return scope.by_quartier(user, queryset, "quartiers")


def can_manage_event(user, evenement) -> bool:
    """Manage this event: a mediator or référent of one of its quartiers' communes."""
    return can_manage_events(user) and scope.covers_any_quartier(
        user, [quartier.pk for quartier in evenement.quartiers.all()]
    )


def event_quartiers(user, queryset):
    """The quartiers ``user`` may put an event in: those of their communes (all for
    platform-wide staff, and for ``user`` None, a caller outside any request)."""
    if user is None:
        return queryset
    return scope.by_quartier(user, queryset, "id")


def may_place_in(user, quartier_ids, *, already=()) -> bool:
    """Whether ``user`` may give an event these quartiers: each one new to it (not in
    ``already``, the ones it has) must be of their communes."""
    if user is None or not user.is_authenticated:
        return True
    return all(scope.covers_quartier(user, pk) for pk in set(quartier_ids) - set(already))


manager_required = role_required(can_manage_events)
