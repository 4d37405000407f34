"""The gunicorn settings (config/gunicorn.py): defaults and the environment."""

import gc
import os
import re
import runpy
from pathlib import Path

from django.conf import settings as django_settings

# --- gunicorn settings ----------------------------------------------------------------------------

GUNICORN_CONFIG = str(Path(django_settings.BASE_DIR) / "config" / "gunicorn.py")


def gunicorn_settings(monkeypatch, **env):
    for name in list(os.environ):
        if name == "PORT" or name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
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


def test_a_worker_keeps_the_loaded_app_out_of_the_collector(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    gc.unfreeze()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0  # the app's objects: out of every collection
    finally:
        gc.unfreeze()


def documented_defaults():
    """{GUNICORN_* variable: default} from the settings table of docs/deploying.md."""
    text = (Path(django_settings.BASE_DIR) / "docs" / "deploying.md").read_text()
    defaults = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`GUNICORN_"):
            names = re.findall(r"`(GUNICORN_\w+)`", cells[0])
            values = re.findall(r"`(\d+)`", cells[1]) or [cells[1]]
            defaults.update(zip(names, values, strict=True))
    return defaults


def test_the_docs_give_the_defaults_the_config_has(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    documented = documented_defaults()
    for name, setting in {
        "GUNICORN_THREADS": "threads",
        "GUNICORN_WORKER_CONNECTIONS": "worker_connections",
        "GUNICORN_TIMEOUT": "timeout",
        "GUNICORN_GRACEFUL_TIMEOUT": "graceful_timeout",
        "GUNICORN_KEEPALIVE": "keepalive",
    }.items():
        assert documented[name] == str(conf[setting]), name
    assert documented["GUNICORN_WORKERS"].startswith("CPU cores + 1, at most 8")
    cores = len(os.sched_getaffinity(0))
    assert conf["workers"] == min(cores + 1, 8)
