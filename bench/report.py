"""bench/run.py's report: the table of results, each figure's ratios, the targets, the machine."""

import os
import platform
import re
from pathlib import Path

from bench.common import (
    LABELS,
    PAGES,
    PEER_OF,
    PEER_TARGETS,
    SCALE_TARGET,
    SEARCH_TARGET_MS,
)

# --- report ------------------------------------------------------------------------------------


def ratio(a, b):
    return a / b if a and b else None


def peer_rate(run, page, peers):
    """Datasette's rate for `page`'s counterpart: measured beside it in this run when it was,
    else at the start of the run; None for a page without a counterpart."""
    if page not in PEER_OF:
        return None
    beside = run.get("peers", {}).get(PEER_OF[page])
    return (beside or peers.get(PEER_OF[page], {})).get("rps")


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def figures(m):
    """A measurement in one line: rate, latencies and errors."""
    return (
        f"{m['rps']:>9.1f} req/s  p50 {m['p50_ms']:.2f} ms  p99 {m['p99_ms']:.2f} ms  "
        f"errors {m['errors']}"
    )


def report(results):
    peers = results.get("datasette", {})
    ceilings = results.get("ceiling", {})
    lines = []
    header = (
        f"{'database':<9} {'rows':>7} {'cache':<5} {'page':<28} {'req/s':>9} {'p50 ms':>8} "
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
                f"{run['backend']:<9} {run['size']:>7,} {run['cache']:<5} {LABELS[page]:<28} "
                f"{m['rps']:>9.1f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['errors']:>6} "
                f"{fmt_ratio(ratio(m['rps'], peer)):>10} {fmt_ratio(ratio(m['rps'], ceiling)):>9}"
            )
    lines.append("")
    for name, m in peers.items():
        lines.append(f"Datasette {name:<8} {figures(m)}  {m['url']}")
    for run in results["runs"]:
        for name, m in run.get("peers", {}).items():
            lines.append(
                f"Datasette {name:<8} {figures(m)}  (beside {run['backend']} "
                f"{run['size']:,}, cache {run['cache']})"
            )
    for run in results["runs"]:
        for page, m in run.get("one_client", {}).items():
            lines.append(
                f"{LABELS[page]}, one client ({run['backend']} {run['size']:,}, cache "
                f"{run['cache']}): {figures(m).strip()}"
            )
    for backend, m in ceilings.items():
        lines.append(f"Ceiling ({backend:<8}) {figures(m)}")
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
    for run in results["runs"]:
        # What a search costs the visitor who runs it: the median with one client, so that no
        # request waits behind others (the table's p50 is under 8 connections).
        alone = run.get("one_client", {}).get("rare")
        if run["size"] == 100_000 and run["cache"] == "off" and alone:
            p50 = alone["p50_ms"]
            verdicts.append(
                {
                    "what": f"keyword search for a rare word, {run['backend']} 100,000, "
                    f"uncached, one client: median <= {SEARCH_TARGET_MS} ms",
                    "value": f"{p50:.1f} ms (under 8 connections: "
                    f"{run['pages']['rare']['p50_ms']:.1f} ms)",
                    "met": p50 <= SEARCH_TARGET_MS,
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
