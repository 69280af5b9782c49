import socket

import pytest

from core import cache as fault_tolerant_cache


@pytest.fixture(autouse=True)
def _redis_taken_as_up():
    # The "Redis is down" window is process-wide: one test's outage must not leak into the next.
    fault_tolerant_cache._down_until.clear()
    yield
    fault_tolerant_cache._down_until.clear()


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on: Redis "down" without touching the shared server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
