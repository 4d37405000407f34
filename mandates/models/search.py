"""Keyword search: PostgreSQL's stored document, SQLite's FTS5 query, the manager that
never loads the document."""

import re

from django.contrib.postgres.search import (
    SearchVector,
)
from django.db import models

from core.models import PublicManager

# PostgreSQL full-text document of a resolution; paragraphs are searched separately.
RESOLUTION_SEARCH_VECTOR = (
    SearchVector("number", "symbol", weight="A", config="english")
    + SearchVector("title", weight="B", config="english")
    + SearchVector("summary", weight="C", config="english")
)


def fts5_query(text):
    """An FTS5 query asking for every word of `text`, each as a word or the start of one (a
    word holding punctuation, "A/RES/70/76", as the phrase of its parts); None if it has no
    word. Every part is quoted: the text's own quotes, operators and columns mean nothing."""
    phrases = []
    for word in text.split():
        parts = re.findall(r"[^\W_]+", word)
        if parts:
            phrases.append('"' + " ".join(parts) + '"*')
    return " AND ".join(phrases) or None


class SearchDocumentDeferred(models.Manager):
    """The stored search document (PostgreSQL) is read by the database's own matching and
    ranking only: never loaded into Python, where it would cost about a kB a row."""

    def get_queryset(self):
        return super().get_queryset().defer("search_document")


class PublicSearchDocumentDeferred(PublicManager, SearchDocumentDeferred):
    """The `public` manager of a model with a search document: public rows, document left."""


# --- SQLite: the FTS5 table of migration 0015, as an unmanaged model --------------------------


class Match(models.Lookup):
    """`...__match=query`: FTS5's MATCH, an FTS5 query (fts5_query()) on the right."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FTS5TableColumn(models.TextField):
    """The hidden column an FTS5 table has under its own name: the left side of MATCH."""


FTS5TableColumn.register_lookup(Match)


class ResolutionWords(models.Model):
    """SQLite's FTS5 index of each resolution's words (number, symbol, title, summary and its
    paragraphs' text), a row a resolution under its id. Migration 0015 creates the table and
    the triggers that keep it; Django neither creates nor writes it (managed = False), and it
    exists on SQLite only: ResolutionQuerySet.search() is its one reader.

    `rank` is FTS5's bm25() of the row for the MATCH of the same query (lower is better)."""

    resolution = models.OneToOneField(
        "mandates.Resolution",
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,  # the triggers delete the row
        related_name="words",
    )
    document = FTS5TableColumn(db_column="mandates_resolution_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "mandates_resolution_fts"

    def __str__(self):
        return f"words of resolution {self.pk}"


class SearchIndexRouter:
    """Keeps ResolutionWords out of whatever Django migrates, dumps and loads (dumpdata and
    loaddata ask the routers): migration 0015 makes the table and its triggers fill it from
    the records, so a dump holds the records alone and rebuilds the index when loaded."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "mandates" and model_name == "resolutionwords":
            return False
        return None
