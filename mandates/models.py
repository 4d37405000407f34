import datetime
import functools
import re

from django.contrib.humanize.templatetags.humanize import ordinal
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, router
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    Publishable,
    PublishableQuerySet,
    Sourced,
    Verification,
    Versioned,
    errors_of,
)
from mandates.routes import slug_url
from mandates.sessions import session_errors

UN_LANGUAGES = [  # the UN order, each named in its own script: never translated
    ("ar", "العربية"),
    ("zh", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]


def nth(number):
    """ "7379th", "7379e": the ordinal in the page's language, as plain text."""
    return strip_tags(ordinal(int(number)))


def undocs_links(symbol):
    """One official link a UN language for a document symbol (the UN's own permalink service)."""
    return [(code, name, f"https://undocs.org/{code}/{symbol}") for code, name in UN_LANGUAGES]


# --- Bodies -----------------------------------------------------------------------------------


class BodyQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def with_counts(self):
        """resolution_count on each body: a count per body in a subquery, answered from the
        (body, year) index alone, rather than joining every resolution to its body and counting
        distinct rows (1.6 s on the home page at 100,000 resolutions on PostgreSQL)."""
        counts = (
            Resolution.objects.filter(body=OuterRef("pk"))
            .order_by()
            .values("body")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(resolution_count=Coalesce(Subquery(counts), 0))


class Body(Sourced):
    """An organ that adopts mandates: General Assembly, Security Council, CCPCJ, ..."""

    KEY_FIELDS = ("name",)

    class Kind(models.TextChoices):
        PRINCIPAL_ORGAN = "principal-organ", _("Principal organ of the United Nations")
        FUNCTIONAL_COMMISSION = "functional-commission", _("Functional commission")
        TREATY_BODY = "treaty-body", _("Conference of States parties")
        CONGRESS = "congress", _("United Nations congress")

    code = models.CharField(max_length=10, unique=True, help_text='Natural key: "GA", "SC".')
    slug = models.SlugField(max_length=20, unique=True, help_text='URL segment: "ga".')
    name = models.CharField(max_length=200)
    name_fr = models.CharField(
        "name in French", max_length=200, blank=True, help_text="As the UN writes it in French."
    )
    code_fr = models.CharField(
        "abbreviation in French", max_length=10, blank=True, help_text='"AG", "CS".'
    )
    of_name_fr = models.CharField(
        "“of the …” in French",
        max_length=220,
        blank=True,
        help_text='How a French citation names it: "du Conseil de sécurité", '
        '"de l\'Assemblée générale".',
    )
    kind = models.CharField(max_length=30, choices=Kind)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body it reports to.",
    )
    description = models.TextField(blank=True)
    number_format = models.CharField(
        max_length=100,
        help_text=(
            "Regular expression a resolution number of this body must match; a named group "
            "(?P<year>....) ties the number to the year of adoption."
        ),
    )
    symbol_format = models.CharField(
        max_length=60,
        blank=True,
        help_text='How the symbol is made from the number, e.g. "A/RES/{number}". '
        "Empty where resolutions have no symbol of their own.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")
    history = HistoricalRecords(excluded_fields=["version"])

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = _("bodies")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return slug_url("mandates:body-detail", self.slug)

    def clean(self):
        errors = errors_of(super().clean)
        try:
            re.compile(self.number_format)
        except re.error as exc:
            errors["number_format"] = f"Not a regular expression: {exc}."
        if self.symbol_format and "{number}" not in self.symbol_format:
            errors["symbol_format"] = "Include {number} where the resolution number goes."
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "A body cannot report to itself."
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self):
        """The body's name in the page's language (the French one where recorded)."""
        return self.name_fr if get_language() == "fr" and self.name_fr else self.name

    @property
    def display_code(self):
        return self.code_fr if get_language() == "fr" and self.code_fr else self.code

    def match_number(self, number):
        return re.fullmatch(self.number_format, number)

    def symbol_for(self, number):
        return self.symbol_format.format(number=number) if self.symbol_format else ""


# --- Lookups used to tag paragraphs -----------------------------------------------------------


class LookupQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Lookup(Versioned):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    objects = LookupQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Addressee(Lookup):
    """Whom a paragraph asks: UNODC, the Secretary-General, Member States, ..."""

    history = HistoricalRecords(excluded_fields=["version"])


class Activity(Lookup):
    """What a paragraph asks for: technical assistance, an expert group, data collection, ..."""

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta(Lookup.Meta):
        verbose_name_plural = _("activities")


# --- Resolutions ------------------------------------------------------------------------------

# PostgreSQL full-text document of a resolution; paragraphs are searched separately.
RESOLUTION_SEARCH_VECTOR = (
    SearchVector("number", "symbol", weight="A", config="english")
    + SearchVector("title", weight="B", config="english")
    + SearchVector("summary", weight="C", config="english")
)


