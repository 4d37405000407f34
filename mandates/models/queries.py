"""ResolutionQuerySet: the queries each page reads, named for the page.

Public pages call them on `Resolution.public` (published resolutions only); each reaches the
records at the other end of a link through those records' own `public` rows where they have
drafts (a citation's other resolution). A resolution's own children follow it."""

from collections import defaultdict

from django.contrib.postgres.search import SearchRank
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Prefetch

from core.models import PublishableQuerySet
from instruments.models import Instrument
from mandates.models.bodies import Activity, Addressee
from mandates.models.expert_group import ExpertGroupMeeting
from mandates.models.links import ResolutionCitation, ResolutionInstrument
from mandates.models.paragraphs import Paragraph
from mandates.models.reference_page import OpenQuestion, PageEntry
from mandates.models.search import Highlight, ResolutionWords, SearchTerms, postgres_marked
from partners.models import Partner

# The fields a search marks on the list (with the paragraphs).
MARKED_FIELDS = ("number", "symbol", "title", "summary")


class ResolutionQuerySet(PublishableQuerySet):
    def get_by_natural_key(self, body_code, slug):
        return self.get(body__code=body_code, slug=slug)

    def real(self):
        return self.filter(is_synthetic=False)

    def search(self, text):
        """Keyword search over number, symbol, containing report, title, summary and paragraph
        text, the same on both databases (mandates/models/search.py): every word, in any form
        English stemming gives it ("antiquity" finds "antiquities"), "quoted phrases",
        -excluded words, `or`; best match first, as each database ranks it.

        PostgreSQL: the stored search_document (migrations 0005, 0020). SQLite: the FTS5 table
        of migration 0020, joined (the one place with marked() the app reads it)."""
        terms = SearchTerms.parse(text)
        if not terms:
            return self if not text.strip() else self.none()
        postgres = connections[self.db].vendor == "postgresql"
        if not terms.groups:  # only excluded words: the records that have none of them
            if postgres:
                return self.exclude(search_document=terms.postgres_excluded())
            excluded = ResolutionWords.objects.filter(document__match=terms.fts5_excluded())
            return self.exclude(pk__in=excluded.values("resolution"))
        if postgres:
            query = terms.postgres()
            return (
                self.filter(search_document=query)
                .annotate(rank=SearchRank(F("search_document"), query))
                .order_by("-rank", *self.model._meta.ordering)
            )
        return self.filter(words__document__match=terms.fts5()).order_by(
            "words__rank", *self.model._meta.ordering
        )

    def marked(self, text):
        """The list's rows of a search(text), each with what the database matched marked in
        its number, symbol, title, summary and paragraphs (Resolution.search_marks reads
        them). Computed for the rows read only (the page's), after the database has sorted
        and cut them; one more query on PostgreSQL, for the paragraphs."""
        terms = SearchTerms.parse(text)
        if not terms.groups:
            return self
        if connections[self.db].vendor == "postgresql":
            query = terms.postgres()
            paragraphs = (
                Paragraph.objects.only("resolution_id", "number", "position", "summary")
                .annotate(summary_marked=postgres_marked("summary", query))
                .order_by("resolution_id", "position")
            )
            return self.annotate(
                **{f"{name}_marked": postgres_marked(name, query) for name in MARKED_FIELDS}
            ).prefetch_related(
                Prefetch("paragraphs", queryset=paragraphs, to_attr="marked_paragraphs")
            )
        # highlight() reads the MATCH search() joined: it must have run on this queryset.
        return self.annotate(
            **{f"{name}_marked": Highlight(name) for name in (*MARKED_FIELDS, "paragraphs")}
        )

    def linked_to(self, instruments):
        """Linked to any of these instruments (a subquery on the link table: a resolution
        linked to two of them, or to one under two relations, stays one row)."""
        links = ResolutionInstrument.objects.filter(instrument__in=instruments)
        return self.filter(pk__in=links.values("resolution_id"))

    def naming(self, partners):
        """Naming any of these partners."""
        links = self.model.partners.through.objects.filter(partner__in=partners)
        return self.filter(pk__in=links.values("resolution_id"))

    def for_list(self):
        """Everything a row of resolution_list.html (and the exports) shows, in a fixed number
        of queries: the body joined, then the page's instruments, partners and paragraph
        numbers, one query each, in the record page's orders, as plain lists on each row
        (`instrument_list`, `partner_list`, `paragraph_list`: a row reads each several times,
        and a list costs nothing to read again where a related manager builds a queryset)."""
        return self.select_related("body").prefetch_related(
            Prefetch(
                "instruments",
                queryset=Instrument.objects.only("slug", "short_name", "adopted_on").order_by(
                    F("adopted_on").asc(nulls_last=True), "slug"
                ),
                to_attr="instrument_list",
            ),
            Prefetch(
                "partners",
                queryset=Partner.objects.only("slug", "acronym"),
                to_attr="partner_list",
            ),
            # Ordered by their own columns: Paragraph's default ordering goes through the
            # resolution's, which would join resolutions and bodies to sort a few numbers.
            Prefetch(
                "paragraphs",
                queryset=Paragraph.objects.only(
                    "resolution_id", "number", "position", "summary"
                ).order_by("resolution_id", "position"),
                to_attr="paragraph_list",
            ),
        )

    # Columns a row of the list page never shows: left unread (the exports, which share
    # for_list(), show some of them). PostgreSQL's search document is the largest.
    LIST_PAGE_UNREAD = (
        "verification_note",
        "sources",
        "unverified_fields",
        "contained_in_title",
        "session",
        "meeting",
        "adoption_mode",
        "adoption_note",
        "official_url",
        "press_release",
        "search_document",
        # Of its body, a row shows the code and the name (in the page's language) and links
        # with the slug; the rest is the body page's.
        "body__version",
        "body__verification",
        "body__verification_note",
        "body__sources",
        "body__unverified_fields",
        "body__updated_at",
        "body__kind",
        "body__parent",
        "body__description",
        "body__number_format",
        "body__symbol_format",
        "body__position",
    )

    def for_list_page(self):
        """for_list(), less the columns resolution_list.html never reads (a column it read
        later would cost a query a row: tests/test_browse.py counts the queries with 120 rows
        more)."""
        return self.for_list().defer(*self.LIST_PAGE_UNREAD)

    # --- the list's facets: how many of these resolutions each value would keep

    def body_counts(self):
        """{body code: resolutions}, one grouped query."""
        return dict(self.order_by().values_list("body__code").annotate(n=Count("*")))

    def year_facet_counts(self):
        """{year: resolutions}, one grouped query."""
        return dict(self.order_by().values_list("year").annotate(n=Count("*")))

    def instrument_counts(self):
        """{instrument slug: resolutions linked to it}, one grouped query (a resolution linked
        to an instrument under two relations counts once)."""
        links = ResolutionInstrument.objects.filter(resolution__in=self.order_by().values("pk"))
        return dict(
            links.order_by()
            .values_list("instrument__slug")
            .annotate(n=Count("resolution_id", distinct=True))
        )

    def partner_counts(self):
        """{partner slug: resolutions naming it}, one grouped query."""
        links = self.model.partners.through.objects.filter(
            resolution__in=self.order_by().values("pk")
        )
        return dict(
            links.order_by().values_list("partner__slug").annotate(n=Count("resolution_id"))
        )

    def for_detail(self):
        """A record page's resolution with its body (and the body's parent), and for each kind
        of link Resolution.linked() lists (detail_link_rows()), a `has_<relation>` flag: an
        EXISTS in the same query. Most resolutions lack most kinds (no paragraph recorded, no
        citation, no meeting, no open question), so read_detail_links() reads only those the
        flags say there are, one query each: at most 13 in all, whatever the number of links,
        1 for a resolution with none."""
        flags = {
            f"has_{relation}": Exists(rows.filter(**{column: OuterRef("pk")}))
            for relation, (column, rows) in detail_link_rows().items()
        }
        return self.select_related("body__parent").annotate(**flags)

    def relevance_counts(self):
        """{relevance: n} for every relevance (0 where none): one grouped query."""
        counts = dict.fromkeys(self.model.Relevance.values, 0)
        rows = self.order_by().values_list("relevance").annotate(n=Count("*"))
        counts.update(rows.values_list("relevance", "n"))
        return counts

    def most_recent(self, n=5):
        return self.select_related("body").order_by("-year", F("adopted_on").desc(nulls_last=True))[
            :n
        ]

    # --- the Explore pages (graph, timeline, matrix, feed)

    CHRONOLOGICAL = ("year", F("adopted_on").asc(nulls_last=True), "body__position", "number")

    def for_graph(self):
        """Real resolutions, oldest first, with every typed link the graph draws (4 queries)."""
        return (
            self.real()
            .select_related("body")
            .order_by(*self.CHRONOLOGICAL)
            .prefetch_related(
                Prefetch(
                    "instrument_links",
                    queryset=ResolutionInstrument.objects.select_related("instrument").order_by(
                        "instrument__slug", "relation"
                    ),
                ),
                Prefetch(
                    "citation_links",
                    queryset=ResolutionCitation.objects.cited_public()
                    .filter(cited__is_synthetic=False)
                    .select_related("cited__body")
                    .order_by("relation", "cited__year", "cited_id"),
                ),
                Prefetch("partners", queryset=Partner.objects.order_by("acronym")),
            )
        )

    def for_timeline(self):
        """Real resolutions on the time axis, oldest first, with their body (1 query)."""
        return self.real().select_related("body").order_by(*self.CHRONOLOGICAL)

    def for_sitemap(self):
        """The real resolutions, with the body each one's address names (1 query)."""
        return self.real().select_related("body").order_by("body__position", "year", "number")

    def for_feed(self):
        """The newest first, with what an Atom entry shows: body and instruments."""
        return (
            self.select_related("body")
            .prefetch_related(
                Prefetch(
                    "instruments",
                    queryset=Instrument.objects.only("slug", "short_name"),
                    to_attr="instrument_list",
                )
            )
            .order_by(*self.model._meta.ordering)
        )

    def partner_body_counts(self):
        """{(partner slug, body code): resolutions naming the partner}, one grouped query."""
        rows = (
            self.model.partners.through.objects.filter(resolution__in=self.values("pk"))
            .values_list("partner__slug", "resolution__body__code")
            .annotate(n=Count("resolution_id", distinct=True))
            .order_by()
        )
        return {(slug, code): n for slug, code, n in rows}

    def instrument_body_counts(self):
        """{(instrument slug, body code): resolutions linked to it}, one grouped query."""
        rows = (
            ResolutionInstrument.objects.filter(resolution__in=self.values("pk"))
            .values_list("instrument__slug", "resolution__body__code")
            .annotate(n=Count("resolution_id", distinct=True))
            .order_by()
        )
        return {(slug, code): n for slug, code, n in rows}

    def body_year_counts(self):
        """{(body code, year): resolutions adopted}, one grouped query."""
        rows = self.values_list("body__code", "year").annotate(n=Count("pk")).order_by()
        return {(code, year): n for code, year, n in rows}


