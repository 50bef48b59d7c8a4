"""One way for a test to wait for something another process does (a Celery worker, a
browser, a second database connection): ask again until it is true or time runs out."""

import time
from collections.abc import Callable


def wait_for[T](
    condition: Callable[[], T], *, timeout: float = 60, interval: float = 0.1, message: str
) -> T:
    """Call `condition` every `interval` seconds until it returns something true, and return
    that. Past `timeout` seconds, fail the test with `message`; the last call comes after the
    deadline, so an answer that arrived during the last sleep still counts."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout:g} s)")
        time.sleep(interval)
