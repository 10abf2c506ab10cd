"""The budgets of issue 9, in one place. Ratios compare with the ceiling of the same run."""

CONNECTIONS = 32  # concurrent connections of every HTTP measurement

ANONYMOUS_MIN_RATIO = 0.5  # throughput of an anonymous page / throughput of the ceiling
ANONYMOUS_MAX_P99_MS = 100.0
SIGNED_IN_MIN_RATIO = 0.15  # signed-in pages and posts
SIGNED_IN_MAX_P99_MS = 250.0
REALTIME_MAX_P95_MS = 100.0  # from a submission to its arrival on every mediator socket
EXPORT_MAX_PEAK_MB = 150.0  # peak memory of the process serving the export, any row count
MAX_QUERIES_PER_PAGE = 12
MAX_ERROR_RATE = 0.01  # failed requests (errors, unexpected statuses) of a measurement

REALTIME_SOCKETS = 50  # mediators connected over WebSocket, across two server processes
