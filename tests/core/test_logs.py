"""Log lines: JSON objects in production, readable text in development, each with the id of
the request it was written for."""

import io
import json
import logging
import os

import pytest

from core.observability.context import RequestIdFilter, request_id_bind, request_id_reset
from core.observability.logs import JsonFormatter, logging_config
from tests.processes import project_python


@pytest.fixture
def json_log():
    """A logger writing through the site's JSON handler (its filter and formatter) into a
    buffer."""
    handler = logging.StreamHandler(io.StringIO())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_log")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, handler.stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_the_expected_keys(json_log):
    logger, stream = json_log
    token = request_id_bind("0f0e0d0c0b0a09080706050403020100")
    try:
        logger.warning("Certificate %s rendered in %d ms", "C-1", 42, extra={"attempt": 2})
    finally:
        request_id_reset(token)
    logger.info("between requests")
    first, second = lines(stream)
    assert first["message"] == "Certificate C-1 rendered in 42 ms"
    assert first["level"] == "WARNING"
    assert first["logger"] == "tests.json_log"
    assert first["request_id"] == "0f0e0d0c0b0a09080706050403020100"
    assert first["attempt"] == 2
    assert first["time"].endswith("Z") and first["process"] == os.getpid()
    assert second["request_id"] == "-"


def test_an_exception_stays_on_one_line(json_log):
    logger, stream = json_log
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logger.exception("It broke")
    (entry,) = lines(stream)
    assert "ValueError: bad" in entry["exception"]
    assert len(stream.getvalue().splitlines()) == 1


def test_requests_log_under_their_id(client, caplog):
    """A line written while a request is served, and Django's own "Not Found" line written
    after the middleware returned, both carry the id the response was sent with."""
    caplog.handler.addFilter(RequestIdFilter())
    try:
        with caplog.at_level(logging.WARNING, logger="django.request"):
            response = client.get("/no-such-page/")
    finally:
        caplog.handler.removeFilter(caplog.handler.filters[-1])
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == response["X-Request-ID"]


def test_production_logs_json_and_development_text():
    """The settings' LOGGING as each environment gets it, applied as django.setup() does, in
    a process of its own (without the rest of Django's start: a third of a second each)."""
    probe = (
        "import logging.config; from django.conf import settings; "
        "logging.config.dictConfig(settings.LOGGING); "
        "logging.getLogger('probe').warning('hello %s', 'there')"
    )
    base = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "LOG_FORMAT"}}

    def run(**env: str) -> str:
        done = project_python("-c", probe, env={**base, **env})
        assert done.returncode == 0, done.stderr
        return done.stderr.strip().splitlines()[-1]

    production = json.loads(run(DEBUG="false"))
    assert production["message"] == "hello there" and production["request_id"] == "-"
    assert run(DEBUG="true").endswith("WARNING probe [rid=-] hello there")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml", "INFO")
