"""`make bench`: our pages under load, beside Datasette and a constant Django view, in one run.

    .venv/bin/python bench/run.py                 # the full run (what `make bench` does)
    .venv/bin/python bench/run.py --backends sqlite --sizes 10000 --cache on --no-peers

For each database (SQLite, PostgreSQL), size (10,000 and 100,000 synthetic resolutions) and page
cache setting (PAGE_CACHE_SECONDS=0, the engine's own speed, and the default `make run` uses):

1. prepare the database once (migrate, load_reference_data, generate_synthetic; a database that
   already holds that many synthetic resolutions is reused, one that holds another number is
   dropped and rebuilt), then ANALYZE it;
2. serve it the way production does: gunicorn with config/gunicorn.py, DEBUG off, a random secret
   key, DJANGO_SETTINGS_MODULE=bench.settings (the product's settings plus /bench/ceiling/);
3. check every page once (status 200, the CSV's row count), warm it up, and load it with wrk
   (Debian's package `wrk`; without it, a bounded Python client): requests per second, p50 and
   p99 latency and errors (non-2xx/3xx answers and socket errors).

Beside them, in the same run: Datasette serving the same 10,000 records (exported to SQLite by
bench/export_for_datasette.py, installed in bench/.venv-datasette, outside the app's
dependencies) with the same page size, and the ceiling, a Django view returning a constant.
Datasette's pages are measured first; then, for each uncached page of ours that has a target
(the list, the record page), its counterpart is measured again right after it, and the ratio
uses that figure: a shared machine's rate drifts within a run, and figures taken minutes apart
would measure the drift too. The table, each figure's ratio to Datasette's counterpart and to
the ceiling, and the targets are printed; everything is written to var/bench/results.json.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    CSV_ROWS,
    DATASETTE_VENV,
    HOST,
    LIST_QUERY,
    OUT,
    PAGES,
    PEER_OF,
    PEER_TARGETS,
    PG_PREFIX,
    PG_SERVER,
    PYTHON,
    RARE_WORD,
    ROOT,
    SEARCH_WORD,
    app_env,
    log,
)
from bench.report import machine, report, targets  # noqa: E402
from bench.serve import datasette, ensure_datasette, free_port, gunicorn, measure  # noqa: E402

# --- databases -------------------------------------------------------------------------------


def database_url(backend, size):
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'sqlite-{size}.sqlite3'}"
    return f"{PG_SERVER}/{PG_PREFIX}_{size // 1000}k"


def manage(url, *args, capture=False):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=app_env(url),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout if capture else None


def django_json(url, code):
    """Run `code` (which prints one JSON value) in `manage.py shell` against `url`."""
    return json.loads(manage(url, "shell", "-c", code, capture=True).strip().splitlines()[-1])


def postgres_admin(sql):
    code = (
        "import psycopg, sys\n"
        f"with psycopg.connect({PG_SERVER + '/postgres'!r}, autocommit=True) as c:\n"
        "    c.execute(sys.argv[1])\n"
    )
    subprocess.run([str(PYTHON), "-c", code, sql], check=True)


def postgres_exists(name):
    code = (
        "import psycopg, sys\n"
        f"with psycopg.connect({PG_SERVER + '/postgres'!r}) as c:\n"
        "    print(bool(c.execute('SELECT 1 FROM pg_database WHERE datname = %s',"
        " [sys.argv[1]]).fetchone()))\n"
    )
    out = subprocess.run([str(PYTHON), "-c", code, name], check=True, capture_output=True)
    return out.stdout.decode().strip() == "True"


# Fresh planner statistics, and on PostgreSQL a vacuum too (the visibility map lets index-only
# scans skip the table), as autovacuum would leave a database that has settled after a load.
ANALYZE = (
    "from django.db import connection\n"
    "sql = 'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'\n"
    "connection.cursor().execute(sql)\n"
    "print(1)\n"
)
SYNTHETIC_COUNT = (
    "import json\n"
    "from django.db import connection\n"
    "try:\n"
    "    from mandates.models import Resolution\n"
    "    n = Resolution.objects.filter(is_synthetic=True).count()\n"
    "except Exception:\n"
    "    n = -1\n"
    "print(json.dumps(n))\n"
)


def prepare(backend, size):
    """Migrate and fill the database unless it already holds `size` synthetic resolutions."""
    url = database_url(backend, size)
    name = url.rsplit("/", 1)[1]
    started = time.monotonic()
    if backend == "postgres" and not postgres_exists(name):
        postgres_admin(f'CREATE DATABASE "{name}"')
    manage(url, "migrate", "--noinput")
    count = django_json(url, SYNTHETIC_COUNT)
    if count != size:
        log(f"{backend} {size:,}: holds {count:,} synthetic resolutions; rebuilding")
        if backend == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            postgres_admin(f'CREATE DATABASE "{name}"')
        manage(url, "migrate", "--noinput")
        manage(url, "load_reference_data")
        manage(url, "generate_synthetic", "--resolutions", str(size))
    else:  # writes nothing if nothing changed; /healthz waits for a loaded reference data
        manage(url, "load_reference_data")
    django_json(url, ANALYZE)
    log(f"{backend} {size:,}: ready in {time.monotonic() - started:.0f} s")
    return url


PICK = """
import json
from django.db.models import Count
from mandates.models import Resolution
# A resolution page with something in every section: paragraphs, instruments, partners.
r = (
    Resolution.objects.filter(is_synthetic=True, body__code="GA", pk__gte=%(middle)d)
    .annotate(p=Count("paragraphs", distinct=True), i=Count("instrument_links", distinct=True),
              t=Count("partners", distinct=True))
    .filter(p__gte=3, i__gte=2, t__gte=1)
    .order_by("pk")
    .select_related("body")
    .first()
)
# The export: a body and a year range holding the nearest number of rows to %(rows)d.
counts = {}
for code, year, n in (
    Resolution.objects.values_list("body__code", "year").annotate(n=Count("pk")).order_by()
):
    counts.setdefault(code, {})[year] = n
