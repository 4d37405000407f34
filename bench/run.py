"""`make bench`: our pages under load, beside Datasette and a constant Django view, in one run.

    .venv/bin/python bench/run.py                 # the full run (what `make bench` does)
    .venv/bin/python bench/run.py --backends sqlite --sizes 10000 --rounds 5 --duration 1

For each database (SQLite, PostgreSQL), size (10,000 and 100,000 synthetic resolutions) and page
cache setting (PAGE_CACHE_SECONDS=0, the engine's own speed, and the default `make run` uses):

1. prepare the database once (migrate, load_reference_data, generate_synthetic; a database that
   already holds that many synthetic resolutions is reused, one that holds another number is
   dropped and rebuilt), then ANALYZE it;
2. serve it the way production does: gunicorn with config/gunicorn.py (its workers, threads
   and keep-alive), DEBUG off, a random secret key, DJANGO_SETTINGS_MODULE=bench.settings (the
   product's settings plus /bench/ceiling/); every configuration has its own server, all of
   them up for the whole run;
3. check every page once (status 200, the CSV's row count) and warm it up;
4. measure in rounds (--rounds, 5): in each, every configuration in turn (in reverse order
   every other round), each page loaded with wrk (Debian's package `wrk`; without it, a bounded
   Python client) for --duration seconds (2; a slow page longer, so that a round counts about
   12 of its answers): requests per second, p50 and p99 latency and errors
   (non-2xx/3xx answers and socket errors). Each uncached page of ours that has a target (the
   list, the record page) is followed by Datasette's counterpart, so that ours and Datasette's
   alternate; Datasette's other pages and the ceiling (a Django view returning a constant,
   through the same server) are measured once a round.

Every figure reported is the median of its rounds, with their range, and each ratio the median
of the ratios within a round: the rate of a shared machine drifts, and rounds taken in turn
spread the drift over every figure alike. Datasette serves the same 10,000 records (exported
to SQLite by bench/export_for_datasette.py, installed in bench/.venv-datasette, outside the
app's dependencies) with the same page size. The table, each figure's ratio to Datasette's
counterpart and to the ceiling, and the targets are printed; everything is written to
var/bench/results.json.
"""

import argparse
import json
import math
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
    CACHED_PAGES,
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
    ROUNDS,
    SEARCH_WORD,
    app_env,
    log,
)
from bench.report import machine, report, targets  # noqa: E402
from bench.serve import (  # noqa: E402
    check,
    datasette,
    drain,
    ensure_datasette,
    free_port,
    gunicorn,
    load,
    measure,
)

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
import math
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


def datasette_urls(base, picked):
    """Datasette's counterpart of each of our pages, on the same records and page size."""
    table = {
        "body": LIST_QUERY["body"],
        "year__gte": LIST_QUERY["year_from"],
        "year__lte": LIST_QUERY["year_to"],
        "_size": 25,
    }
    search = {"_search": SEARCH_WORD, "_size": 25}
    csv = picked["csv_query"]
    csv_query = {
        "body": csv["body"],
        "year__gte": csv["year_from"],
        "year__lte": csv["year_to"],
        "_size": "max",
    }
    return {
        "table": f"{base}/mandates/resolutions?{query_string(table)}&_facet=body&_facet=year",
        "row": f"{base}/mandates/resolutions/{picked['resolution_id']}",
        "search": f"{base}/mandates/resolutions?{query_string(search)}",
        "csv": f"{base}/mandates/resolutions.csv?{query_string(csv_query)}",
        "index": f"{base}/",
    }


def start_datasette(urls):
    """Datasette on the 10,000-row SQLite records, whatever this run measures of ours."""
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
    server = datasette(db, port)
    log(f"Datasette ({DATASETTE_VENV.name}) on :{port}")
    return server, datasette_urls(f"http://{HOST}:{port}", picked)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--cache", default="off,on", help="off (PAGE_CACHE_SECONDS=0), on, or off,on (both)"
    )
    parser.add_argument("--pages", default=",".join(PAGES), help="pages measured uncached")
    parser.add_argument(
        "--cached-pages", default=",".join(CACHED_PAGES), help="pages measured with the cache on"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds; figures are medians")
    parser.add_argument("--duration", type=int, default=2, help="seconds of load per figure")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of load before round 1")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: production's)")
    parser.add_argument("--threads", type=int, help="threads a worker (default: production's)")
    parser.add_argument("--no-peers", action="store_true", help="skip Datasette and the ceiling")
    parser.add_argument("--prepare-only", action="store_true", help="build the databases, stop")
    parser.add_argument("--output", default=str(OUT / "results.json"))
    options = parser.parse_args()
    backends = options.backends.split(",")
    sizes = [int(s) for s in options.sizes.split(",")]
    caches = options.cache.split(",")
    if not set(caches) <= {"off", "on"}:
        parser.error(f"--cache: off, on or off,on, not {options.cache!r}")
    pages = {"off": options.pages.split(","), "on": options.cached_pages.split(",")}
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

    results = {
        "started": started_at,
        "load_average_before": load_average,
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "settings": {
            "rounds": options.rounds,
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "connections": options.connections,
            "gunicorn_workers": options.workers or "production's",
            "gunicorn_threads": options.threads or "production's",
            "load_generator": "wrk -t1" if shutil.which("wrk") else "python",
        },
    }
    servers = []
    try:
        peers = {}
        if not options.no_peers and ensure_datasette():
            server, peers = start_datasette(urls)
            servers.append(server)
        # Every configuration served at once, each by its own gunicorn, so that the rounds can
        # take them in turn.
        configs = [
            (backend, size, cache) for size in sizes for backend in backends for cache in caches
        ]
        ours, ours_served = {}, {}
        for backend, size, cache in configs:
            url, picked = urls[backend, size]
            port = free_port()
            name = f"{backend}-{size}-{cache}"
            log(f"{name}: gunicorn on :{port}")
            server = gunicorn(url, cache, port, secret_key, name, options.workers, options.threads)
            servers.append(server)
            ours_served[backend, size, cache] = server
            ours[backend, size, cache] = our_urls(f"http://{HOST}:{port}", picked)
        ceilings = {}
        for backend, size, cache in configs:  # on an uncached server of each database
            if cache == "off" and not options.no_peers and backend not in ceilings:
                ceilings[backend] = ours[backend, size, cache]["home"].rstrip("/") + CEILING
        checked = check_pages(urls, ours, peers, pages, ceilings)
        results["bytes"] = {url: size for url, (size, _seconds) in checked.items()}
        before = {config: server.worker_cpu() for config, server in ours_served.items()}
        results.update(run_rounds(options, configs, ours, peers, pages, ceilings, checked))
        # How evenly each server's workers shared the work of the rounds.
        for run in results["runs"]:
            config = (run["backend"], run["size"], run["cache"])
            after = ours_served[config].worker_cpu()
            used = [after[pid] - before[config][pid] for pid in after if pid in before[config]]
            run["worker_cpu_s"] = sorted(used, reverse=True)
    finally:
        for server in reversed(servers):
            server.stop()
    results["targets"] = targets(results)
    results["wall_time_s"] = round(time.monotonic() - started)
    table = report(results)
    print()
    print(table)
    print(f"\nWall time: {results['wall_time_s']} s. Results: {options.output}")
    Path(options.output).write_text(json.dumps(results, indent=1))


