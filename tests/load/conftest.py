"""The load test: 50 residents against the production processes (see tests/faults/fixtures.py)."""

import os

import pytest

from tests.faults.fixtures import (  # noqa: F401 - fixtures and hook registered for this folder
    faults_requirements,
    platform_factory,
    prepared,
    private_postgres,
    pytest_runtest_makereport,
)
from tests.faults.report import print_section


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/load/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.load)
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    print_section(terminalreporter, "load", "charge (tests/load) : ce qui a été essayé")
