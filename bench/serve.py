"""bench/run.py's servers (gunicorn serving our app, Datasette) and load generators (wrk, or a
bounded Python client)."""

import http.client
import os
import re
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

from bench.common import DATASETTE, DATASETTE_VENV, GUNICORN, HOST, OUT, ROOT, app_env, log

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


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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

    def worker_cpu(self):
        """{worker pid: CPU seconds it has used} for the server's child processes (Linux's
        /proc; empty elsewhere): how evenly the workers shared the work."""
        used = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == self.process.pid:
                used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / TICKS
        return used

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def gunicorn(url, cache, port, secret_key, name, workers=None, threads=None):
    """Our app, served as production serves it (config/gunicorn.py: its workers, threads and
    keep-alive, unless `workers` or `threads` say otherwise); logs to var/bench/gunicorn-NAME.log.
    """
    sizing = {"GUNICORN_WORKERS": workers, "GUNICORN_THREADS": threads}
    env = app_env(
        url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG=0,
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_SECURE_SSL_REDIRECT=0,
        DJANGO_ALLOWED_HOSTS=HOST,
        **{name: value for name, value in sizing.items() if value is not None},
    )
    if cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"  # else the settings' default, as `make run` has it
    args = [str(GUNICORN), "config.wsgi", "--config", "config/gunicorn.py"]
    args += ["--bind", f"{HOST}:{port}"]
    return Server(args, env, f"http://{HOST}:{port}/healthz", OUT / f"gunicorn-{name}.log")


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
    """Two requests before the load: each must answer 200 (and the CSV hold its rows).
    Returns the size of the answer and the seconds the second one took (the first may fill
    caches): what a request costs, unloaded."""
    for _ in range(2):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
        seconds = time.perf_counter() - started
    if expect_rows is not None:
        rows = body.decode("utf-8-sig").count("\n") - 1
        if rows != expect_rows:
            raise RuntimeError(f"{url}: {rows} CSV rows, expected {expect_rows}")
    return len(body), seconds


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


def measure(name, url, seconds, warmup, connections):
    """One figure: `warmup` seconds of load first (0 for none), then `seconds` measured."""
    if warmup:
        warm = load(url, warmup, connections)  # fills every worker's page cache, warms the database
        drain(warm["p50_ms"] / 1000)
    result = load(url, seconds, connections)
    result.update(url=url)
    drain(result["p50_ms"] / 1000)
    log(
        f"  {name:<24} {result['rps']:>9.1f} req/s  p50 {result['p50_ms']:>8.2f} ms  "
        f"p99 {result['p99_ms']:>8.2f} ms  errors {result['errors']}"
    )
    return result


def drain(p50_seconds):
    """Wait for the requests still queued when the load stopped, so that they do not slow the
    next figure down: at most `connections` of them, served in about one median latency."""
    time.sleep(min(5.0, max(0.3, 1.5 * p50_seconds)))
