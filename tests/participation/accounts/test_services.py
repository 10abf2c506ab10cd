import pytest
from django.core.exceptions import PermissionDenied

from participation.accounts import services
from participation.accounts.models import Role
from participation.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_referent_changes_a_role_and_it_is_audited(referent, alice):
    services.change_role(actor=referent, user=alice, role=Role.COMITE, reason="Membre du COPIL")

    alice.refresh_from_db()
    assert alice.role == Role.COMITE
    entry = AuditEntry.objects.get(target_id=str(alice.pk))
    assert (entry.actor, entry.reason) == (referent, "Membre du COPIL")
    assert entry.before["role"] == "habitant" and entry.after["role"] == "comite"


@pytest.mark.parametrize("fixture", ["bob", "mediateur", "comite"])
def test_no_one_else_changes_roles(request, fixture, alice):
    with pytest.raises(PermissionDenied):
        services.change_role(actor=request.getfixturevalue(fixture), user=alice, role=Role.REFERENT)

    alice.refresh_from_db()
    assert alice.role == Role.HABITANT
    assert not AuditEntry.objects.exists()


def test_an_unknown_role_is_refused(referent, alice):
    with pytest.raises(ValueError):
        services.change_role(actor=referent, user=alice, role="maire")