class ResolutionQuerySet(PublishableQuerySet):
    def get_by_natural_key(self, body_code, slug):
        return self.get(body__code=body_code, slug=slug)

    def real(self):
        return self.filter(is_synthetic=False)

    def search(self, text):
        """Keyword search over symbol, number, title, summary and paragraph text.

        PostgreSQL: full-text search (English stemming, web-search syntax) ranked by relevance,
        plus a substring match on symbol and number, which the text parser splits apart.
        SQLite: a case-insensitive substring match on every word, in the same fields.
        """
        text = text.strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            # The document is stored (search_document: RESOLUTION_SEARCH_VECTOR plus the
            # paragraphs' text, kept by triggers, GIN-indexed): matching and ranking read one
            # column instead of parsing every row's text and every paragraph again.
            query = SearchQuery(text, search_type="websearch", config="english")
            return (
                self.annotate(rank=SearchRank(F("search_document"), query))
                .filter(
                    Q(search_document=query) | Q(symbol__icontains=text) | Q(number__icontains=text)
                )
                .order_by("-rank", *self.model._meta.ordering)
            )
        condition = Q()
        for word in text.split():
            condition &= (
                Q(symbol__icontains=word)
                | Q(number__icontains=word)
                | Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(
                    pk__in=Paragraph.objects.filter(summary__icontains=word).values("resolution_id")
                )
            )
        return self.filter(condition)

    def for_listing(self):
        """Everything resolution_list.html and the exports touch, in a fixed number of queries."""
        return self.select_related("body").prefetch_related(
            Prefetch(
                "instruments", queryset=_instrument_model().objects.only("slug", "short_name")
            ),
            Prefetch("partners", queryset=_partner_model().objects.only("slug", "acronym")),
            # Ordered by their own columns: Paragraph's default ordering goes through the
            # resolution's, which would join resolutions and bodies to sort a few numbers.
            Prefetch(
                "paragraphs",
                queryset=Paragraph.objects.only("resolution_id", "number").order_by(
                    "resolution_id", "number"
                ),
            ),
        )

    LIST_COLUMNS = (
        *("body__code", "body__name", "body__slug", "number", "slug", "symbol", "contained_in"),
        *("title", "summary", "adopted_on", "year", "verification"),
    )

    def for_list_page(self):
        """The resolution list's rows: the columns the list shows, with their body's; their
        links come from page_links(), for the page alone. only(): building the instances of
        a page from every column of two tables cost as much as the query itself."""
        return self.select_related("body").only(*self.LIST_COLUMNS)

    @staticmethod
    def page_links(ids):
        """The links a page of the list shows, for these resolution ids: {id: {"instruments":
        [(slug, short name)], "partners": [(slug, acronym)], "paragraphs": [number]}}, in the
        order of the record pages.

        One SQL statement of plain values, whatever the page holds, written out here: as three
        querysets (or prefetch_related(), which also builds a model instance for each of the
        page's hundred-odd links) it cost ten times what the database takes to answer.
        """
        links = {pk: {"instruments": [], "partners": [], "paragraphs": []} for pk in ids}
        if not ids:
            return links
        q = connection.ops.quote_name
        among = f"IN ({', '.join(['%s'] * len(ids))})"
        instrument = _instrument_model()._meta
        partner = _partner_model()._meta
        # One statement, one round trip: (kind, resolution, key, label, adoption, paragraph
        # number) rows, a column for each type (PostgreSQL matches the types of a UNION's
        # columns), put in order below.
        sql = f"""
            SELECT 'instruments', l.{q("resolution_id")}, i.{q("slug")}, i.{q("short_name")},
                i.{q("adopted_on")}, CAST(NULL AS INTEGER)
            FROM {q(ResolutionInstrument._meta.db_table)} l
            JOIN {q(instrument.db_table)} i ON i.{q("id")} = l.{q("instrument_id")}
            WHERE l.{q("resolution_id")} {among}
            UNION ALL
            SELECT 'partners', l.{q("resolution_id")}, p.{q("slug")}, p.{q("acronym")}, NULL, NULL
            FROM {q(Resolution.partners.through._meta.db_table)} l
            JOIN {q(partner.db_table)} p ON p.{q("id")} = l.{q("partner_id")}
            WHERE l.{q("resolution_id")} {among}
            UNION ALL
            SELECT 'paragraphs', {q("resolution_id")}, NULL, NULL, NULL, {q("number")}
            FROM {q(Paragraph._meta.db_table)}
            WHERE {q("resolution_id")} {among}"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, *ids, *ids])
            rows = cursor.fetchall()
        # The record pages' orders: instruments by adoption (unknown dates last), then slug;
        # partners by acronym; paragraphs by number.
        order = {
            "instruments": lambda row: (row[4] is None, row[4] or "", row[2]),
            "partners": lambda row: row[3],
            "paragraphs": lambda row: (row[5] is None, row[5] or 0),
        }
        for kind, key in order.items():
            for row in sorted((row for row in rows if row[0] == kind), key=key):
                pk, value, label = row[1], row[2], row[3]
                links[pk][kind].append(row[5] if kind == "paragraphs" else (value, label))
        return links

    def for_detail(self):
        """A record page's resolution with its body and the body's parent, as one row of values,
        then, for each kind of link few resolutions have (Resolution.RARE_LINKS), whether it has
        any. Resolution.for_page() runs this query (compiled once) and makes the instances.

        Not prefetch_related() for what links to it: Resolution.linked() reads that in a fixed
        number of queries compiled once, because building and compiling a dozen querysets cost
        several times more than running them (see there); and it skips the queries the flags
        say would find nothing."""
        model, pk = self.model, OuterRef("pk")
        exists = {
            "citations": ResolutionCitation.objects.filter(Q(citing=pk) | Q(cited=pk)),
            "paragraph_partners": Paragraph.partners.through.objects.filter(
                paragraph__resolution=pk
            ),
            "meetings": ExpertGroupMeeting.mandated_by.through.objects.filter(resolution=pk),
            "page_entries": PageEntry.objects.filter(resolution=pk),
            "open_questions": OpenQuestion.resolutions.through.objects.filter(resolution=pk),
        }
        flags = {f"has_{name}": Exists(exists[name]) for name in model.RARE_LINKS}
        return self.annotate(**flags).values_list(
            *model.page_fields(),
            *(f"body__{name}" for name in model.PAGE_BODY_FIELDS),
            *(f"body__parent__{name}" for name in model.PAGE_PARENT_FIELDS),
            *flags,
        )

    def relevance_counts(self):
        """{relevance: n} for every relevance (0 where none): one grouped query."""
        counts = dict.fromkeys(Resolution.Relevance.values, 0)
        rows = self.order_by().values_list("relevance").annotate(n=Count("*"))
        counts.update(rows.values_list("relevance", "n"))
        return counts

    def year_counts(self):
        """[(year, n), ...], newest first: one grouped query."""
        return list(
            self.order_by("-year")
            .values_list("year")
            .annotate(n=Count("*"))  # COUNT(*): the (year, body) index alone answers it
            .values_list("year", "n")
        )

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
                    queryset=ResolutionCitation.objects.filter(cited__is_synthetic=False)
                    .select_related("cited__body")
                    .order_by("relation", "cited__year", "cited_id"),
                ),
                Prefetch("partners", queryset=_partner_model().objects.order_by("acronym")),
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
                    queryset=_instrument_model().objects.only("slug", "short_name"),
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


class SearchDocumentDeferred(models.Manager):
    """The stored search document (PostgreSQL) is read by the database's own matching and
    ranking only: never loaded into Python, where it would cost about a kB a row."""

    def get_queryset(self):
        return super().get_queryset().defer("search_document")


def _instrument_model():
    from instruments.models import Instrument

    return Instrument


def _partner_model():
    from partners.models import Partner

    return Partner


# reference_list()'s SQL by (database, model, columns read, ordering): (sql, column names).
_reference_sql = {}


def reference_list(queryset):
    """list(queryset), for a whole reference list (bodies, instruments, partners...: a queryset
    of one model, perhaps only() some columns, perhaps ordered, never filtered), with its SQL
    compiled once per process. The list filters read three such lists a request, to check
    the values given and draw the facets; the ORM took five times longer to build and compile
    each query than the database to answer it. Any other queryset is simply listed."""
    query = queryset.query
    plain = not (
        query.where
        or query.select_related
        or query.annotations
        or query.extra
        or query.distinct
        or query.low_mark
        or query.high_mark is not None
        or queryset._prefetch_related_lookups
        or queryset._fields is not None  # values(), values_list()
        or query.combinator
    )
    if not plain:
        return list(queryset)
    fields, defer = query.deferred_loading
    ordering = (query.default_ordering, query.standard_ordering, tuple(map(str, query.order_by)))
    key = (queryset.db, queryset.model, frozenset(fields), defer, ordering)
    compiled = _reference_sql.get(key)
    if compiled is None:
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        names = tuple(column.target.attname for column, _sql, _alias in compiler.select)
        compiled = _reference_sql[key] = (sql, tuple(params), names)
    sql, params, names = compiled
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Resolution._record(queryset.db, queryset.model, names, row) for row in rows]


class Resolution(Publishable, Sourced):
    """A resolution of a body, as the body numbers it, with the mandates it gives."""

    KEY_FIELDS = ("number", "title", "adopted_on", "year")

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("resolution")
        DECISION = "decision", _("decision")

    class Relevance(models.TextChoices):
        UNODC = "unodc", _("Mandates UNODC")
        RELATED = "related", _("Related")

    class AdoptionMode(models.TextChoices):
        WITHOUT_VOTE = "without-vote", _("Without a vote")
        UNANIMOUS = "unanimous", _("Unanimously")
        RECORDED_VOTE = "recorded-vote", _("Recorded vote")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.RESOLUTION)
    number = models.CharField(
        max_length=30,
        blank=True,
        help_text='As the body writes it: "74/175", "2347 (2017)", "2010/19". Empty while no '
        "source shows it.",
    )
    slug = models.SlugField(
        max_length=40,
        blank=True,
        help_text='The URL segment: made from the number ("2347 (2017)" -> "2347-2017"); '
        'without a number, give one from the date ("2018-12-13").',
    )
    symbol = models.CharField(
        max_length=40,
        blank=True,
        help_text='Document symbol where it has one: "A/RES/74/175", "S/RES/2347 (2017)".',
    )
    contained_in = models.CharField(
        max_length=60,
        blank=True,
        help_text='Symbol of the report that contains it, if it has none: "CTOC/COP/2012/15".',
    )
    contained_in_title = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=500, blank=True, help_text="Empty while unknown.")
    adopted_on = models.DateField(null=True, blank=True, help_text="Empty while unknown.")
    year = models.PositiveSmallIntegerField(help_text="Year of adoption (always known).")
    session = models.CharField(max_length=300, blank=True)
    meeting = models.CharField(max_length=100, blank=True)
    adoption_mode = models.CharField(max_length=20, choices=AdoptionMode, blank=True)
    adoption_note = models.CharField(max_length=300, blank=True)
    official_url = models.URLField(
        blank=True, help_text="Only where the symbol does not lead to the text."
    )
    press_release = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)
    relevance = models.CharField(
        max_length=10,
        choices=Relevance,
        default=Relevance.RELATED,
        db_index=True,
        help_text="Mandates UNODC: listed on the UNODC mandates page, or addresses UNODC. "
        "Related: the wider UN framework on cultural property.",
    )
    instruments = models.ManyToManyField(
        "instruments.Instrument",
        through="ResolutionInstrument",
        blank=True,
        related_name="resolutions",
    )
    partners = models.ManyToManyField(
        "partners.Partner",
        blank=True,
        related_name="resolutions",
        help_text="Partner organisations the resolution names.",
    )
    cites = models.ManyToManyField(
        "self",
        through="ResolutionCitation",
        symmetrical=False,
        blank=True,
        related_name="cited_by",
    )
    is_synthetic = models.BooleanField(
        default=False, db_index=True, help_text="Generated for load testing, not real."
    )
    # PostgreSQL only: RESOLUTION_SEARCH_VECTOR plus its paragraphs' text (weight D), stored
    # and GIN-indexed. Triggers recompute it whenever the resolution or its paragraphs change
    # (migration 0005), so no code path can forget it; it is not part of backups, fixtures or
    # the history (recomputed on restore). Empty on SQLite.
    search_document = SearchVectorField(null=True, blank=True, editable=False, serialize=False)
    history = HistoricalRecords(
        m2m_fields=[partners], excluded_fields=["search_document", "version"]
    )

    objects = SearchDocumentDeferred.from_queryset(ResolutionQuerySet)()

    class Meta:
        ordering = ["-year", F("adopted_on").desc(nulls_last=True), "body__position", "number"]
        permissions = [("publish_resolution", "Can publish resolutions")]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "number"],
                condition=~Q(number=""),
                name="resolution_unique_number",
                violation_error_message="This body already has a resolution with this number.",
            ),
            models.UniqueConstraint(fields=["body", "slug"], name="resolution_unique_slug"),
            models.UniqueConstraint(
                fields=["symbol"],
                condition=~Q(symbol=""),
                name="resolution_unique_symbol",
                violation_error_message="Another resolution already has this symbol.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100),
                name="resolution_year_range",
                violation_error_message="The year must be between 1945 and 2100.",
            ),
            models.CheckConstraint(
                condition=Q(adopted_on__isnull=True) | Q(adopted_on__year=F("year")),
                name="resolution_adopted_in_year",
                violation_error_message="The adoption date must fall in the year of adoption.",
            ),
        ]
        indexes = [
            # A year range, alone or with bodies: the list's year filter and the body facet.
            models.Index(fields=["year", "body"], name="resolution_year_body"),
            # Bodies, with or without a year range: the body filter, read in year order for
            # the newest-first page, and the year facet. With the id (PostgreSQL; SQLite's
            # indexes hold it anyway), the link facets' "id IN (SELECT id ... WHERE body, years)"
            # is an index-only scan: 7 ms to 4 ms for the facets at 100,000 rows.
            models.Index(fields=["body", "year"], name="resolution_body_year", include=["id"]),
        ]

    def __str__(self):
        return f"{self.body.code} {self.number or self.slug}"

    def natural_key(self):
        return (self.body.code, self.slug)

    @staticmethod
    def slug_for(number):
        """The URL segment of a number: "2347 (2017)" -> "2347-2017", "74/175" -> "74-175"."""
        return number.replace("/", "-").replace(" (", "-").replace(")", "").lower()

    def save(self, *args, **kwargs):
        if self.number:
            self.slug = self.slug_for(self.number)
        super().save(*args, **kwargs)

    natural_key.dependencies = ["mandates.body", "instruments.instrument", "partners.partner"]

    def get_absolute_url(self):
        return slug_url("mandates:resolution-detail", self.body.slug, self.slug)

    def clean(self):
        errors = errors_of(super().clean)
        body = self.body if self.body_id else None
        match = body.match_number(self.number) if body and self.number else None
        if not self.number and not self.slug:
            errors["slug"] = "Without a number, give the URL segment (e.g. the date, 2018-12-13)."
        if body and self.number and not match:
            errors["number"] = f"“{self.number}” is not how the {body.name} numbers resolutions."
        if match and "year" in match.groupdict() and self.year and int(match["year"]) != self.year:
            errors["year"] = f"The number {self.number} says {match['year']}."
        if body and self.symbol:
            expected = body.symbol_for(self.number)
            if not expected:
                errors["symbol"] = (
                    f"Resolutions of the {body.code} have no symbol of their own: "
                    "give the report that contains it instead."
                )
            elif match and self.symbol != expected:
                errors["symbol"] = f"Resolution {self.number} of the {body.code} is {expected}."
        if self.adopted_on and self.year and self.adopted_on.year != self.year:
            errors["adopted_on"] = f"The adoption date must fall in {self.year}."
        if body:
            errors.update(session_errors(body.code, self.session, self.number, self.year))
        if errors:
            raise ValidationError(errors)

    # --- presentation helpers (no query: they read the resolution and its body alone)

    @property
    def display_symbol(self):
        return self.symbol or self.contained_in

    @property
    def official_links(self):
        """The official text in the six UN languages, one symbol, one link a language."""
        symbol = self.symbol or self.contained_in
        return undocs_links(symbol) if symbol else []

    @property
    def designation(self):
        """ "resolution 2199 (2015)", "decision 2009/246", or, without a number, "resolution of
        13 December 2018 (number not established)", in the page's language."""
        kind = self.get_kind_display()
        if self.number:
            return gettext("%(kind)s %(number)s") % {"kind": kind, "number": self.number}
        when = date_format(self.adopted_on, "j F Y") if self.adopted_on else self.year
        return gettext("%(kind)s of %(date)s (number not established)") % {
            "kind": kind,
            "date": when,
        }

    @property
    def citation(self):
        """A copy-ready citation in the page's language: "Security Council resolution 2199
        (2015)", "résolution 2199 (2015) du Conseil de sécurité" (UN usage in each language)."""
        if get_language() == "fr" and self.body.of_name_fr:
            text = f"{self.designation} {self.body.of_name_fr}"
        else:
            text = f"{self.body.name} {self.designation}"
        if not self.symbol and self.contained_in:
            text += gettext(", contained in %(symbol)s") % {"symbol": self.contained_in}
        return text

    def paragraph_citation(self, paragraph_number):
        if paragraph_number is None:
            return self.citation + gettext(", paragraph number not established")
        return self.citation + gettext(", para. %(number)s") % {"number": paragraph_number}

    @property
    def meeting_display(self):
        """The meeting in the page's language: "7379th meeting", "7379e séance"."""
        match = re.fullmatch(r"(\d+)(?:st|nd|rd|th) (plenary )?meeting", self.meeting)
        if not match:
            return self.meeting
        if match[2]:
            return gettext("%(number)s plenary meeting") % {"number": nth(match[1])}
        return gettext("%(number)s meeting") % {"number": nth(match[1])}

    # --- the record page: the resolution and everything linked to it

    # The SQL of the record page's queries, by (database alias, query name): (sql, its
    # parameters: a name from _STAND_INS or a constant). The ORM builds and compiles each query
    # once per process, with stand-in parameters; every request then runs that SQL afresh with
    # its own. Building and compiling a queryset costs about half a millisecond of Python,
    # running one of these on its index a few microseconds: with get() and prefetch_related(),
    # the page's twelve queries were most of its time. Only SQL text is kept here, never a row.
    _page_sql = {}
    _STAND_INS = {"pk": (-1, -2), "body": ("body-1", "body-2"), "slug": ("slug-1", "slug-2")}
    # What the page reads of its resolution's body and of the body's parent (for_detail()).
    PAGE_BODY_FIELDS = (
        "id",
        "code",
        "name",
        "slug",
        "parent_id",
        "name_fr",
        "code_fr",
        "of_name_fr",
    )
    PAGE_PARENT_FIELDS = ("id", "code", "slug")
    # What it reads of the resolution at the other end of a citation, and of that one's body.
    _CITATION_END = ("id", "body_id", "kind", "number", "slug", "symbol", "contained_in", "title")
    _CITATION_END += ("year", "adopted_on")
    _CITATION_END_BODY = ("id", "code", "name", "slug", "position", "code_fr", "of_name_fr")

    @classmethod
    def page_fields(cls):
        """The resolution's columns a record page reads: all but the search document."""
        return tuple(f.attname for f in cls._meta.concrete_fields if f.attname != "search_document")

    @classmethod
    def _page_query(cls, cursor, name, build, **params):
        """The rows of the values_list queryset build(**stand-ins), run with `params` in their
        place. Its columns must need no converter but a field's own from_db_value() (applied by
        _record()): text, numbers, booleans and dates come from both database drivers as Python
        values."""
        key = (cursor.db.alias, name)
        compiled = cls._page_sql.get(key)
        if compiled is None:
            # Compiled with two sets of stand-ins: the parameters that differ are the query's
            # own; those that do not are constants of the SQL (the LIMIT 1 of an EXISTS).
            first, second = (
                build(**{param: cls._STAND_INS[param][i] for param in params})
                .query.get_compiler(using=key[0])
                .as_sql()
                for i in (0, 1)
            )
            assert first[0] == second[0], name
            slots = []
            for one, other in zip(first[1], second[1], strict=True):
                if one == other:
                    slots.append((None, one))
                else:
                    slots.append(
                        (next(p for p in params if cls._STAND_INS[p] == (one, other)), None)
                    )
            compiled = cls._page_sql[key] = (first[0], slots)
        sql, slots = compiled
        cursor.execute(sql, [value if param is None else params[param] for param, value in slots])
        return cursor.fetchall()

    # How _record() lays a row's values out on a model's fields, by (model, column names):
    # (the position of each field's value in the row, or None; the fields to convert). Made once
    # per process: it depends on the schema alone.
    _record_layouts = {}

    @staticmethod
    def _record(db, model, names, values):
        """A `model` instance from the values of its columns `names` (a tuple; `values` may run
        on), as the ORM makes one from a row: through the field's from_db_value() where it has
        one (JSON); the fields not read are deferred (a query if used, never a silent default).

        What Model.from_db() makes, without Model.__init__() where no pre_init or post_init
        receiver listens for the model (none does today): its state, then its values set
        straight into the instance's __dict__, as __init__ would set them. A record page makes
        twenty to fifty instances; __init__ was 3% of its instructions."""
        layout = Resolution._record_layouts.get((model, names))
        if layout is None:
            position = {name: i for i, name in enumerate(names)}
            fields = model._meta.concrete_fields
            converted = [
                (i, field)
                for i, field in enumerate(fields)
                if field.attname in position and hasattr(field, "from_db_value")
            ]
            set_fields = [
                (field.attname, position[field.attname])
                for field in fields
                if field.attname in position
            ]
            plain = not (
                models.signals.pre_init.has_listeners(model)
                or models.signals.post_init.has_listeners(model)
            )
            positions = [position.get(field.attname) for field in fields]
            layout = (positions, converted, set_fields if plain else None)
            Resolution._record_layouts[model, names] = layout
        positions, converted, set_fields = layout
        if set_fields is None or converted:
            deferred = models.DEFERRED
            row = [deferred if i is None else values[i] for i in positions]
            for i, field in converted:
                row[i] = field.from_db_value(row[i], None, connections[db])
            return model.from_db(db, None, row)
        instance = model.__new__(model)
        state = instance._state = models.base.ModelState()
        state.adding, state.db = False, db
        attributes = instance.__dict__
        for name, i in set_fields:
            attributes[name] = values[i]
        return instance

    @staticmethod
    def _label(choices, value):
        """The label of `value` among `choices` in the active language, as get_FOO_display()."""
        return _choice_labels(choices, get_language()).get(value, value)

    @classmethod
    def for_page(cls, body_slug, slug):
        """The resolution at /resolutions/<body_slug>/<slug>/, with its body and the body's
        parent, or None: one query (for_detail())."""
        db = router.db_for_read(cls)
        with connections[db].cursor() as cursor:
            rows = cls._page_query(
                cursor,
                "resolution",
                lambda body, slug: (
                    cls.objects.for_detail().filter(body__slug=body, slug=slug).order_by()
                ),
                body=body_slug,
                slug=slug,
            )
        if not rows:
            return None
        row = rows[0]
        fields, body_fields = cls.page_fields(), cls.PAGE_BODY_FIELDS
        start = len(fields) + len(body_fields)
        resolution = cls._record(db, cls, fields, row[: len(fields)])
        if resolution.updated_at is not None and timezone.is_naive(resolution.updated_at):
            # SQLite's driver gives the stored UTC time without its zone, as the ORM reads it.
            resolution.updated_at = timezone.make_aware(resolution.updated_at, datetime.UTC)
        resolution.body = cls._record(db, Body, body_fields, row[len(fields) : start])
        if resolution.body.parent_id is not None:
            resolution.body.parent = cls._record(db, Body, cls.PAGE_PARENT_FIELDS, row[start:])
        flags = row[start + len(cls.PAGE_PARENT_FIELDS) :]
        resolution.rare_links = {
            name: bool(flag) for name, flag in zip(cls.RARE_LINKS, flags, strict=True)
        }
        return resolution

    # The list's page query by (database alias, ordering): (SQL with _CONDITION in the place of
    # the WHERE condition, the resolution's columns, the body's). See list_rows().
    _list_sql = {}
    _CONDITION = "(__list_condition__)"
    LIST_FIELDS = ("id", "number", "slug", "symbol", "contained_in", "title", "summary")
    LIST_FIELDS += ("adopted_on", "year", "verification", "body_id")
    LIST_BODY_FIELDS = ("id", "code", "name", "slug")

    @classmethod
    def list_rows(cls, condition, ordering, limit=None, offset=0):
        """A page of the resolution list: the resolutions meeting `condition` ((sql, params)
        on the resolutions table's own columns, or None for all), in `ordering` (a tuple of
        ORM order_by() terms), `limit` (None: all) from `offset`, each with its body; the columns
        ResolutionQuerySet.for_list_page() reads.

        The list's filters are compiled once a request already, for the facets
        (ResolutionFilter.conditions()); the rest of the query (columns, join, order) is
        compiled by the ORM once per process and ordering. As a queryset, building the
        page's query and its fifty instances cost eight times what the database took.
        """
        db = router.db_for_read(cls)
        key = (db, ordering)
        compiled = cls._list_sql.get(key)
        if compiled is None:
            body_fields = tuple(f"body__{name}" for name in cls.LIST_BODY_FIELDS)
            stand_in = models.expressions.RawSQL(
                cls._CONDITION, [], output_field=models.BooleanField()
            )
            queryset = (
                cls.objects.filter(stand_in)
                .order_by(*ordering)
                .values_list(*cls.LIST_FIELDS, *body_fields)
            )
            sql, params = queryset.query.get_compiler(using=db).as_sql()
            assert not params and sql.count(cls._CONDITION) == 1, sql
            compiled = cls._list_sql[key] = sql
        sql, params = compiled, []
        if condition is None:
            sql = sql.replace(cls._CONDITION, "1 = 1")
        else:
            sql = sql.replace(cls._CONDITION, f"({condition[0]})")
            params = list(condition[1])
        with connections[db].cursor() as cursor:
            if limit is not None:
                sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        fields, body_fields, split = cls.LIST_FIELDS, cls.LIST_BODY_FIELDS, len(cls.LIST_FIELDS)
        bodies, resolutions = {}, []
        for row in rows:
            resolution = cls._record(db, cls, fields, row[:split])
            body = bodies.get(resolution.body_id)
            if body is None:
                body = bodies[resolution.body_id] = cls._record(db, Body, body_fields, row[split:])
            resolution.body = body
            resolutions.append(resolution)
        return resolutions

    # linked()'s queries: one statement for what every page shows (_common_links()), then one
    # for each kind of rare link (a few in ten thousand synthetic records, bar citations), only
    # when for_detail()'s flags say it has some: running a query that finds nothing costs a
    # round trip and, on PostgreSQL, its planning (the citations' four joins take longer to plan
    # than to run), where the flag's EXISTS costs the main query next to nothing.
    _PARAGRAPH_TAGS = ("addressees", "assisted_by", "activities", "paragraph_partners")
    _COMMON_LINKS = ("paragraphs", *_PARAGRAPH_TAGS, "instrument_links", "partners")
    RARE_LINKS = ("citations", "paragraph_partners", "meetings", "page_entries", "open_questions")
    _RARE_QUERIES = ("citations", "meetings", "page_entries", "open_questions")

    @staticmethod
    def _linked_queryset(name, pk):
        """The values_list queryset `name` of the rows linked to resolution `pk`, in its model's
        default order (as prefetch_related() would read them). Built only to be compiled, by
        the first request of a process."""
        ends = ("citing", "cited")
        end_fields = [f"{end}__{name}" for end in ends for name in Resolution._CITATION_END]
        end_fields += [
            f"{end}__body__{name}" for end in ends for name in Resolution._CITATION_END_BODY
        ]
        querysets = {
            # Both ways in one query: what it cites and what cites it; "pk" orders the ties.
            "citations": ResolutionCitation.objects.filter(Q(citing=pk) | Q(cited=pk))
            .order_by(*ResolutionCitation._meta.ordering, "pk")
            .values_list("id", "relation", "note", "citing_id", "cited_id", *end_fields),
            "meetings": ExpertGroupMeeting.objects.filter(mandated_by=pk).values_list(
                "id", "group_id", "number", "starts_on", "place", "report_symbol", "group__slug"
            ),
            "page_entries": PageEntry.objects.filter(resolution=pk).values_list(
                "id", "position", "title", "reference", "mapping_confidence", "mapping_reason"
            ),
            "open_questions": OpenQuestion.objects.filter(resolutions=pk).values_list(
                "id", "question", "status"
            ),
        }
        return querysets[name]

    # _common_links()'s statement, by (database vendor, with paragraph partners or not).
    _common_sql = {}

    @staticmethod
    def _common_links(cursor, pk, paragraph_partners=True):
        """What every record page shows of resolution `pk`, in one statement rather than five
        (a round trip each, on PostgreSQL, and there each a fifth of the page's time): its
        paragraphs, their addressees, activities and partners, its instrument links and its
        partners. {"paragraphs": [(id, number, summary, verb, cited_on_page, verification,
        position, in_annex)], "addressees", "assisted_by" and "activities": [(paragraph id, name)],
        "paragraph_partners": [(paragraph id, id, slug, acronym)], "instrument_links": [(id,
        relation, note, instrument id, slug, short name, title)], "partners": [(id, slug,
        acronym, full name)]}, each in its model's order, as the ORM would read them.

        A UNION ALL of one SELECT a kind, each filling the columns it needs: (kind, id, parent,
        number, flag, five texts, then three sort keys). The first SELECT types the columns
        (PostgreSQL matches a UNION's column types). Paragraph partners are rare: the branch is
        left out when for_detail()'s flag says there are none."""
        key = (cursor.db.vendor, paragraph_partners)
        sql = Resolution._common_sql.get(key)
        if sql is None:
            sql = Resolution._common_sql[key] = Resolution._common_links_sql(paragraph_partners)
        cursor.execute(sql, [pk] * sql.count("%s"))
        links = {name: [] for name in Resolution._COMMON_LINKS}
        for kind, id_, parent, number, flag, s1, s2, s3, s4, s5 in cursor.fetchall():
            if kind == "paragraphs":  # position in `parent`; cited_on_page + 2 * in_annex in `flag`
                cited, in_annex = bool(flag & 1), bool(flag & 2)
                links[kind].append((id_, number, s1, s2, cited, s3, parent, in_annex))
            elif kind in ("addressees", "assisted_by", "activities"):
                links[kind].append((parent, s1))
            elif kind == "paragraph_partners":
                links[kind].append((parent, id_, s1, s2))
            elif kind == "instrument_links":
                links[kind].append((id_, s1, s2, parent, s3, s4, s5))
            else:
                links[kind].append((id_, s1, s2, s3))
        return links

    @staticmethod
    def _common_links_sql(paragraph_partners):
        q = connection.ops.quote_name
        partner = _partner_model()._meta
        paragraphs = q(Paragraph._meta.db_table)
        rid, pid = q("resolution_id"), q("paragraph_id")

        def select(kind, *columns):
            """(kind, id, parent, number, flag, s1..s5, o1, o2, o3): NULL where not given."""
            values = dict.fromkeys(
                ("id", "parent", "number", "flag", "s1", "s2", "s3", "s4", "s5", "o1", "o2", "o3"),
                "NULL",
            )
            values.update(columns)
            return f"SELECT '{kind}' AS kind, " + ", ".join(
                f"{value} AS {name}" for name, value in values.items()
            )

        def tag(kind, through, column, model):
            return (
                select(
                    kind,
                    ("parent", f"t.{pid}"),
                    ("s1", f"x.{q('name')}"),
                    ("o1", f"x.{q('position')}"),
                    ("o2", f"x.{q('name')}"),
                )
                + f" FROM {q(through._meta.db_table)} t"
                f" JOIN {q(model._meta.db_table)} x ON x.{q('id')} = t.{q(column)}"
                f" JOIN {paragraphs} p ON p.{q('id')} = t.{pid} WHERE p.{rid} = %s"
            )

        text = "CAST({} AS TEXT)".format
        branches = [
            # Paragraphs by position (a paragraph's number may be unknown).
            select(
                "paragraphs",
                ("id", "CAST(p.{} AS BIGINT)".format(q("id"))),
                ("parent", "CAST(p.{} AS BIGINT)".format(q("position"))),
                ("number", "CAST(p.{} AS INTEGER)".format(q("number"))),
                (
                    "flag",
                    f"CAST(p.{q('cited_on_page')} AS INTEGER)"
                    f" + 2 * CAST(p.{q('in_annex')} AS INTEGER)",
                ),
                ("s1", text(f"p.{q('summary')}")),
                ("s2", text(f"p.{q('verb')}")),
                ("s3", text(f"p.{q('verification')}")),
                ("s4", text("NULL")),
                ("s5", text("NULL")),
                ("o1", "CAST(p.{} AS INTEGER)".format(q("position"))),
                ("o2", text("NULL")),
                ("o3", text("NULL")),
            )
            + f" FROM {paragraphs} p WHERE p.{rid} = %s",
            # Addressees and activities by position and name (Lookup's ordering).
            tag("addressees", Paragraph.addressees.through, "addressee_id", Addressee),
            tag("assisted_by", Paragraph.assisted_by.through, "addressee_id", Addressee),
            tag("activities", Paragraph.activities.through, "activity_id", Activity),
        ]
        if paragraph_partners:
            # Partners by acronym (Partner's ordering).
            branches.append(
                select(
                    "paragraph_partners",
                    ("id", f"x.{q('id')}"),
                    ("parent", f"t.{pid}"),
                    ("s1", f"x.{q('slug')}"),
                    ("s2", f"x.{q('acronym')}"),
                    ("o1", "0"),
                    ("o2", f"x.{q('acronym')}"),
                )
                + f" FROM {q(Paragraph.partners.through._meta.db_table)} t"
                f" JOIN {q(partner.db_table)} x ON x.{q('id')} = t.{q('partner_id')}"
                f" JOIN {paragraphs} p ON p.{q('id')} = t.{pid} WHERE p.{rid} = %s"
            )
        instrument = _instrument_model()._meta
        branches += [
            # Instrument links by the instrument's slug, then relation (their ordering).
            select(
                "instrument_links",
                ("id", f"l.{q('id')}"),
                ("parent", f"l.{q('instrument_id')}"),
                ("s1", f"l.{q('relation')}"),
                ("s2", f"l.{q('note')}"),
                ("s3", f"i.{q('slug')}"),
                ("s4", f"i.{q('short_name')}"),
                ("s5", f"i.{q('title')}"),
                ("o1", "0"),
                ("o2", f"i.{q('slug')}"),
                ("o3", f"l.{q('relation')}"),
            )
            + f" FROM {q(ResolutionInstrument._meta.db_table)} l"
            f" JOIN {q(instrument.db_table)} i ON i.{q('id')} = l.{q('instrument_id')}"
            f" WHERE l.{rid} = %s",
            # Partners by acronym.
            select(
                "partners",
                ("id", f"x.{q('id')}"),
                ("s1", f"x.{q('slug')}"),
                ("s2", f"x.{q('acronym')}"),
                ("s3", f"x.{q('full_name')}"),
                ("o1", "0"),
                ("o2", f"x.{q('acronym')}"),
            )
            + f" FROM {q(Resolution.partners.through._meta.db_table)} l"
            f" JOIN {q(partner.db_table)} x ON x.{q('id')} = l.{q('partner_id')}"
            f" WHERE l.{rid} = %s",
        ]
        return (
            "SELECT kind, id, parent, number, flag, s1, s2, s3, s4, s5 FROM ("
            + " UNION ALL ".join(branches)
            + ") links ORDER BY kind, o1, o2, o3"
        )

    def linked(self):
        """Everything linked to the resolution that its record page shows, as model instances
        in the page's order: one statement for its paragraphs (with their tags), instrument links
        and partners, then one for each kind of rare link it has; at most five whatever the
        number of rows.

        paragraphs (each with verb_label, addressee_names, assisting_names (the bodies named as a
        source of assistance), activity_names and named_partners),
        instrument_links (with relation_label and the instrument), partners, cites and cited_by
        (ResolutionCitation, with relation_label and the resolution at the other end, with its
        body), meetings (with their group), page_entries, open_questions. Each linked record
        shown as a link carries its address in `url`, made once for the lists and the drawing.
        """
        db, pk, record = self._state.db, self.pk, Resolution._record
        instrument_model, partner_model = _instrument_model(), _partner_model()
        rows = {}
        with connections[db].cursor() as cursor:
            # The flags for_page() read (every query runs for a resolution fetched otherwise).
            present = getattr(self, "rare_links", {})
            rows.update(
                Resolution._common_links(cursor, pk, present.get("paragraph_partners", True))
            )
            for name in Resolution._RARE_QUERIES:
                if not present.get(name, True):
                    rows[name] = []
                    continue
                build = functools.partial(Resolution._linked_queryset, name)
                rows[name] = Resolution._page_query(cursor, name, build, pk=pk)

        tags = {name: {} for name in Resolution._PARAGRAPH_TAGS}
        for name in ("addressees", "assisted_by", "activities"):
            for paragraph_id, tag in rows[name]:
                tags[name].setdefault(paragraph_id, []).append(tag)
        for paragraph_id, *values in rows["paragraph_partners"]:
            partner = record(db, partner_model, ("id", "slug", "acronym"), values)
            tags["paragraph_partners"].setdefault(paragraph_id, []).append(partner)
        paragraphs = []
        names = ("id", "number", "summary", "verb", "cited_on_page", "verification", "position")
        names += ("in_annex",)
        for values in rows["paragraphs"]:
            paragraph = record(db, Paragraph, names, values)
            paragraph.resolution = self
            verb = paragraph.verb
            paragraph.verb_label = Resolution._label(Paragraph.Verb, verb).lower() if verb else ""
            paragraph.addressee_names = tags["addressees"].get(paragraph.pk, [])
            paragraph.assisting_names = tags["assisted_by"].get(paragraph.pk, [])
            paragraph.activity_names = tags["activities"].get(paragraph.pk, [])
            paragraph.named_partners = tags["paragraph_partners"].get(paragraph.pk, [])
            paragraphs.append(paragraph)

        instrument_links = []
        for link_pk, relation, note, *values in rows["instrument_links"]:
            link = record(
                db,
                ResolutionInstrument,
                ("id", "resolution_id", "relation", "note", "instrument_id"),
                (link_pk, pk, relation, note, values[0]),
            )
            link.relation_label = Resolution._label(ResolutionInstrument.Relation, relation)
            fields = ("id", "slug", "short_name", "title")
            link.instrument = record(db, instrument_model, fields, values)
            link.instrument.url = link.instrument.get_absolute_url()
            instrument_links.append(link)

        partners = []
        for values in rows["partners"]:
            partner = record(db, partner_model, ("id", "slug", "acronym", "full_name"), values)
            partner.url = partner.get_absolute_url()
            partners.append(partner)

        cites, cited_by = [], []
        width = len(Resolution._CITATION_END)
        body_width = len(Resolution._CITATION_END_BODY)
        for row in rows["citations"]:
            link = record(
                db, ResolutionCitation, ("id", "relation", "note", "citing_id", "cited_id"), row
            )
            link.relation_label = Resolution._label(ResolutionCitation.Relation, link.relation)
            outgoing = link.citing_id == pk
            # The other end's columns, then its body's: citing first, cited second.
            start = 5 + (width if outgoing else 0)
            other = record(db, Resolution, Resolution._CITATION_END, row[start:])
            start = 5 + 2 * width + (body_width if outgoing else 0)
            other.body = record(db, Body, Resolution._CITATION_END_BODY, row[start:])
            other.url = other.get_absolute_url()
            if outgoing:
                link.citing, link.cited = self, other
                cites.append(link)
            else:
                link.citing, link.cited = other, self
                cited_by.append(link)

        meetings = []
        names = ("id", "group_id", "number", "starts_on", "place", "report_symbol")
        for *values, group_slug in rows["meetings"]:
            meeting = record(db, ExpertGroupMeeting, names, values)
            meeting.group = record(db, ExpertGroup, ("id", "slug"), (meeting.group_id, group_slug))
            meetings.append(meeting)

        names = ("id", "position", "title", "reference", "mapping_confidence", "mapping_reason")
        page_entries = [record(db, PageEntry, names, values) for values in rows["page_entries"]]
        names = ("id", "question", "status")
        questions = [record(db, OpenQuestion, names, values) for values in rows["open_questions"]]
        return {
            "paragraphs": paragraphs,
            "instrument_links": instrument_links,
            "partners": partners,
            "cites": cites,
            "cited_by": cited_by,
            "meetings": meetings,
            "page_entries": page_entries,
            "open_questions": questions,
        }


