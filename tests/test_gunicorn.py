"""The gunicorn settings (config/gunicorn.py): defaults and the environment."""

import runpy
from pathlib import Path

from django.conf import settings as django_settings

# --- gunicorn settings ----------------------------------------------------------------------------

GUNICORN_CONFIG = str(Path(django_settings.BASE_DIR) / "config" / "gunicorn.py")


def gunicorn_settings(monkeypatch, **env):
    for name in (
        "PORT",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_KEEPALIVE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(GUNICORN_CONFIG)


def test_gunicorn_defaults(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert 2 <= conf["workers"] <= 8
    assert conf["worker_class"] == "config.workers.StyledThreadWorker"
    assert conf["threads"] == 4 and conf["keepalive"] == 0  # docs/deploying.md: why
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 30
    assert conf["limit_request_line"] == 8190  # above the app's MAX_REQUEST_TARGET
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"
    handler = conf["logconfig_dict"]["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"


def test_gunicorn_reads_the_environment(monkeypatch):
    conf = gunicorn_settings(
        monkeypatch, PORT="9000", GUNICORN_WORKERS="3", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="60"
    )
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 4, 60)