best = None
for code, years in counts.items():
    ordered = sorted(years)
    for i, first in enumerate(ordered):
        total = 0
        for last in ordered[i:]:
            total += years[last]
            if best is None or abs(total - %(rows)d) < abs(best[0] - %(rows)d):
                best = (total, code, first, last)
            if total >= %(rows)d:
                break
print(json.dumps({"resolution": r.get_absolute_url(), "resolution_id": r.pk,
                  "csv_rows": best[0], "csv_query": {"body": best[1], "year_from": best[2],
                  "year_to": best[3]}}))
"""


def pick(url, size):
    return django_json(url, PICK % {"middle": size // 2, "rows": CSV_ROWS})


def query_string(params):
    return urllib.parse.urlencode(params)


def our_urls(base, picked):
    return {
        "home": f"{base}/",
        "list": f"{base}/resolutions/?{query_string(LIST_QUERY)}",
        "search": f"{base}/resolutions/?{query_string({'q': SEARCH_WORD})}",
        "rare": f"{base}/resolutions/?{query_string({'q': RARE_WORD})}",
        "resolution": f"{base}{picked['resolution']}",
        "csv": f"{base}/resolutions/export.csv?{query_string(picked['csv_query'])}",
    }


# --- main ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--cache", default="off,on", help="off (PAGE_CACHE_SECONDS=0), on, or both")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--no-peers", action="store_true", help="skip Datasette and the ceiling")
    parser.add_argument("--prepare-only", action="store_true", help="build the databases, stop")
    parser.add_argument("--output", default=str(OUT / "results.json"))
    options = parser.parse_args()
    backends = options.backends.split(",")
    sizes = [int(s) for s in options.sizes.split(",")]
    caches = options.cache.split(",")
    pages = options.pages.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    load_average = os.getloadavg()[0]
    if load_average > 0.5:
        log(
            f"warning: load average {load_average:.1f} before the run: other processes share the "
            "CPUs, and the figures (not so much the ratios) will be lower"
        )
    secret_key = secrets.token_urlsafe(50)

    log("collectstatic (DEBUG off serves the hashed files)")
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=app_env(database_url("sqlite", sizes[0])),
        check=True,
    )
    urls = {}
    for size in sizes:
        for backend in backends:
            url = prepare(backend, size)
            urls[backend, size] = (url, pick(url, size))
    if options.prepare_only:
        return

    peer_server, peer_urls = None, {}
    results = {
        "started": started_at,
        "load_average_before": load_average,
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "settings": {
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "connections": options.connections,
            "gunicorn_workers": options.workers,
            "gunicorn_threads": options.threads,
            "load_generator": "wrk -t1" if shutil.which("wrk") else "python",
        },
        "runs": [],
        "datasette": {},
        "ceiling": {},
    }

    if not options.no_peers and ensure_datasette():
        # Always the 10,000-row SQLite database, whatever this run measures of ours.
        if ("sqlite", 10_000) in urls:
            source, picked = urls["sqlite", 10_000]
        else:
            source = prepare("sqlite", 10_000)
            picked = pick(source, 10_000)
        db = OUT / "mandates.db"
        log("Datasette: exporting the 10,000-row database")
        subprocess.run(
            [str(PYTHON), "bench/export_for_datasette.py", str(db)],
            cwd=ROOT,
            env=app_env(source),
            check=True,
        )
        port = free_port()
        peer_server = datasette(db, port)
        try:
            base = f"http://{HOST}:{port}/mandates"
            table = {
                "body": LIST_QUERY["body"],
                "year__gte": LIST_QUERY["year_from"],
                "year__lte": LIST_QUERY["year_to"],
                "_size": 25,
            }
            csv = picked["csv_query"]
            peer_urls = {
                "table": f"{base}/resolutions?{query_string(table)}&_facet=body&_facet=year",
                "row": f"{base}/resolutions/{picked['resolution_id']}",
                "search": f"{base}/resolutions?"
                + query_string({"_search": SEARCH_WORD, "_size": 25}),
                "csv": f"{base}/resolutions.csv?"
                + query_string(
                    {
                        "body": csv["body"],
                        "year__gte": csv["year_from"],
                        "year__lte": csv["year_to"],
                        "_size": "max",
                    }
                ),
                "index": f"http://{HOST}:{port}/",
            }
            log(f"Datasette {DATASETTE_VENV.name}: {base}")
            for name, url in peer_urls.items():
                results["datasette"][name] = measure(
                    name, url, options.duration, options.warmup, options.connections
                )
        except BaseException:
            peer_server.stop()
            raise

    try:
        for size in sizes:
            for backend in backends:
                url, picked = urls[backend, size]
                for cache in caches:
                    port = free_port()
                    log(
                        f"{backend} {size:,} rows, page cache {cache}: gunicorn "
                        f"{options.workers} workers x {options.threads} threads on :{port}"
                    )
                    server = gunicorn(
                        url, cache, port, secret_key, options.workers, options.threads
                    )
                    try:
                        base = f"http://{HOST}:{port}"
                        run = {"backend": backend, "size": size, "cache": cache, "pages": {}}
                        for page, page_url in our_urls(base, picked).items():
                            if page not in pages:
                                continue
                            rows = picked["csv_rows"] if page == "csv" else None
                            run["pages"][page] = measure(
                                page,
                                page_url,
                                options.duration,
                                options.warmup,
                                options.connections,
                                rows,
                            )
                            # The rare word's search is also timed alone (one client, no
                            # queue): the time a search takes is its target.
                            if page == "rare" and cache == "off":
                                run.setdefault("one_client", {})[page] = measure(
                                    "  one client",
                                    page_url,
                                    options.duration,
                                    options.warmup,
                                    1,
                                )
                            # Uncached, a page with a target is compared with Datasette's
                            # counterpart measured right after it, not minutes earlier: the rate
                            # of a shared machine drifts (10-30% within a run, seen here), and a
                            # ratio of figures taken apart would measure the drift too.
                            peer = PEER_OF.get(page)
                            if (
                                cache == "off"
                                and (page, cache) in PEER_TARGETS
                                and peer in peer_urls
                            ):
                                run.setdefault("peers", {})[peer] = measure(
                                    f"  {peer}",
                                    peer_urls[peer],
                                    options.duration,
                                    options.warmup,
                                    options.connections,
                                )
                        if (
                            not options.no_peers
                            and cache == "off"
                            and backend not in results["ceiling"]
                        ):
                            results["ceiling"][backend] = measure(
                                "ceiling",
                                f"{base}/bench/ceiling/",
                                options.duration,
                                options.warmup,
                                options.connections,
                            )
                        results["runs"].append(run)
                    finally:
                        server.stop()

    finally:
        if peer_server is not None:
            peer_server.stop()
    results["targets"] = targets(results)
    results["wall_time_s"] = round(time.monotonic() - started)
    table = report(results)
    print()
    print(table)
    print(f"\nWall time: {results['wall_time_s']} s. Results: {options.output}")
    Path(options.output).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
