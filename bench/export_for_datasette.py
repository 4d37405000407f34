"""Write the records of the database in DATABASE_URL to a plain SQLite file for Datasette.

    DATABASE_URL=sqlite:///var/bench/sqlite-10000.sqlite3 \\
        .venv/bin/python bench/export_for_datasette.py var/bench/mandates.db

The same rows our pages show, in the shape Datasette expects: `resolutions` with the body code
and the year as plain columns (what its facets and filters work on), and the paragraphs,
instrument links, partner links and citations as tables with foreign keys to it, so its row page
lists what links to a resolution, as ours does. Each foreign key and filtered column is indexed,
and the titles, summaries and paragraphs have an FTS5 index (what Datasette's `_search` uses),
as anyone publishing these data with Datasette would set them up.
"""

import os
import sqlite3
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from mandates.models import (  # noqa: E402
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)

SCHEMA = """
CREATE TABLE resolutions (
    id INTEGER PRIMARY KEY, body TEXT NOT NULL, number TEXT, symbol TEXT,
    title TEXT, summary TEXT, adopted_on TEXT, year INTEGER NOT NULL, verification TEXT,
    is_synthetic INTEGER NOT NULL
);
CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY, resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
    number INTEGER, verb TEXT, summary TEXT
);
CREATE TABLE resolution_instruments (
    id INTEGER PRIMARY KEY, resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
    instrument TEXT NOT NULL, relation TEXT NOT NULL
);
CREATE TABLE resolution_partners (
    id INTEGER PRIMARY KEY, resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
    partner TEXT NOT NULL
);
CREATE TABLE citations (
    id INTEGER PRIMARY KEY, citing_id INTEGER NOT NULL REFERENCES resolutions(id),
    cited_id INTEGER NOT NULL REFERENCES resolutions(id), relation TEXT NOT NULL
);
CREATE INDEX resolutions_body ON resolutions(body);
CREATE INDEX resolutions_year ON resolutions(year);
CREATE INDEX paragraphs_resolution ON paragraphs(resolution_id);
CREATE INDEX resolution_instruments_resolution ON resolution_instruments(resolution_id);
CREATE INDEX resolution_partners_resolution ON resolution_partners(resolution_id);
CREATE INDEX citations_citing ON citations(citing_id);
CREATE INDEX citations_cited ON citations(cited_id);
CREATE VIRTUAL TABLE resolutions_fts USING fts5(
    number, symbol, title, summary, content=resolutions, content_rowid=id
);
"""


def main(target):
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO resolutions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        Resolution.objects.order_by("pk").values_list(
            "pk",
            "body__code",
            "number",
            "symbol",
            "title",
            "summary",
            "adopted_on",
            "year",
            "verification",
            "is_synthetic",
        ),
    )
    db.executemany(
        "INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)",
        Paragraph.objects.order_by("pk").values_list(
            "pk", "resolution_id", "number", "verb", "summary"
        ),
    )
    db.executemany(
        "INSERT INTO resolution_instruments VALUES (?, ?, ?, ?)",
        ResolutionInstrument.objects.order_by("pk").values_list(
            "pk", "resolution_id", "instrument__slug", "relation"
        ),
    )
    links = Resolution.partners.through.objects.order_by("pk")
    db.executemany(
        "INSERT INTO resolution_partners VALUES (?, ?, ?)",
        links.values_list("pk", "resolution_id", "partner__slug"),
    )
    db.executemany(
        "INSERT INTO citations VALUES (?, ?, ?, ?)",
        ResolutionCitation.objects.order_by("pk").values_list(
            "pk", "citing_id", "cited_id", "relation"
        ),
    )
    db.execute("INSERT INTO resolutions_fts(resolutions_fts) VALUES ('rebuild')")
    db.execute("ANALYZE")
    db.commit()
    count = db.execute("SELECT count(*) FROM resolutions").fetchone()[0]
    db.close()
    print(f"Wrote {count} resolutions to {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "bench" / "mandates.db")
