"""The helper the race tests use fails on a deadlock instead of hanging."""

import threading

import pytest

from tests import together


def test_actions_run_at_the_same_moment_each_in_its_own_thread():
    seen = []
    together.run_together([lambda: seen.append(threading.get_ident()) for _ in range(3)])
    assert len(set(seen)) == 3


def test_an_action_that_never_ends_fails_the_test_as_a_deadlock(monkeypatch):
    monkeypatch.setattr(together, "FINISH_TIMEOUT", 0.5)
    never = threading.Event()
    try:
        with pytest.raises(AssertionError, match="1 of 2 threads still running"):
            together.run_together([lambda: None, lambda: never.wait(30)])
    finally:
        never.set()
