"""Resolutions: the record, its presentation and its record page's reading."""

import datetime
import functools
import re

from django.contrib.postgres.search import (
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, router
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    Publishable,
    Sourced,
    errors_of,
)
from instruments.models import Instrument
from mandates.models.bodies import Activity, Addressee, Body, nth, undocs_links
from mandates.models.expert_group import ExpertGroup, ExpertGroupMeeting
from mandates.models.links import ResolutionCitation, ResolutionInstrument
from mandates.models.paragraphs import Paragraph
from mandates.models.queries import ResolutionQuerySet
from mandates.models.reference_page import OpenQuestion, PageEntry
from mandates.models.search import SearchDocumentDeferred
from mandates.sessions import session_errors
from partners.models import Partner

# --- Resolutions ------------------------------------------------------------------------------


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
        return reverse("mandates:resolution-detail", args=[self.body.slug, self.slug])

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
        partner = Partner._meta
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
        instrument = Instrument._meta
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
        instrument_model, partner_model = Instrument, Partner
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