# --- the record page's links, read where for_detail()'s flags say there are any

# A paragraph's tags: {its relation: the plain list read_detail_links() leaves on it}.
PARAGRAPH_TAGS = {
    "addressees": "addressee_tags",
    "assisted_by": "assisting_tags",
    "activities": "activity_tags",
    "partners": "named_partners",
}
# What a record page shows of a partner it names (its link, its acronym, its name in the drawing).
PARTNER_SHOWN = ("slug", "acronym", "full_name")
INSTRUMENT_SHOWN = ("slug", "short_name", "title")
# A citation, and what the page shows of the resolution at its other end: its name (with its
# body), its title and its address.
CITATION_SHOWN = ("citing", "cited", "relation", "note")
RESOLUTION_NAMED = (
    "body",
    "kind",
    "number",
    "symbol",
    "contained_in",
    "year",
    "adopted_on",
    "title",
    "slug",
)


def detail_link_rows():
    """{kind: (the column naming the resolution, the rows of its links)}: what each has_<kind>
    flag of for_detail() looks for, read_detail_links() reading the linked records where it
    finds any. A many-to-many relation's links are the rows of its table; a citation counts
    only where the resolution at its other end is public. The `paragraph_<tag>` kinds are the
    tags of its paragraphs (PARAGRAPH_TAGS)."""
    return {
        "paragraphs": ("resolution", Paragraph.objects.all()),
        **{
            f"paragraph_{tag}": ("paragraph__resolution", getattr(Paragraph, tag).through.objects)
            for tag in PARAGRAPH_TAGS
        },
        "instrument_links": ("resolution", ResolutionInstrument.objects.all()),
        "partners": ("resolution", Partner.resolutions.through.objects),
        "citation_links": ("citing", ResolutionCitation.objects.cited_public()),
        "cited_by_links": ("cited", ResolutionCitation.objects.citing_public()),
        "expert_group_meetings": ("resolution", ExpertGroupMeeting.mandated_by.through.objects),
        "page_entries": ("resolution", PageEntry.objects.all()),
        "open_questions": ("resolution", OpenQuestion.resolutions.through.objects),
    }


