"""The per-account rate limit: one rule for every burst the platform refuses.

An action (posting an expression, registering for an event, trying a deletion code) is
counted per account in the cache (or per phone number and client address, for the codes
sent by SMS before there is an account). When the cache (Redis) is down, the person is let
through: a resident must never be blocked by an outage, and what the limit protects is
still checked without it (a password, a code, the idempotency of a submission).
"""

import logging

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """A burst refused; ``message`` says it in French, ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def limit_account(user, *, group: str, rate: str, message) -> None:
    """Count one action of ``user`` in ``group``; raise RateLimited once ``rate`` is passed.

    ``message`` is a translatable text that may use ``%(count)s`` (the limit) and
    ``%(minutes)s`` (the wait, rounded up, at least one minute).
    """
    limit_key(str(user.pk), group=group, rate=rate, message=message)


def limit_key(key: str, *, group: str, rate: str, message) -> None:
    """``limit_account`` for what is not an account: a phone number, a client address."""
    try:
        usage = get_usage(
            None, group=group, key=lambda _group, _request: key, rate=rate, increment=True
        )
    except Exception:  # noqa: BLE001 - a cache outage must not block residents
        logger.warning("Rate-limit cache unreachable; %s not limited", group)
        return
    if usage and usage["should_limit"]:
        wait = max(usage["time_left"], 60)
        raise RateLimited(
            message % {"count": usage["limit"], "minutes": (wait + 59) // 60}, retry_after=wait
        )
