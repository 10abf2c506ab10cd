"""Who may do what with events; views and the API go through these helpers only."""

from participation.accounts.rules import is_mediateur, role_required


def can_manage_events(user) -> bool:
    """Médiateurs and référents run events: create, edit, cancel, see who registered."""
    return is_mediateur(user)


manager_required = role_required(can_manage_events)
