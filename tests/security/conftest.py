import io

import pytest
from django.core.management import call_command, get_commands
from django.db import transaction


@pytest.fixture(scope="module")
def _site_data_for_module(django_db_setup, django_db_blocker):
    """Loaded once per module inside a transaction rolled back at its end (loading takes seconds).

    Each test then runs in a savepoint of that transaction, as the ``db`` fixture does.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            if "load_referentiel" in get_commands():
                call_command("load_referentiel", stdout=out)
            call_command("load_demo", "--force", stdout=out)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def site_data(_site_data_for_module, db):
    """The referential and every app's demo content, so that object pages exist to be probed."""