CEILING = "/bench/ceiling/"


def check_pages(urls, ours, peers, pages, ceilings):
    """Every page checked (status 200; the CSV's rows): {url: (bytes, seconds a request)}."""
    checked = {}
    for (backend, size, cache), page_urls in ours.items():
        for page in pages[cache]:
            rows = urls[backend, size][1]["csv_rows"] if page == "csv" else None
            checked[page_urls[page]] = check(page_urls[page], rows)
    for url in [*peers.values(), *ceilings.values()]:
        checked[url] = check(url)
    return checked


def seconds_for(warm, checked, url, duration, connections):
    """How long to load `url` for: `duration`, or longer for a slow page, so that a round
    counts about 1.5 x `connections` answers of it (whole seconds, as wrk takes them; at most
    10): from its rate while warming up, or, if no answer came then, its unloaded time."""
    answers, rate = 1.5 * connections, warm.get(url, 0)
    needed = answers / rate if rate else answers * checked[url][1] / (os.cpu_count() or 1)
    return max(duration, min(10, math.ceil(needed)))


def run_rounds(options, configs, ours, peers, pages, ceilings, checked):
    """The measurements, in `options.rounds` rounds: in each, every configuration in turn (the
    order reversed every other round), each page of ours followed by Datasette's counterpart
    when it has a target, then Datasette's other pages and the ceilings. A figure's median
    over the rounds is what the report shows, with its range: the rate of a shared machine
    drifts, and the rounds spread the drift over every figure alike."""
    connections = options.connections
    log(f"warming up every page ({options.warmup:g} s each)")
    warm = {}
    for (_backend, _size, cache), page_urls in ours.items():
        for page in pages[cache]:
            warm[page_urls[page]] = load(page_urls[page], options.warmup, connections)["rps"]
    for url in [*peers.values(), *ceilings.values()]:
        warm[url] = load(url, options.warmup, connections)["rps"]
    drain(1)

    def seconds(url):
        return seconds_for(warm, checked, url, options.duration, connections)

    runs = {config: {"pages": {}, "peers": {}, "one_client": {}} for config in configs}
    datasette, ceiling = {}, {}
    beside = {PEER_OF[page] for page, cache in PEER_TARGETS if cache == "off"}

    def add(figures, key, figure):
        figures.setdefault(key, []).append({**figure, "round": round_number})

    for round_number in range(options.rounds):
        log(f"round {round_number + 1} of {options.rounds}")
        order = configs if round_number % 2 == 0 else configs[::-1]
        for config in order:
            backend, size, cache = config
            run = runs[config]
            for page in pages[cache]:
                name = f"{backend} {size:,} {cache} {page}"
                url = ours[config][page]
                add(run["pages"], page, measure(name, url, seconds(url), 0, connections))
                if page == "rare" and cache == "off" and size == max(s for _, s, _ in configs):
                    # The time a search takes its visitor: one client, nothing queued.
                    figure = measure(f"{name}, one client", url, seconds(url), 0, 1)
                    add(run["one_client"], page, figure)
                peer = PEER_OF.get(page)
                if cache == "off" and peer in beside and peer in peers:
                    figure = measure(
                        f"  Datasette {peer}", peers[peer], seconds(peers[peer]), 0, connections
                    )
                    add(run["peers"], peer, figure)
        for peer, url in peers.items():
            if peer not in beside:
                figure = measure(f"Datasette {peer}", url, seconds(url), 0, connections)
                add(datasette, peer, figure)
        for backend, url in ceilings.items():
            figure = measure(f"ceiling {backend}", url, seconds(url), 0, connections)
            add(ceiling, backend, figure)
    return {
        "runs": [{"backend": b, "size": s, "cache": c, **run} for (b, s, c), run in runs.items()],
        "datasette": datasette,
        "ceiling": ceiling,
    }


if __name__ == "__main__":
    main()
