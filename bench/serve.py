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
