"""Fault tests: the platform's production processes against a private Redis and PostgreSQL.

See ``fixtures.py`` for the fixtures and docs/pannes.md for what each test proves.
"""

import pytest

from .fixtures import (  # noqa: F401 - fixtures and hook registered for this folder
    faults_requirements,
    mark_folder,
    platform_factory,
    prepared,
    private_postgres,
    pytest_runtest_makereport,
)
from .report import print_section


def pytest_collection_modifyitems(config, items):
    mark_folder(items, "faults", pytest.mark.faults)


def pytest_terminal_summary(terminalreporter):
    print_section(terminalreporter, "faults", "pannes (tests/faults): ce qui a été essayé")
