"""The unread count of the header is kept in the cache and forgotten when it changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.notifications import services


@pytest.mark.django_db
def test_the_count_is_read_once_then_follows_each_notification_and_reading(alice, bob):
    assert services.unread_count(alice) == 0
    with CaptureQueriesContext(connection) as captured:
        assert services.unread_count(alice) == 0
    assert len(captured) == 0

    services.notify(alice, "Votre expression est publiée.")
    services.notify(bob, "Pour Bob.")
    assert services.unread_count(alice) == 1
    services.notify(alice, "Le comité a répondu.")
    assert services.unread_count(alice) == 2
    assert services.unread_count(bob) == 1

    assert services.mark_all_read(alice) == 2
    assert services.unread_count(alice) == 0
    assert services.unread_count(bob) == 1
