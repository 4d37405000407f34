"""Keyword search, the same on both databases, and the marks that show what each one matched.

A query is read once, here (SearchTerms.parse), with PostgreSQL's web-search syntax: words,
"quoted phrases", -excluded words and `or`. Each word is cut at its punctuation into the parts
both databases index ("A/RES/70/76" is the phrase a res 70 76). Then each database matches
those terms in its own index, with its own English stemmer (a word and its plural, "loot",
"looting" and "looted", are one), keeping every word (no stop words), and marks what it matched:

- PostgreSQL: the stored search_document (a trigger keeps it: migrations 0005, 0020, 0022) in the
  text search configuration SEARCH_CONFIG (Snowball's English stemmer), ranked by ts_rank,
  marked by ts_headline (SearchHeadline: it marks every word of a quoted phrase wherever it
  appears in the text, the phrase or not; FTS5 marks the phrase alone). Its parser keeps
  "A/RES/70/76" and "CN.15" whole, so the document and the marked texts read "/", "." and a
  few more as spaces (SPLIT_AT);
- SQLite: the FTS5 table mandates_resolution_fts (migration 0020: the Porter stemmer over
  unicode61), ranked by bm25 with the same weights for the same fields, marked by highlight().

The marks are private-use characters, MARK_START and MARK_STOP, which no record holds;
Marked.of() cuts a marked text at them into (text, matched) pieces, and the template draws
<mark> around the matched ones, escaping every piece.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import models
from django.db.models import F, Func, Value

from core.models import PublicManager

# PostgreSQL's text search configuration for records and queries (migration 0020): English
# stemming, no stop words, as SQLite's FTS5 table has it.
SEARCH_CONFIG = "mandates_english"
MARK_START, MARK_STOP = "\ue000", "\ue001"
# The characters PostgreSQL's parser must read as spaces, as FTS5 does: its parser keeps
# "A/RES/70/76", "CN.15", e-mail and web addresses whole, and skips what looks like HTML
# ("<script>" and what follows). A marked text holds them as private-use characters meanwhile.
SPLIT_AT = "/.:@&<>"
KEPT_AS = "".join(chr(0xE004 + i) for i in range(len(SPLIT_AT)))

WORD_PART = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """A word or "quoted phrase" of a query: its parts in order, matched as a phrase."""

    parts: tuple
    excluded: bool = False


@dataclass(frozen=True)
class SearchTerms:
    """A query as both databases read it: any of `groups`, each asking for every one of its
    terms (an excluded term for its absence). A group of excluded terms alone is dropped
    unless nothing else was asked: then `excluded` holds them, and the search keeps the
    records that have none of them."""

    groups: tuple = ()
    excluded: tuple = ()

    @classmethod
    def parse(cls, text):
        """Words, "quoted phrases" (a quote left open runs to the end), -excluded words or
        phrases, and `or` between them; punctuation splits a word into parts."""
        groups, group = [], []
        for match in TOKEN.finditer(text):
            minus, quoted, bare = match.groups()
            if bare is not None and bare.lower() == "or":
                groups.append(group)
                group = []
                continue
            if bare is not None:
                excluded = bare.startswith("-") and len(bare) > 1
                quoted = bare[1:] if excluded else bare
            else:
                excluded = bool(minus)
            parts = tuple(WORD_PART.findall(quoted))
            if parts:
                group.append(Term(parts, excluded))
        groups.append(group)
        wanted = tuple(tuple(g) for g in groups if any(not term.excluded for term in g))
        if wanted:
            return cls(groups=wanted)
        return cls(excluded=tuple(term for g in groups for term in g))

    def __bool__(self):
        return bool(self.groups or self.excluded)

    # --- SQLite: an FTS5 query

    def fts5(self):
        """The FTS5 query string: every part quoted, so the visitor's text is never FTS5
        syntax (a column name, NEAR, a bare operator)."""
        return " OR ".join(f"({fts5_group(group)})" for group in self.groups)

    def fts5_excluded(self):
        """The FTS5 query matching any excluded term (SQLite keeps the records it misses)."""
        return " OR ".join(fts5_phrase(term) for term in self.excluded)

    # --- PostgreSQL: a tsquery

    def postgres(self):
        return reduce(or_, (reduce(and_, map(postgres_phrase, group)) for group in self.groups))

    def postgres_excluded(self):
        return reduce(or_, (postgres_phrase(Term(term.parts)) for term in self.excluded))


def fts5_phrase(term):
    return '"' + " ".join(term.parts) + '"'


def fts5_group(group):
    wanted = " AND ".join(fts5_phrase(term) for term in group if not term.excluded)
    return wanted + "".join(f" NOT {fts5_phrase(term)}" for term in group if term.excluded)


def postgres_phrase(term):
    query = SearchQuery(" ".join(term.parts), config=SEARCH_CONFIG, search_type="phrase")
    return ~query if term.excluded else query


# --- PostgreSQL: the stored document and the marks ---------------------------------------------


class SearchDocumentDeferred(models.Manager):
    """The stored search document (PostgreSQL) is read by the database's own matching and
    ranking only: never loaded into Python, where it would cost about a kB a row."""

    def get_queryset(self):
        return super().get_queryset().defer("search_document")


class PublicSearchDocumentDeferred(PublicManager, SearchDocumentDeferred):
    """The `public` manager of a model with a search document: public rows, document left."""


class Translate(Func):
    """SQL's translate(text, from, to): each character of `from` becomes the one of `to`."""

    function = "translate"
    output_field = models.TextField()

    def __init__(self, expression, source, target):
        super().__init__(expression, Value(source), Value(target))