def detail_reads():
    """{kind: (the lookup from the linked records to the resolution, the records)}: what a
    record page reads of each kind of link (the resolution's `detail_<kind>`), with what the
    page shows of the records at the other end, in the page's order."""
    return {
        "paragraphs": ("resolution", Paragraph.objects.order_by("position")),
        "instrument_links": (
            "resolution",
            ResolutionInstrument.objects.select_related("instrument")
            .only("resolution", "relation", "note", *(f"instrument__{f}" for f in INSTRUMENT_SHOWN))
            .order_by("instrument__slug", "relation"),
        ),
        "partners": ("resolutions", Partner.objects.only(*PARTNER_SHOWN).order_by("acronym")),
        "citation_links": (
            "citing",
            ResolutionCitation.objects.cited_public()
            .select_related("cited__body")
            .only(*CITATION_SHOWN, *(f"cited__{f}" for f in RESOLUTION_NAMED))
            .order_by(*ResolutionCitation._meta.ordering, "pk"),
        ),
        "cited_by_links": (
            "cited",
            ResolutionCitation.objects.citing_public()
            .select_related("citing__body")
            .only(*CITATION_SHOWN, *(f"citing__{f}" for f in RESOLUTION_NAMED))
            .order_by(*ResolutionCitation._meta.ordering, "pk"),
        ),
        "expert_group_meetings": (
            "mandated_by",
            ExpertGroupMeeting.objects.select_related("group"),
        ),
        "page_entries": ("resolution", PageEntry.objects.all()),
        "open_questions": ("resolutions", OpenQuestion.objects.all()),
    }


