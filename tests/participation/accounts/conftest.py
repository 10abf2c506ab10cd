import re

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)


@pytest.fixture(autouse=True)
def _account_test_settings(settings):
    """A TOTP code still accepted if the 30-second period turns between computing and typing it."""
    settings.MFA_TOTP_TOLERANCE = 1


CODE_RE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def code_in(message) -> str:
    """The sign-in or verification code of an allauth email."""
    match = CODE_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``."""
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))
