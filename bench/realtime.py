"""Real time: how long a submission takes to reach every connected socket.

The sockets are spread over the two WebSocket server processes, so each event has to
cross the Redis channel layer; the submission itself goes through the HTTP server, as a
resident's would. Latency is counted from the moment the form is sent to the moment each
socket receives the event.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class RealtimeResult:
    sockets: int
    submissions: int
    latencies_ms: list[float] = field(default_factory=list)
    missing: int = 0  # (socket, submission) pairs that never arrived in time
    failed_submissions: int = 0

    @property
    def p50_ms(self) -> float:
        return _quantile(self.latencies_ms, 50)

    @property
    def p95_ms(self) -> float:
        return _quantile(self.latencies_ms, 95)


def _quantile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _drain(socket) -> None:
    """Forget what arrived between two rounds (the author's own « déposée » echo, etc.)."""
    for _ in range(100):
        try:
            await asyncio.wait_for(socket.recv(), timeout=0.05)
        except TimeoutError:
            return


async def _measure(
    ports: tuple[int, ...],
    path: str,
    cookies: list[str],
    submit: Callable[[int], bool],
    submissions: int,
    timeout: float,
) -> RealtimeResult:
    from websockets.asyncio.client import connect

    result = RealtimeResult(sockets=len(cookies), submissions=submissions)
    sockets = []
    try:
        for index, cookie in enumerate(cookies):
            port = ports[index % len(ports)]
            sockets.append(
                await connect(
                    f"ws://{HOST}:{port}{path}",
                    additional_headers={"Cookie": cookie, "Origin": f"http://{HOST}:{port}"},
                    open_timeout=10,
                    close_timeout=2,
                )
            )
        await asyncio.sleep(0.5)  # every group_add has reached Redis
        for round_number in range(submissions):
            await asyncio.gather(*(_drain(s) for s in sockets))
            started = time.perf_counter()

            async def arrival(socket, started=started) -> float | None:
                try:
                    await asyncio.wait_for(socket.recv(), timeout=timeout)
                except TimeoutError:
                    return None
                return (time.perf_counter() - started) * 1000

            waiting = [asyncio.ensure_future(arrival(s)) for s in sockets]
            accepted = await asyncio.to_thread(submit, round_number)
            arrivals = await asyncio.gather(*waiting)
            if not accepted:
                result.failed_submissions += 1
            result.latencies_ms += [a for a in arrivals if a is not None]
            result.missing += sum(1 for a in arrivals if a is None)
            await asyncio.sleep(0.2)
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return result


def measure(
    ports: tuple[int, ...],
    path: str,
    cookies: list[str],
    submit: Callable[[int], bool],
    *,
    submissions: int,
    timeout: float = 5.0,
) -> RealtimeResult:
    """Connect one socket per cookie, then time ``submissions`` submissions to all of them."""
    return asyncio.run(_measure(ports, path, cookies, submit, submissions, timeout))