@functools.lru_cache(maxsize=64)
def _choice_labels(choices, language):
    """{value: label} of a choices enum in `language` (the active one), translated once: the
    record page reads a dozen labels, each a lazy translation costing a catalog lookup."""
    return {member.value: str(member.label) for member in choices}


class ResolutionInstrumentQuerySet(models.QuerySet):
    def get_by_natural_key(self, body_code, slug, instrument_slug, relation):
        return self.get(
            resolution__body__code=body_code,
            resolution__slug=slug,
            instrument__slug=instrument_slug,
            relation=relation,
        )


class ResolutionInstrument(Versioned):
    """A typed link from a resolution to an instrument."""

    class Relation(models.TextChoices):
        ADOPTS = "adopts", _("Adopts")
        ENDORSES = "endorses", _("Endorses")
        IMPLEMENTS = "implements", _("Implements")
        REFERS_TO = "refers-to", _("Refers to")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.CASCADE, related_name="instrument_links"
    )
    instrument = models.ForeignKey(
        "instruments.Instrument", on_delete=models.CASCADE, related_name="resolution_links"
    )
    relation = models.CharField(max_length=20, choices=Relation)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ResolutionInstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["instrument__slug", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "instrument", "relation"], name="resolution_instrument_unique"
            )
        ]

    def __str__(self):
        return f"{self.resolution} {self.get_relation_display().lower()} {self.instrument}"

    def natural_key(self):
        return (*self.resolution.natural_key(), self.instrument.slug, self.relation)

    natural_key.dependencies = ["mandates.resolution", "instruments.instrument"]


