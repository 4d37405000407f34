"""What bench/run.py and bench/serve.py share: where things are, the log, the app's environment."""

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
DATASETTE = DATASETTE_VENV / "bin" / "datasette"
OUT = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# The PostgreSQL databases are <prefix>_10k and <prefix>_100k: give each checkout its own
# prefix when several share a server, since each migrates them to its own schema.
PG_PREFIX = os.environ.get("BENCH_POSTGRES_PREFIX", "mandates_bench")
HOST = "127.0.0.1"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def app_env(url, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_FORMAT": "plain",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PAGE_CACHE_SECONDS", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


PAGES = ("home", "list", "search", "rare", "resolution", "csv")
# With the page cache on, a page a visitor has seen is a hit, whatever the page: measured for
# the pages with a cached target (and the home page), not every page again.
CACHED_PAGES = ("home", "list", "resolution")
ROUNDS = 5  # each figure is the median of this many rounds, measured in turn with the others
LABELS = {
    "home": "home page",
    "list": "filtered list + facets",
    "search": "keyword search",
    "rare": "keyword search, a rare word",
    "resolution": "resolution page",
    "csv": "CSV export",
    "ceiling": "ceiling (constant view)",
}
# Our page -> Datasette's nearest counterpart.
PEER_OF = {
    "home": "index",
    "list": "table",
    "search": "search",
    "resolution": "row",
    "csv": "csv",
}
LIST_QUERY = {"body": "SC", "year_from": 2015, "year_to": 2017}
SEARCH_WORD = "looting"  # in most synthetic records: the search's worst case
RARE_WORD = "unidroit"  # in two real resolutions, in no synthetic one
CSV_ROWS = 1000
# Targets: (page, cache) -> minimum ratio to Datasette's counterpart.
PEER_TARGETS = {
    ("list", "off"): 2,
    ("list", "on"): 20,
    ("resolution", "off"): 0.6,
    ("resolution", "on"): 5,
}
SCALE_TARGET = 0.5  # the list at 100,000 rows, uncached, on PostgreSQL, against 10,000
SEARCH_TARGET_MS = 50  # a rare word's search, median at 100,000 rows, uncached, both databases
