"""bench/run.py's report: each figure's median over the rounds and its range, the ratios (the
median of the ratios within each round), the targets, the machine."""

import os
import platform
import re
from pathlib import Path
from statistics import median

from bench.common import (
    LABELS,
    PAGES,
    PEER_OF,
    PEER_TARGETS,
    SCALE_TARGET,
    SEARCH_TARGET_MS,
)

# --- figures over the rounds ---------------------------------------------------------------------


def summary(figures):
    """A page's rounds in one: median rate and its range, median latencies, all the errors."""
    rates = [f["rps"] for f in figures]
    return {
        "rps": median(rates),
        "rps_min": min(rates),
        "rps_max": max(rates),
        "p50_ms": median(f["p50_ms"] for f in figures),
        "p99_ms": median(f["p99_ms"] for f in figures),
        "errors": sum(f["errors"] for f in figures),
        "rounds": len(figures),
    }


def in_round(figures, number):
    return [f["rps"] for f in figures if f["round"] == number]


def peer_rate(results, run, peer, number):
    """Datasette's rate for `peer` in round `number`: measured beside this run's page if it
    was, else the median of that round's figures of it (beside any run, or alone)."""
    beside = in_round(run.get("peers", {}).get(peer, []), number)
    if beside:
        return beside[0]
    rates = in_round(results.get("datasette", {}).get(peer, []), number)
    for other in results["runs"]:
        rates += in_round(other.get("peers", {}).get(peer, []), number)
    return median(rates) if rates else None


def ratios(results, run, page, against):
    """The ratio of the page's rate to `against` ("peer" or "ceiling"), round by round."""
    values = []
    for figure in run["pages"].get(page, []):
        number = figure["round"]
        if against == "peer":
            if page not in PEER_OF:
                return []
            other = peer_rate(results, run, PEER_OF[page], number)
        else:
            rates = in_round(results.get("ceiling", {}).get(run["backend"], []), number)
            other = rates[0] if rates else None
        if other:
            values.append(figure["rps"] / other)
    return values


def ratio_summary(values):
    """(median, min, max) of ratios, or None."""
    return (median(values), min(values), max(values)) if values else None


def fmt_ratio(value):
    return "-" if value is None else f"{value[0]:.2f}x ({value[1]:.2f}-{value[2]:.2f})"


def fmt_rate(s):
    return f"{s['rps']:.1f} ({s['rps_min']:.0f}-{s['rps_max']:.0f})"


def figures(s):
    """A summary in one line: rate and its range, latencies and errors."""
    return (
        f"{fmt_rate(s):>22} req/s  p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms  "
        f"errors {s['errors']}"
    )


# --- the report ----------------------------------------------------------------------------------


def report(results):
    lines = []
    header = (
        f"{'database':<9} {'rows':>7} {'cache':<5} {'page':<28} {'req/s (range)':>22} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'/Datasette (range)':>20} "
        f"{'/ceiling':>8}"
    )
    lines += [header, "-" * len(header)]
    for run in results["runs"]:
        for page in PAGES:
            if page not in run["pages"]:
                continue
            s = summary(run["pages"][page])
            peer = ratio_summary(ratios(results, run, page, "peer"))
            ceiling = ratio_summary(ratios(results, run, page, "ceiling"))
            lines.append(
                f"{run['backend']:<9} {run['size']:>7,} {run['cache']:<5} {LABELS[page]:<28} "
                f"{fmt_rate(s):>22} {s['p50_ms']:>8.2f} {s['p99_ms']:>8.2f} {s['errors']:>6} "
                f"{fmt_ratio(peer):>20} {'-' if ceiling is None else f'{ceiling[0]:.2f}x':>8}"
            )
    lines.append("")
    peers = {}
    for peer, figures_ in results.get("datasette", {}).items():
        peers.setdefault(peer, []).extend(figures_)
    for run in results["runs"]:
        for peer, figures_ in run.get("peers", {}).items():
            peers.setdefault(peer, []).extend(figures_)
    for peer, figures_ in peers.items():
        lines.append(f"Datasette {peer:<8} {figures(summary(figures_))}  {figures_[0]['url']}")
    for run in results["runs"]:
        for page, figures_ in run.get("one_client", {}).items():
            lines.append(
                f"{LABELS[page]}, one client ({run['backend']} {run['size']:,}, cache "
                f"{run['cache']}): {figures(summary(figures_)).strip()}"
            )
    for run in results["runs"]:
        used = run.get("worker_cpu_s")
        if used and sum(used):
            shares = " ".join(f"{u / sum(used):.0%}" for u in used)
            lines.append(
                f"Workers' shares of the CPU ({run['backend']} {run['size']:,}, cache "
                f"{run['cache']}): {shares} of {sum(used):.0f} s"
            )
    for backend, figures_ in results.get("ceiling", {}).items():
        s = summary(figures_)
        spread = (s["rps_max"] - s["rps_min"]) / s["rps"]
        lines.append(f"Ceiling ({backend:<8}) {figures(s)}  (range {spread:.0%} of the median)")
    lines += ["", "Targets (the median of the ratios within each round, and their range):"]
    for verdict in results["targets"]:
        lines.append(
            f"  [{'met' if verdict['met'] else 'NOT MET'}] {verdict['what']}: {verdict['value']}"
        )
    return "\n".join(lines)


def targets(results):
    verdicts = []
    for run in results["runs"]:
        for (page, cache), minimum in PEER_TARGETS.items():
            if run["cache"] != cache or page not in run["pages"]:
                continue
            value = ratio_summary(ratios(results, run, page, "peer"))
            if value is None:
                continue
            verdicts.append(
                {
                    "what": f"{LABELS[page]}, {run['backend']} {run['size']:,}, cache {cache}: "
                    f">= {minimum}x Datasette's {PEER_OF[page]}",
                    "value": fmt_ratio(value),
                    "met": value[0] >= minimum,
                }
            )
    by_key = {(r["backend"], r["size"], r["cache"]): r for r in results["runs"]}
    small, large = by_key.get(("postgres", 10_000, "off")), by_key.get(("postgres", 100_000, "off"))
    if small and large and "list" in small["pages"] and "list" in large["pages"]:
        value = summary(large["pages"]["list"])["rps"] / summary(small["pages"]["list"])["rps"]
        verdicts.append(
            {
                "what": "filtered list, PostgreSQL, uncached: 100,000 rows >= 50% of the rate at "
                "10,000 (medians)",
                "value": f"{value:.0%}",
                "met": value >= SCALE_TARGET,
            }
        )
    for run in results["runs"]:
        # What a search costs the visitor who runs it: the median with one client, so that no
        # request waits behind others (the table's p50 is under 8 connections).
        alone = run.get("one_client", {}).get("rare")
        if run["size"] == 100_000 and run["cache"] == "off" and alone:
            p50 = summary(alone)["p50_ms"]
            loaded = summary(run["pages"]["rare"])["p50_ms"]
            verdicts.append(
                {
                    "what": f"keyword search for a rare word, {run['backend']} 100,000, "
                    f"uncached, one client: median <= {SEARCH_TARGET_MS} ms",
                    "value": f"{p50:.1f} ms (under 8 connections: {loaded:.1f} ms)",
                    "met": p50 <= SEARCH_TARGET_MS,
                }
            )
    errors = sum(f["errors"] for run in results["runs"] for fs in run["pages"].values() for f in fs)
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
