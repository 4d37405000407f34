"""Logs: JSON lines from Django and gunicorn, and the choice of format."""

import io
import json
import logging
import sys

import pytest
from django.test import RequestFactory

from config.jsonlog import JSONFormatter, log_format

# --- logs -----------------------------------------------------------------------------------------


def test_log_records_are_json_lines():
    formatter = JSONFormatter()
    record = logging.LogRecord(
        "mandates", logging.WARNING, __file__, 1, "hello %s", ("wörld",), None
    )
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "WARNING" and entry["logger"] == "mandates"
    assert entry["message"] == "hello wörld"
    assert entry["time"].endswith("Z")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_gunicorn_access_lines_become_fields():
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/resolutions/", "s": "200", "B": 512, "D": 12345}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s", (), None
    )
    record.args = atoms  # how gunicorn logs: one dict of atoms as the args
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "GET /resolutions/"
    assert entry["status"] == 200 and entry["path"] == "/resolutions/"
    assert entry["duration_ms"] == 12.3


def test_django_logs_through_the_json_formatter(settings):
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JSONFormatter())
    request = RequestFactory().get("/somewhere")
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        logger.warning(
            "Not Found: %s", "/somewhere", extra={"status_code": 404, "request": request}
        )
    finally:
        logger.removeHandler(handler)
    entry = json.loads(handler.stream.getvalue())
    assert entry == {**entry, "status": 404, "method": "GET", "path": "/somewhere"}
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


@pytest.mark.parametrize(
    "env, debug, expected",
    [({}, False, "json"), ({}, True, "plain"), ({"LOG_FORMAT": "plain"}, False, "plain")],
)
def test_log_format_choice(monkeypatch, env, debug, expected):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert log_format(debug=debug) == expected
