"""What each fault and load test tried and how many cases passed, printed at the end of the run.

Tests call ``say(section, line)``; ``pytest_terminal_summary`` in tests/conftest.py prints
each section (``print_section``), so that ``make test`` shows the lines without ``-s``.
"""

from __future__ import annotations

from collections import defaultdict

_lines: dict[str, list[str]] = defaultdict(list)


def say(section: str, line: str) -> None:
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
