"""What each fault and load test tried and how many cases passed, printed at the end of the run.

Tests call ``say(section, line)``; each conftest's ``pytest_terminal_summary`` prints its
section (``print_section``), so that ``make test`` shows the lines without ``-s``.
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
