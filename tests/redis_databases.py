"""Which Redis database each part of the suite uses, by xdist worker (gw0 to gw3).

Parts that run at the same time must never share one: tests empty their cache, live platforms
flush theirs. The suite's own tests run on every worker, the browser journeys on two of them
(whichever they are): one database each per worker. The API contract is one test and the
backup tests one group, each on one worker at a time: one database each. The bench keeps 3 (the
full run) and 4 (its smoke run, tests/bench).
"""

import os
from urllib.parse import urlsplit, urlunsplit

SUITE = (5, 8, 9, 13)  # the tests' own cache, channel layer and broker
BROWSER = (6, 7, 10, 11)  # the live platform of the browser journeys (tests/e2e/server.py)
CONTRACT = (12,)  # the live platform of the API contract (tests/api/test_contract.py)
BACKUP = (14,)  # the platform backed up and restored (tests/deploy/)


def worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker.removeprefix("gw") or 0)
    if number >= len(SUITE):
        raise RuntimeError(
            f"{len(SUITE)} test workers at most (tests/redis_databases.py): {worker} is one too many"
        )
    return number


def redis_url_for(part: tuple[int, ...], base: str) -> str:
    """``base`` pointing at this worker's database of ``part`` (its only one if it has one)."""
    database = part[worker_number()] if len(part) > 1 else part[0]
    return urlunsplit(urlsplit(base)._replace(path=f"/{database}"))