def postgres_marked(field, query):
    """`field` with PostgreSQL's matches of `query` marked (ts_headline, the whole text)."""
    headline = SearchHeadline(
        Translate(F(field), SPLIT_AT, KEPT_AS),
        query,
        config=SEARCH_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        highlight_all=True,
    )
    return Translate(headline, KEPT_AS, SPLIT_AT)


# --- SQLite: the FTS5 table, as an unmanaged model ----------------------------------------------

# The FTS5 table's columns, in order (migration 0020); `paragraphs` holds each paragraph's
# text after a tag of its position (PARAGRAPH_TAG), which no query can match.
FTS5_COLUMNS = ("number", "symbol", "contained_in", "title", "summary", "paragraphs")
PARAGRAPH_TAG = re.compile(r"\s*\ue002(\d+)\ue003\s*")


class Match(models.Lookup):
    """`...__match=query`: FTS5's MATCH, an FTS5 query (SearchTerms.fts5()) on the right."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FTS5TableColumn(models.TextField):
    """The hidden column an FTS5 table has under its own name: the left side of MATCH, and
    the first argument of its auxiliary functions (highlight())."""


FTS5TableColumn.register_lookup(Match)


class Highlight(Func):
    """FTS5's highlight(): a column of the row the query's MATCH found, its matches marked."""

    function = "highlight"
    output_field = models.TextField()

    def __init__(self, column):
        index = FTS5_COLUMNS.index(column)
        super().__init__(F("words__document"), Value(index), Value(MARK_START), Value(MARK_STOP))


class ResolutionWords(models.Model):
    """SQLite's FTS5 index of each resolution's words (FTS5_COLUMNS), a row a resolution under
    its id. Migrations 0015 and 0020 create the table and the triggers that keep it; Django
    neither creates nor writes it (managed = False), and it exists on SQLite only:
    ResolutionQuerySet.search() and marked() read it.

    `rank` is FTS5's bm25() of the row for the MATCH of the same query (lower is better), with
    PostgreSQL's weights: number, symbol and report 10, title 4, summary 2, paragraphs 1."""

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


# --- the marks, for the templates ----------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """A text as the database marked it, in pieces: [(text, matched)]; `cut_before` and
    `cut_after` say where a snippet left text out (the `marked` macro of
    templates/includes/macros.html draws them)."""

    pieces: tuple
    cut_before: bool = False
    cut_after: bool = False

    @classmethod
    def of(cls, text, words=None):
        """`text`'s pieces; with `words`, only about that many words of it, centred on the
        first match (the start of the text if nothing matched)."""
        text = text or ""
        if words is None:
            return cls(tuple(pieces(text)))
        tokens = text.split()
        first = next((i for i, token in enumerate(tokens) if MARK_START in token), 0)
        start = max(0, min(first - words // 2, len(tokens) - words))
        end = start + words
        before = " ".join(tokens[:start])
        inside = before.count(MARK_START) > before.count(MARK_STOP)  # cut inside a match
        shown = " ".join(tokens[start:end])
        return cls(tuple(pieces(shown, inside)), start > 0, end < len(tokens))

    @property
    def matched(self):
        return any(matched for _piece, matched in self.pieces)


def pieces(text, matched=False):
    """(piece, matched) for each run of `text` between marks, empty ones left out."""
    for piece in re.split(f"([{MARK_START}{MARK_STOP}])", text):
        if piece in (MARK_START, MARK_STOP):
            matched = piece == MARK_START
        elif piece:
            yield piece, matched


SNIPPET_WORDS = 30


@dataclass(frozen=True)
class SearchMarks:
    """What a keyword search matched in a resolution of the list (ResolutionQuerySet.marked()):
    its number, symbol and title marked, a snippet of its summary, and the first of its
    paragraphs where something matched, with a snippet of it."""

    number: Marked
    symbol: Marked
    title: Marked
    summary: Marked
    paragraph: object = None
    paragraph_text: Marked = None

    @classmethod
    def of(cls, resolution):
        paragraph, text = None, None
        for candidate, marked in marked_paragraphs(resolution):
            if MARK_START in marked:
                paragraph, text = candidate, Marked.of(marked, SNIPPET_WORDS)
                break
        return cls(
            number=Marked.of(resolution.number_marked),
            symbol=Marked.of(resolution.symbol_marked),
            title=Marked.of(resolution.title_marked),
            summary=Marked.of(resolution.summary_marked, SNIPPET_WORDS),
            paragraph=paragraph,
            paragraph_text=text,
        )


def marked_paragraphs(resolution):
    """(paragraph, its marked text) in the paragraphs' order: PostgreSQL marks each paragraph
    (the `marked_paragraphs` prefetched by marked()); SQLite marks the FTS5 row's
    `paragraphs`, whose position tags say which paragraph each text is."""
    if hasattr(resolution, "marked_paragraphs"):
        return [(p, p.summary_marked) for p in resolution.marked_paragraphs]
    texts = PARAGRAPH_TAG.split(resolution.paragraphs_marked or "")[1:]
    by_position = dict(zip(map(int, texts[::2]), texts[1::2], strict=True))
    # As for_list() read them (the list page), or else from the database.
    paragraphs = getattr(resolution, "paragraph_list", None)
    if paragraphs is None:
        paragraphs = resolution.paragraphs.all()
    return [(p, by_position.get(p.position, "")) for p in paragraphs]