class ResolutionTally(models.Model):
    """How many resolutions a (body, year) holds: in all (kind "r"), and linked to each
    instrument ("i") or partner ("p", `linked_id` names it). Derived data, kept by database
    triggers that mandates/tally.py installs after every migrate, and read by the list's facets
    (ResolutionFilter.facet_counts()) instead of counting the matching resolutions. Never
    written by the app, not in backups (restoring the records rebuilds it), not in the admin.
    A cell emptied by deletions stays, at zero."""

    class Kind(models.TextChoices):
        # Not translated: the tally is never shown.
        RESOLUTIONS = "r", "Resolutions"
        INSTRUMENT = "i", "Linked to an instrument"
        PARTNER = "p", "Naming a partner"

    kind = models.CharField(max_length=1, choices=Kind)
    # Plain numbers, no foreign keys: a tally row is not a link, and must not hold up (or
    # cascade from) the deletion of what it counts.
    body_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    linked_id = models.BigIntegerField(default=0, help_text="The instrument or partner; 0 for r.")
    resolutions = models.IntegerField()

    derived = True  # backup_records leaves it out

    class Meta:
        constraints = [
            # The triggers' ON CONFLICT target, and the facets' index (kind, then the cells).
            models.UniqueConstraint(
                fields=["kind", "body_id", "year", "linked_id"], name="tally_cell"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.body_id} {self.year} {self.linked_id}: {self.resolutions}"


class ResolutionCitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, body_code, slug, cited_body_code, cited_slug, relation):
        return self.get(
            citing__body__code=body_code,
            citing__slug=slug,
            cited__body__code=cited_body_code,
            cited__slug=cited_slug,
            relation=relation,
        )

    def recommendations(self):
        """ "Adopted on the recommendation of" links between real resolutions: the path of a
        text from a commission through ECOSOC to the General Assembly (1 query)."""
        return (
            self.filter(
                relation=ResolutionCitation.Relation.RECOMMENDED_BY,
                citing__is_synthetic=False,
                cited__is_synthetic=False,
            )
            .select_related("citing__body", "cited__body")
            .order_by("cited__year", "cited__body__position", "cited__number", "citing_id")
        )


