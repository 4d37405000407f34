"""gunicorn settings: `gunicorn config.wsgi --config config/gunicorn.py` (Makefile, Dockerfile).

Every value can be set from the environment; a --bind on the command line wins over PORT.
Access and error lines go to stdout, as JSON lines unless LOG_FORMAT=plain (config/jsonlog.py).
"""

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `config.*` imports

from config.jsonlog import log_format  # noqa: E402


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:
        return os.cpu_count() or 1


bind = [f"0.0.0.0:{env_int('PORT', 8000)}"]
# Threaded workers (gthread), answering our long requests with our own page (config/workers.py).
# A connection that sends nothing waits in the worker's poller, not in a thread: with sync
# workers, six idle connections stalled every page until the worker timeout (docs/deploying.md).
worker_class = "config.workers.StyledThreadWorker"
# cores + 1, capped; each worker runs `threads` requests at once, and each thread holds its own
# database connection (CONN_MAX_AGE): workers x threads connections at most.
workers = env_int("GUNICORN_WORKERS", min(cpu_count() + 1, 8))
threads = env_int("GUNICORN_THREADS", 4)
# Open connections a worker keeps, busy or idle (gunicorn's default); past it, new ones wait
# in the listen backlog until one closes.
worker_connections = env_int("GUNICORN_WORKER_CONNECTIONS", 1000)
timeout = env_int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # to finish requests on restart
# No keep-alive: each answer closes its connection, so each request is accepted afresh by a
# worker with time for it. A kept-alive connection stays with the worker that accepted it, and
# a proxy's pool of them could all sit on one worker while the others idle (one core busy of
# two: docs/deploying.md). A positive value keeps idle connections that many seconds.
keepalive = env_int("GUNICORN_KEEPALIVE", 0)
# The request line gunicorn reads: its maximum, above the app's own limit on the address
# (config.middleware.MAX_REQUEST_TARGET, 8,000 bytes), so the app refuses long addresses with
# its page; a request line longer still gets the same page from config/workers.py.
limit_request_line = 8190
limit_request_fields = 100  # headers; more is a 400 with our page
limit_request_field_size = 8190  # bytes in one header; more is a 400 with our page
control_socket_disable = True  # gunicorn >= 27: no gunicornc socket in $HOME (unused here)
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files in memory, not on a container's overlay disk

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
_debug = os.environ.get("DJANGO_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.jsonlog.JSONFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": log_format(debug=_debug),
        },
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}


def post_worker_init(worker):
    """Once the worker has loaded the app: its modules, settings, URL patterns and compiled
    templates live as long as the worker, so they leave the garbage collector's generations
    (gc.freeze()) and its full collections walk only what requests make. About 2.5% more
    uncached record pages a second on PostgreSQL (docs/performance.md)."""
    gc.freeze()
