"""The load test: 50 residents against the production processes (see tests/faults/fixtures.py)."""

import pytest

from tests.faults.fixtures import (  # noqa: F401 - fixtures and hook registered for this folder
    faults_requirements,
    mark_folder,
    platform_factory,
    prepared,
    private_postgres,
    pytest_runtest_makereport,
)
from tests.faults.report import print_section


def pytest_collection_modifyitems(config, items):
    mark_folder(items, "load", pytest.mark.load)


def pytest_terminal_summary(terminalreporter):
    print_section(terminalreporter, "load", "charge (tests/load) : ce qui a été essayé")