class ResolutionCitation(Versioned):
    """A typed link from a resolution to an earlier one it recalls, reaffirms or welcomes."""

    class Relation(models.TextChoices):
        RECALLS = "recalls", _("Recalls")
        REAFFIRMS = "reaffirms", _("Reaffirms")
        WELCOMES = "welcomes", _("Welcomes")
        RECOMMENDED_BY = "recommended-by", _("Adopted on the recommendation of")
        REFERS_TO = "refers-to", _("Refers to")

    REVERSE_LABELS = {
        "recalls": _("Recalled by"),
        "reaffirms": _("Reaffirmed by"),
        "welcomes": _("Welcomed by"),
        "recommended-by": _("Recommended the draft adopted as"),
        "refers-to": _("Referred to by"),
    }

    citing = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="citation_links")
    cited = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="cited_by_links")
    relation = models.CharField(max_length=20, choices=Relation, default=Relation.RECALLS)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ResolutionCitationQuerySet.as_manager()

    class Meta:
        ordering = ["relation", "cited__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["citing", "cited", "relation"], name="resolution_citation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(citing=F("cited")),
                name="resolution_citation_not_self",
                violation_error_message="A resolution cannot cite itself.",
            ),
        ]

    def __str__(self):
        return f"{self.citing} {self.get_relation_display().lower()} {self.cited}"

    def natural_key(self):
        return (*self.citing.natural_key(), *self.cited.natural_key(), self.relation)

    natural_key.dependencies = ["mandates.resolution"]

    @property
    def reverse_label(self):
        return self.REVERSE_LABELS[self.relation]

    def clean(self):
        super().clean()
        if self.citing_id and self.citing_id == self.cited_id:
            raise ValidationError({"cited": "A resolution cannot cite itself."})


