"""The performance bench of issue 9 (docs/performance.md): ``make bench``, ``make bench-smoke``.

``runner`` sets up a dedicated PostgreSQL database, generates the data, starts the platform
as the README tells a commune to run it, and measures every row of ``scenarios.SCENARIOS``
against ``budgets``. Everything it talks to is on 127.0.0.1.
"""
