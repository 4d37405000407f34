"""Keyword search: PostgreSQL's stored document, SQLite's FTS5 query, the manager that
never loads the document."""

import re

from django.contrib.postgres.search import (
    SearchVector,
)
from django.db import models

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