class ParagraphQuerySet(models.QuerySet):
    def get_by_natural_key(self, body_code, slug, position):
        return self.get(resolution__body__code=body_code, resolution__slug=slug, position=position)

    @staticmethod
    def _tagged_condition():
        """Tagged: an operative verb, or at least one addressee, activity or partner."""
        tags = (Paragraph.addressees.through, Paragraph.activities.through)
        condition = ~Q(verb="")
        for through in (*tags, Paragraph.partners.through):
            condition |= Exists(through.objects.filter(paragraph_id=OuterRef("pk")))
        return condition

    def tagged(self):
        return self.filter(self._tagged_condition())

    def untagged(self):
        return self.exclude(self._tagged_condition())

    def tagged_counts(self):
        """{"yes": tagged, "no": untagged}, one query."""
        condition = self._tagged_condition()
        return self.order_by().aggregate(
            yes=Count("pk", filter=condition), no=Count("pk", filter=~condition)
        )

    def for_listing(self):
        """Everything paragraph_list.html touches, newest resolution first (5 queries a page)."""
        return (
            self.select_related("resolution__body")
            .prefetch_related(
                "addressees",
                "assisted_by",
                "activities",
                Prefetch("partners", queryset=_partner_model().objects.only("slug", "acronym")),
            )
            .order_by(
                "-resolution__year",
                F("resolution__adopted_on").desc(nulls_last=True),
                "resolution__body__position",
                "resolution__number",
                "position",
            )
        )

    def for_mandate_in_brief(self):
        """The paragraphs of real resolutions addressed to UNODC or naming its assistance, oldest
        resolution first, each with its resolution and body, its activities and `to_unodc` (True
        if addressed to UNODC): the home page's "UNODC's mandate in brief" (4 queries)."""
        unodc = Q(addressees__slug=UNODC) | Q(assisted_by__slug=UNODC)
        return (
            self.filter(pk__in=Paragraph.objects.filter(unodc).values("pk"))
            .filter(resolution__is_synthetic=False)
            .select_related("resolution__body")
            .prefetch_related(
                "activities",
                Prefetch(
                    "addressees",
                    queryset=Addressee.objects.filter(slug=UNODC),
                    to_attr="unodc_addressed",
                ),
            )
            .order_by(
                "resolution__year",
                F("resolution__adopted_on").asc(nulls_last=True),
                "resolution__body__position",
                "resolution__number",
                "position",
            )
        )

    def mandate_in_brief(self):
        """What UNODC is asked to do, from the records: {"lines": [(activity or None, [paragraph])]
        for the paragraphs addressed to UNODC, by activity in the activities' order (None: those
        naming none, last), "assistance": [paragraph] naming UNODC's assistance without
        addressing it}. A paragraph with several activities is cited under each."""
        by_activity, other, assistance = {}, [], []
        for paragraph in self.for_mandate_in_brief():
            if not paragraph.unodc_addressed:
                assistance.append(paragraph)
                continue
            activities = list(paragraph.activities.all())
            for activity in activities:
                by_activity.setdefault(activity, []).append(paragraph)
            if not activities:
                other.append(paragraph)
        lines = sorted(by_activity.items(), key=lambda item: (item[0].position, item[0].name))
        if other:
            lines.append((None, other))
        return {"lines": lines, "assistance": assistance}


