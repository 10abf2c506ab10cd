"""What each fault and load test tried and how many cases passed, printed at the end of the run.

Tests call ``say(section, line)``; each line rides in its test's report (``user_properties``,
which pytest-xdist carries from the worker that ran the test to the process that prints) and
``pytest_terminal_summary`` in tests/conftest.py prints each section (``print_section``), so
that ``make test`` shows the lines, on several workers, without ``-s``.
"""

from __future__ import annotations

from collections import defaultdict

PROPERTY = "ce_qui_a_ete_essaye"
_said: list[tuple[str, str]] = []  # by the test running in this process, not yet reported
_lines: dict[str, list[str]] = defaultdict(list)  # what this process prints at the end


def say(section: str, line: str) -> None:
    _said.append((section, line))


def hand_over(report) -> None:
    """Put what the test has said so far into its report (setup, call or teardown)."""
    report.user_properties.extend((PROPERTY, said) for said in _said)
    _said.clear()


def gather(report) -> None:
    """Keep the lines of a report, wherever its test ran, for ``print_section``."""
    for name, value in report.user_properties:
        if name == PROPERTY:
            section, line = value
            _lines[section].append(line)


def print_section(terminalreporter, section: str, title: str) -> None:
    lines = _lines.get(section)
    if not lines:
        return
    terminalreporter.section(title, sep="-")
    for line in lines:
        terminalreporter.write_line(line)


class Tally:
    """``with Tally(section, title, total) as tally: ... tally.passed("what")``.

    Says ``title : n/total cas passés — what; what`` at the end, failed or not.
    """

    def __init__(self, section: str, title: str, total: int):
        self.section, self.title, self.total = section, title, total
        self.cases: list[str] = []

    def passed(self, what: str) -> None:
        self.cases.append(what)

    def __enter__(self) -> Tally:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        line = f"{self.title} : {len(self.cases)}/{self.total} cas passés — " + " ; ".join(
            self.cases
        )
        if kind is not None:
            line += f" ; ÉCHEC ensuite : {kind.__name__}"
        say(self.section, line)
