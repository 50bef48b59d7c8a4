"""One Redis database per pytest-xdist process (loaded as a plugin: `-p tests.parallel`).

The suite empties its Redis database (`flushdb` at the start, `cache.clear()` before every
test), so two processes sharing one would wipe each other's rate-limit counters and cache.
Settings read REDIS_URL once, at import, and pytest-django imports them before any conftest
runs; a plugin named with `-p` is imported earlier still, and xdist has already named the
process (PYTEST_XDIST_WORKER=gwN) by then. So here, at import, process gwN moves to the
database N after the one given (N before it, where that would pass Redis's last database,
15). The test database needs nothing: pytest-django gives each process its own
(`test_<name>_gwN`).
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

LAST_REDIS_DB = 15


def redis_url_for_worker(url: str, worker: str) -> str:
    """The Redis URL for xdist process `worker` (gw0, gw1, ...) given the run's URL."""
    index = int(worker.removeprefix("gw"))
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + index if base + index <= LAST_REDIS_DB else base - index
    if number < 0:
        raise ValueError(f"no Redis database left for xdist process {worker} from {url}")
    return urlunsplit(parts._replace(path=f"/{number}"))


def _move_this_process() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("REDIS_URL")
    if worker and url:
        os.environ["REDIS_URL"] = redis_url_for_worker(url, worker)


_move_this_process()


# Tests that need the session's shared Celery worker or a browser run in the second half of
# `make test` (`-m "worker or e2e"`). A test that asks for one of these fixtures and forgets
# its marker is marked here, so it cannot land in the parallel half.
MARKER_FOR_FIXTURE = {
    "celery_worker": "worker",
    "worker_factory": "worker",
    "browser": "e2e",
    "page": "e2e",
}


def pytest_addoption(parser):
    parser.addoption(
        "--record-selection",
        metavar="PATH",
        help="write the node ids of the whole suite and of the tests selected to run (JSON), "
        "so `python -m tests.suite_split` can check that two runs together ran every test once",
    )


_ALL_KEY = pytest.StashKey[list]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Runs before pytest's own -m/-k deselection (that hook has no tryfirst): `items` is still
    # everything collected.
    for item in items:
        for fixture, marker in MARKER_FOR_FIXTURE.items():
            if fixture in item.fixturenames and item.get_closest_marker(marker) is None:
                item.add_marker(getattr(pytest.mark, marker))
    config.stash[_ALL_KEY] = [item.nodeid for item in items]


def pytest_collection_finish(session):
    path = session.config.getoption("record_selection")
    # Every xdist process collects the same suite; one of them writes it down.
    if not path or os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0":
        return
    record = {
        "all": session.config.stash.get(_ALL_KEY, []),
        "selected": [item.nodeid for item in session.items],
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(record, indent=0))