UNODC = "unodc"  # the Addressee slug of UNODC


class Paragraph(Sourced):
    """An operative paragraph a mandate rests on: what it asks, and of whom.

    Its number is the resolution's own; where no source shows it, it stays empty (never guessed)
    and ``position`` alone orders the paragraph among the others."""

    KEY_FIELDS = ("number", "summary")

    class Verb(models.TextChoices):
        DECIDES = "decides", _("Decides")
        REQUESTS = "requests", _("Requests")
        URGES = "urges", _("Urges")
        CALLS_UPON = "calls-upon", _("Calls upon")
        INVITES = "invites", _("Invites")
        ENCOURAGES = "encourages", _("Encourages")
        WELCOMES = "welcomes", _("Welcomes")
        CONDEMNS = "condemns", _("Condemns")
        NOTES = "notes", _("Notes")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="As the resolution numbers it. Empty while unknown."
    )
    position = models.PositiveSmallIntegerField(
        help_text="Its place among the resolution's paragraphs: the number, where there is one."
    )
    summary = models.TextField(
        blank=True,
        help_text="What the paragraph asks, in our words (not the official text). Empty while "
        "the text has not been seen.",
    )
    verb = models.CharField(_("operative verb"), max_length=20, choices=Verb, blank=True)
    addressees = models.ManyToManyField(
        Addressee, blank=True, related_name="paragraphs", help_text="Whom it asks to act."
    )
    assisted_by = models.ManyToManyField(
        Addressee,
        blank=True,
        related_name="assisting_paragraphs",
        help_text="Bodies it names as a source of assistance or support, without addressing them.",
    )
    partners = models.ManyToManyField(
        "partners.Partner", blank=True, related_name="paragraphs", help_text="Partners it names."
    )
    activities = models.ManyToManyField(Activity, blank=True, related_name="paragraphs")
    cited_on_page = models.BooleanField(
        default=False, help_text="The UNODC mandates page cites this paragraph."
    )
    in_annex = models.BooleanField(
        default=False,
        help_text="Numbered within the resolution's annex (e.g. a declaration it endorses).",
    )
    # PostgreSQL only: the summary's full-text document, stored by a trigger, GIN-indexed
    # (see Resolution.search_document).
    search_document = SearchVectorField(null=True, blank=True, editable=False, serialize=False)

    history = HistoricalRecords(
        m2m_fields=[addressees, assisted_by, partners, activities],
        excluded_fields=["search_document", "version"],
    )
    objects = SearchDocumentDeferred.from_queryset(ParagraphQuerySet)()

    class Meta:
        ordering = ["resolution", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "number"], name="paragraph_unique"),
            models.UniqueConstraint(
                fields=["resolution", "position"],
                name="paragraph_unique_position",
                violation_error_message="Another paragraph of this resolution has this position.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="paragraph_number_positive",
                violation_error_message="Paragraphs are numbered from 1.",
            ),
        ]

    def __str__(self):
        if self.number is None:
            return f"{self.resolution}, paragraph without established number ({self.position})"
        return f"{self.resolution}, para. {self.number}"

    def natural_key(self):
        return (*self.resolution.natural_key(), self.position)

    natural_key.dependencies = ["mandates.resolution", "mandates.addressee", "mandates.activity"]

    def save(self, *args, **kwargs):
        if self.position is None:
            self.position = self.number or 1 + max(
                (p.position for p in Paragraph.objects.filter(resolution_id=self.resolution_id)),
                default=0,
            )
        super().save(*args, **kwargs)

    @property
    def anchor(self):
        return f"para-{self.number}" if self.number is not None else f"passage-{self.position}"

    def get_absolute_url(self):
        return f"{self.resolution.get_absolute_url()}#{self.anchor}"

    @property
    def citation(self):
        if self.in_annex and self.number is not None:
            return self.resolution.citation + gettext(", annex, para. %(number)s") % {
                "number": self.number
            }
        return self.resolution.paragraph_citation(self.number)

    def derived_verification(self):
        """A paragraph whose text has not been established cannot be confirmed, whoever cites it."""
        if not self.summary:
            return Verification.UNVERIFIED
        return super().derived_verification()


