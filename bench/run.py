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
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
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

PAGES = ("home", "list", "search", "resolution", "csv")
LABELS = {
    "home": "home page",
    "list": "filtered list + facets",
    "search": "keyword search",
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
SEARCH_WORD = "looting"
CSV_ROWS = 1000
# Targets: (page, cache) -> minimum ratio to Datasette's counterpart.
PEER_TARGETS = {
    ("list", "off"): 3,
    ("list", "on"): 20,
    ("resolution", "off"): 2,
    ("resolution", "on"): 5,
}
SCALE_TARGET = 0.5  # the list at 100,000 rows, uncached, on PostgreSQL, against 10,000


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- databases -------------------------------------------------------------------------------


def database_url(backend, size):
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'sqlite-{size}.sqlite3'}"
    return f"{PG_SERVER}/{PG_PREFIX}_{size // 1000}k"


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
        "resolution": f"{base}{picked['resolution']}",
        "csv": f"{base}/resolutions/export.csv?{query_string(picked['csv_query'])}",
    }


# --- servers -----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Server:
    """A server process started for the benchmark and stopped (by its own pid) afterwards."""

    def __init__(self, args, env, probe, logfile):
        self.log = open(logfile, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(probe, self.process)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def gunicorn(url, cache, port, secret_key, workers, threads):
    env = app_env(
        url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG=0,
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_SECURE_SSL_REDIRECT=0,
        DJANGO_ALLOWED_HOSTS=HOST,
        GUNICORN_WORKERS=workers,
        GUNICORN_THREADS=threads,
    )
    if cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"  # else the settings' default, as `make run` has it
    args = [str(GUNICORN), "config.wsgi", "--config", "config/gunicorn.py"]
    args += ["--bind", f"{HOST}:{port}"]
    backend = "sqlite" if url.startswith("sqlite") else "postgres"
    logfile = OUT / f"gunicorn-{backend}-{cache}.log"
    return Server(args, env, f"http://{HOST}:{port}/healthz", logfile)


def datasette(db, port):
    args = [str(DATASETTE), "serve", str(db), "--host", HOST, "--port", str(port)]
    args += ["--setting", "default_page_size", "25"]
    return Server(
        args, dict(os.environ), f"http://{HOST}:{port}/-/versions.json", OUT / "datasette.log"
    )


def ensure_datasette():
    if DATASETTE.exists():
        return True
    log("installing Datasette into bench/.venv-datasette (outside the app's dependencies)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run(
            [str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", "datasette"],
            check=True,
        )
    except subprocess.CalledProcessError as error:
        log(f"could not install Datasette ({error}); the peer is left out")
        return False
    return DATASETTE.exists()


# --- load --------------------------------------------------------------------------------------


def check(url, expect_rows=None):
    """One request before the load: it must answer 200 (and the CSV hold its rows)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    if expect_rows is not None:
        rows = body.decode("utf-8-sig").count("\n") - 1
        if rows != expect_rows:
            raise RuntimeError(f"{url}: {rows} CSV rows, expected {expect_rows}")
    return len(body)


def load(url, seconds, connections):
    return (run_wrk if shutil.which("wrk") else run_python_client)(url, seconds, connections)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def run_wrk(url, seconds, connections):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    out = subprocess.run(
        [*args, url], check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": requests,
        "errors": errors,
        "tool": "wrk",
    }


def run_python_client(url, seconds, connections):
    """Without wrk: `connections` threads on keep-alive connections, for `seconds`, bounded."""
    parsed = urllib.parse.urlsplit(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline and len(mine) < 1_000_000:
            started = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "requests": len(latencies),
        "errors": errors[0],
        "tool": "python",
    }


def measure(name, url, seconds, warmup, connections, expect_rows=None):
    size = check(url, expect_rows)
    if warmup:
        load(url, warmup, connections)  # fills every worker's page cache; warms the database
    result = load(url, seconds, connections)
    result.update(url=url, bytes=size)
    # Requests still queued when the load stopped must not slow the next measurement down.
    time.sleep(min(10.0, max(0.5, 2 * result["p99_ms"] / 1000)))
    log(
        f"  {name:<11} {result['rps']:>9.1f} req/s  p50 {result['p50_ms']:>8.2f} ms  "
        f"p99 {result['p99_ms']:>8.2f} ms  errors {result['errors']}"
    )
    return result


# --- report ------------------------------------------------------------------------------------


def ratio(a, b):
    return a / b if a and b else None


def peer_rate(run, page, peers):
    """Datasette's rate for `page`'s counterpart: measured beside it in this run when it was,
    else at the start of the run."""
    beside = run.get("peers", {}).get(PEER_OF[page])
    return (beside or peers.get(PEER_OF[page], {})).get("rps")


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def report(results):
    peers = results.get("datasette", {})
    ceilings = results.get("ceiling", {})
    lines = []
    header = (
        f"{'database':<9} {'rows':>7} {'cache':<5} {'page':<24} {'req/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'/Datasette':>10} {'/ceiling':>9}"
    )
    lines += [header, "-" * len(header)]
    for run in results["runs"]:
        ceiling = ceilings.get(run["backend"], {}).get("rps")
        for page in PAGES:
            m = run["pages"].get(page)
            if not m:
                continue
            peer = peer_rate(run, page, peers)
            lines.append(
                f"{run['backend']:<9} {run['size']:>7,} {run['cache']:<5} {LABELS[page]:<24} "
                f"{m['rps']:>9.1f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['errors']:>6} "
                f"{fmt_ratio(ratio(m['rps'], peer)):>10} {fmt_ratio(ratio(m['rps'], ceiling)):>9}"
            )
    lines.append("")
    for name, m in peers.items():
        lines.append(
            f"Datasette {name:<8} {m['rps']:>9.1f} req/s  p50 {m['p50_ms']:.2f} ms  "
            f"p99 {m['p99_ms']:.2f} ms  errors {m['errors']}  {m['url']}"
        )
    for run in results["runs"]:
        for name, m in run.get("peers", {}).items():
            lines.append(
                f"Datasette {name:<8} {m['rps']:>9.1f} req/s  p50 {m['p50_ms']:.2f} ms  "
                f"p99 {m['p99_ms']:.2f} ms  errors {m['errors']}  (beside {run['backend']} "
                f"{run['size']:,}, cache {run['cache']})"
            )
    for backend, m in ceilings.items():
        lines.append(
            f"Ceiling ({backend:<8}) {m['rps']:>9.1f} req/s  p50 {m['p50_ms']:.2f} ms  "
            f"p99 {m['p99_ms']:.2f} ms  errors {m['errors']}"
        )
    lines += ["", "Targets (ratios within this run):"]
    for verdict in results["targets"]:
        lines.append(
            f"  [{'met' if verdict['met'] else 'NOT MET'}] {verdict['what']}: {verdict['value']}"
        )
    return "\n".join(lines)


def targets(results):
    peers = results.get("datasette", {})
    verdicts = []
    for run in results["runs"]:
        for (page, cache), minimum in PEER_TARGETS.items():
            if run["cache"] != cache or page not in run["pages"]:
                continue
            peer = peer_rate(run, page, peers)
            value = ratio(run["pages"][page]["rps"], peer)
            if value is None:
                continue
            verdicts.append(
                {
                    "what": f"{LABELS[page]}, {run['backend']} {run['size']:,}, cache {cache}: "
                    f">= {minimum}x Datasette's {PEER_OF[page]}",
                    "value": fmt_ratio(value),
                    "met": value >= minimum,
                }
            )
    by_key = {(r["backend"], r["size"], r["cache"]): r for r in results["runs"]}
    small, large = by_key.get(("postgres", 10_000, "off")), by_key.get(("postgres", 100_000, "off"))
    if small and large and "list" in small["pages"] and "list" in large["pages"]:
        value = ratio(large["pages"]["list"]["rps"], small["pages"]["list"]["rps"])
        verdicts.append(
            {
                "what": "filtered list, PostgreSQL, uncached: 100,000 rows >= 50% of the rate at "
                "10,000",
                "value": f"{value:.0%}",
                "met": value >= SCALE_TARGET,
            }
        )
    errors = sum(m["errors"] for run in results["runs"] for m in run["pages"].values())
    verdicts.append({"what": "zero errors on our pages", "value": str(errors), "met": errors == 0})
    return verdicts


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except OSError:
        mem_kb = 0
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
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
