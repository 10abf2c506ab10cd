import io
import shutil

import pytest
from django.core.management import call_command

from participation.territory.referentiel import DATA_DIR


@pytest.fixture
def referentiel(db):
    """The referential of the convention, loaded from the shipped data files."""
    call_command("load_referentiel", stdout=io.StringIO())


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the data folder that a test may break or edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