def paragraph_tag_reads():
    """{relation: (the lookup from a tag to its paragraphs, the tags in the page's order)}:
    what a record page reads of its paragraphs' tags (PARAGRAPH_TAGS)."""
    tags = Addressee.objects.order_by("position", "name")
    return {
        "addressees": ("paragraphs", tags),
        "assisted_by": ("assisting_paragraphs", tags),
        "activities": ("paragraphs", Activity.objects.order_by("position", "name")),
        "partners": ("paragraphs", Partner.objects.only(*PARTNER_SHOWN).order_by("acronym")),
    }


def read_detail_links(resolution):
    """Read the links of a resolution from for_detail() that its flags say it has: one query
    a kind (its paragraphs' tags one query a kind of tag, grouped by paragraph here), none for
    the kinds it lacks, which are empty lists. A resolution read otherwise (no flags) has every
    kind read. Plain queries, not prefetch_related_objects(): the same statements, each with
    0.1-0.2 ms less of the ORM's bookkeeping on PostgreSQL (docs/performance.md)."""

    def has(kind):
        return getattr(resolution, f"has_{kind}", True)

    for kind, (lookup, records) in detail_reads().items():
        found = list(records.filter(**{lookup: resolution})) if has(kind) else []
        setattr(resolution, f"detail_{kind}", found)
    paragraphs = resolution.detail_paragraphs
    for paragraph in paragraphs:
        paragraph.resolution = resolution  # its citation names the resolution: no query
    for tag, (lookup, records) in paragraph_tag_reads().items():
        tagged = defaultdict(list)
        if paragraphs and has(f"paragraph_{tag}"):
            rows = records.filter(**{f"{lookup}__in": paragraphs}).annotate(tagged=F(lookup))
            for record in rows:
                tagged[record.tagged].append(record)
        for paragraph in paragraphs:
            setattr(paragraph, PARAGRAPH_TAGS[tag], tagged[paragraph.pk])