# --- The expert group -------------------------------------------------------------------------


class ExpertGroupQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ExpertGroup(Sourced):
    KEY_FIELDS = ("name",)

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    convened_by = models.CharField(max_length=200, blank=True)
    reports_to = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="expert_groups"
    )
    summary = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ExpertGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["mandates.body"]

    def get_absolute_url(self):
        return slug_url("mandates:expert-group-detail", self.slug)


class ExpertGroupMeetingQuerySet(models.QuerySet):
    def get_by_natural_key(self, group_slug, number):
        return self.get(group__slug=group_slug, number=number)

    def for_timeline(self):
        return self.select_related("group").order_by("starts_on", "group__name", "number")


class ExpertGroupMeeting(Sourced):
    KEY_FIELDS = ("starts_on", "ends_on", "place")

    group = models.ForeignKey(ExpertGroup, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    place = models.CharField(max_length=100)
    report_symbol = models.CharField(max_length=100, blank=True)
    outcome = models.TextField(blank=True)
    mandated_by = models.ManyToManyField(
        Resolution, blank=True, related_name="expert_group_meetings"
    )

    history = HistoricalRecords(m2m_fields=[mandated_by], excluded_fields=["version"])
    objects = ExpertGroupMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["group", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="meeting_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="meeting_ends_after_start",
                violation_error_message="A meeting cannot end before it starts.",
            ),
        ]

    def __str__(self):
        # Shown on public pages: in the page's language ("June 2024", "juin 2024").
        return gettext("Meeting %(number)s (%(month)s, %(place)s)") % {
            "number": self.number,
            "month": dateformat.format(self.starts_on, "F Y"),
            "place": self.place,
        }

    def natural_key(self):
        return (*self.group.natural_key(), self.number)

    natural_key.dependencies = ["mandates.expertgroup", "mandates.resolution"]

    def get_absolute_url(self):
        return f"{self.group.get_absolute_url()}#meeting-{self.number}"

    def clean(self):
        errors = errors_of(super().clean)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ["A meeting cannot end before it starts."]
        if errors:
            raise ValidationError(errors)


# --- The page this product replaces, and what is still unknown --------------------------------


class PageEntryQuerySet(models.QuerySet):
    def get_by_natural_key(self, position):
        return self.get(position=position)


class PageEntry(Versioned):
    """One title in the UNODC mandates page's list, and the record we map it to (if any)."""

    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")
        UNRESOLVED = "unresolved", _("Unresolved")

    position = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=500, help_text="The title exactly as the page shows it.")
    reference = models.CharField(
        max_length=300, blank=True, help_text="The document line the page gives, if any."
    )
    # PROTECT: a resolution the old page is mapped to cannot vanish from under the mapping;
    # the admin lists the entries to re-map first.
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="page_entries",
    )
    mapping_confidence = models.CharField(max_length=12, choices=Confidence)
    mapping_reason = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = PageEntryQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name_plural = _("page entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution__isnull=False) | Q(mapping_confidence="unresolved"),
                name="page_entry_unmapped_is_unresolved",
                violation_error_message="An entry without a resolution is unresolved.",
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def natural_key(self):
        return (self.position,)

    natural_key.dependencies = ["mandates.resolution"]


class OpenQuestionQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def unresolved(self):
        return self.filter(resolved=False)


class OpenQuestion(Versioned):
    """A question the research could not settle, shown where it matters instead of a guess."""

    slug = models.SlugField(max_length=60, unique=True)
    question = models.TextField()
    status = models.TextField(blank=True)
    resolved = models.BooleanField(default=False)
    resolutions = models.ManyToManyField(Resolution, blank=True, related_name="open_questions")
    instruments = models.ManyToManyField(
        "instruments.Instrument", blank=True, related_name="open_questions"
    )
    page_entries = models.ManyToManyField(PageEntry, blank=True, related_name="open_questions")

    history = HistoricalRecords(
        m2m_fields=[resolutions, instruments, page_entries], excluded_fields=["version"]
    )
    objects = OpenQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["resolved", "slug"]

    def __str__(self):
        return self.question[:80]

    def get_absolute_url(self):
        return f"{reverse('mandates:about')}#{self.slug}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["mandates.resolution", "mandates.pageentry"]
