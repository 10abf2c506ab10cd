import io

import pytest
from django.core.management import call_command, get_commands


@pytest.fixture
def site_data(db):
    """The referential and every app's demo content, so that object pages exist to be probed."""
    out = io.StringIO()
    if "load_referentiel" in get_commands():
        call_command("load_referentiel", stdout=out)
    call_command("load_demo", "--force", stdout=out)
