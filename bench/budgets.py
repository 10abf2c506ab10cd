"""The budgets of issues 9 and 19, in one place.

Each HTTP row is judged on its **CPU per request** in the HTTP server (master and workers),
which hardly depends on what else a shared machine runs, and on its **p99**; pages are also
judged on their **throughput over the ceiling's** (the hello-world view of the same server,
same run), which does depend on it: when the ceiling moved by more than
``NOISY_CEILING_SPREAD`` between the start and the end of a run, the run is « bruitée » and
the verdicts that rest on the machine's speed (ratio, p99) are not trusted.
"""

from dataclasses import dataclass

CONNECTIONS = 32  # concurrent connections of every HTTP measurement


@dataclass(frozen=True)
class Budget:
    max_cpu_ms: float  # CPU of the HTTP server per request
    max_p99_ms: float
    min_ratio: float | None  # throughput / the ceiling's; None: not judged on it
    name: str


# Public pages (home, quartier, events, event, expressions, expression, answers).
# Through the anonymous page cache (issue 9): half the ceiling, p99 under 100 ms.
PUBLIC_CACHED = Budget(max_cpu_ms=10.0, max_p99_ms=100.0, min_ratio=0.5, name="page publique")
# Without the page cache (the first visitor after each expiry) and signed in (issue 19):
# at most 10 ms of CPU. The ceiling costs 0.7–1.0 ms of CPU: 10 ms is about 0.07 of it.
PUBLIC = Budget(max_cpu_ms=10.0, max_p99_ms=250.0, min_ratio=0.07, name="page publique")
# « Mes expressions », « mes inscriptions », the moderation queue, the dashboard.
SIGNED_IN = Budget(max_cpu_ms=5.0, max_p99_ms=250.0, min_ratio=0.15, name="page connectée")
# Posting an expression, registering: what a post promises (one record per double click,
# the timeline, the audit, the author told) costs CPU in five processes; the HTTP server's
# share is the budget. The ratio of 0.15 × the ceiling is withdrawn (issue 19).
POST = Budget(max_cpu_ms=12.0, max_p99_ms=250.0, min_ratio=None, name="envoi")

NOISY_CEILING_SPREAD = 0.25  # |end − start| / start of the ceiling's throughput

REALTIME_MAX_P95_MS = 100.0  # from a submission to its arrival on every mediator socket
EXPORT_MAX_PEAK_MB = 150.0  # peak memory of the process serving the export, any row count
MAX_QUERIES_PER_PAGE = 12
MAX_ERROR_RATE = 0.01  # failed requests (errors, unexpected statuses) of a measurement

REALTIME_SOCKETS = 50  # mediators connected over WebSocket, across two server processes


def for_scenario(scenario) -> Budget | None:
    """The budget of a row of ``bench.scenarios``; None for the ceiling and the export."""
    if scenario.kind == "post":
        return POST
    if scenario.public:
        return PUBLIC_CACHED if scenario.user is None and scenario.page_cache else PUBLIC
    if scenario.kind == "signed_in":
        return SIGNED_IN
    return None
