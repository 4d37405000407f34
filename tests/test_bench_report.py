"""The bench's arithmetic (bench/report.py): medians over rounds, and ratios taken within a round,
to the Datasette figure measured beside a page or, failing that, that round's figures of it."""

from bench.report import ratios, summary, targets


def figure(rps, number, p50=10.0):
    return {"rps": rps, "p50_ms": p50, "p99_ms": 2 * p50, "errors": 0, "round": number}


def results():
    """Two rounds; the machine twice as fast in the second: every rate doubles."""
    uncached = {
        "backend": "sqlite",
        "size": 10_000,
        "cache": "off",
        "pages": {"list": [figure(40, 0), figure(80, 1)], "home": [figure(5, 0), figure(10, 1)]},
        "peers": {"table": [figure(20, 0), figure(40, 1)]},
    }
    cached = {
        "backend": "sqlite",
        "size": 10_000,
        "cache": "on",
        "pages": {"list": [figure(500, 0), figure(1000, 1)]},
        "peers": {},
    }
    return {
        "runs": [uncached, cached],
        "datasette": {"index": [figure(50, 0), figure(100, 1)]},
        "ceiling": {"sqlite": [figure(1000, 0), figure(2000, 1)]},
    }


def test_a_figure_is_the_median_of_its_rounds_with_its_range():
    s = summary([figure(10, 0), figure(30, 1), figure(20, 2)])
    assert (s["rps"], s["rps_min"], s["rps_max"], s["rounds"]) == (20, 10, 30, 3)


def test_ratios_are_taken_within_a_round():
    data = results()
    uncached, cached = data["runs"]
    assert ratios(data, uncached, "list", "peer") == [2.0, 2.0]  # beside it, round by round
    assert ratios(data, cached, "list", "peer") == [25.0, 25.0]  # that round's table figures
    assert ratios(data, uncached, "home", "peer") == [0.1, 0.1]  # Datasette's index, same round
    assert ratios(data, uncached, "list", "ceiling") == [0.04, 0.04]


def test_targets_read_the_median_ratio():
    verdicts = {v["what"]: v for v in targets(results())}
    uncached = next(v for what, v in verdicts.items() if "cache off" in what)
    assert uncached["met"] and uncached["value"].startswith("2.00x")
    cached = next(v for what, v in verdicts.items() if "cache on" in what)
    assert cached["met"] and cached["value"].startswith("25.00x")
