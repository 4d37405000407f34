"""The SQL each benchmarked page runs, with its PostgreSQL plan: the plans in docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mandates_bench_100k \\
        .venv/bin/python bench/plans.py > /tmp/plans.md

Run it on a database `make bench` prepared (it picks the same pages). Each page is requested once
through Django's test client with the page cache off; every statement it sends is printed with
`EXPLAIN (ANALYZE, COSTS OFF)` and its planning and execution times. On SQLite it prints the
statements and `EXPLAIN QUERY PLAN`.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from mandates.models import Resolution  # noqa: E402


def pages():
    """The benchmark's pages (bench/common.py: LIST_QUERY, SEARCH_WORD, RARE_WORD; the picked
    resolution)."""
    middle = Resolution.objects.filter(is_synthetic=True).count() // 2
    resolution = (
        Resolution.objects.filter(is_synthetic=True, body__code="GA", pk__gte=middle)
        .annotate(
            p=Count("paragraphs", distinct=True),
            i=Count("instrument_links", distinct=True),
            t=Count("partners", distinct=True),
        )
        .filter(p__gte=3, i__gte=2, t__gte=1)
        .order_by("pk")
        .select_related("body")
        .first()
    )
    return {
        "The unfiltered list": "/resolutions/",
        "The filtered list": "/resolutions/?body=SC&year_from=2015&year_to=2017",
        "The keyword search": "/resolutions/?q=looting",
        "The keyword search, a rare word": "/resolutions/?q=unidroit",
        "A resolution page": resolution.get_absolute_url(),
        "The home page": "/",
    }


def explain(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


class Recorder:
    """An execute wrapper that keeps each statement and its parameters, as sent."""

    def __init__(self, into):
        self.into = into

    def __call__(self, execute, sql, params, many, context):
        self.into.append((sql, params))
        return execute(sql, params, many, context)


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    for title, url in pages().items():
        client.get(url, secure=True)  # warm: the connection, the health check
        cache.clear()  # so the facets are counted, as on a first visit (later ones read them)
        sent = []
        with connection.execute_wrapper(Recorder(sent)):
            response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        statements = [(sql, params) for sql, params in sent if sql.strip() != "SELECT 1"]
        print(f"### {title}: `{url}` ({len(statements)} statements)\n")
        for sql, params in statements:
            print("```sql\n" + " ".join(sql.split()) + "\n```\n")
            print("```\n" + explain(sql, params) + "\n```\n")


if __name__ == "__main__":
    main()
