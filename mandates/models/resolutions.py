"""Resolutions: the record, its presentation and its record page's reading."""

import re
from functools import cached_property

from django.contrib.postgres.search import (
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    Publishable,
    Sourced,
    errors_of,
)
from core.text import choice_label
from mandates.models.bodies import Body, nth, undocs_links
from mandates.models.queries import ResolutionQuerySet, read_detail_links
from mandates.models.search import (
    PublicSearchDocumentDeferred,
    SearchDocumentDeferred,
    SearchMarks,
)
from mandates.sessions import session_errors

# --- Resolutions ------------------------------------------------------------------------------

# The date formats the pages use, translated: "12 February 2015", "12 Feb 2015" ("12 févr. 2015").
LONG_DATE = pgettext_lazy("long date: 12 February 2015", "j F Y")
SHORT_DATE = pgettext_lazy("short date: 12 Feb 2015", "j M Y")


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
    # PostgreSQL only: its number, symbol and containing report (weight A), title (B), summary
    # (C) and paragraphs' text (D), each part apart from the next (migration 0022), stored and
    # GIN-indexed. Triggers recompute it whenever the resolution or its paragraphs change
    # (migrations 0005, 0020, 0022), so no code path can forget it; it is not part of backups,
    # fixtures or the history (recomputed on restore). Empty on SQLite.
    search_document = SearchVectorField(null=True, blank=True, editable=False, serialize=False)
    history = HistoricalRecords(
        m2m_fields=[partners], excluded_fields=["search_document", "version"]
    )

    objects = SearchDocumentDeferred.from_queryset(ResolutionQuerySet)()
    public = PublicSearchDocumentDeferred.from_queryset(ResolutionQuerySet)()

    # Reviewed with it (core.models.Record): what its admin form edits inline.
    REVIEW_CHILDREN = ("paragraphs", "instrument_links", "citation_links")

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
            # The default order (Meta.ordering), newest first: the unfiltered list reads its
            # first page from it instead of sorting every row (then body and number, within a
            # year and date: a few rows).
            models.Index(fields=["-year", "-adopted_on"], name="resolution_newest_first"),
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

    def get_json_url(self):
        """Its page's machine-readable twin (mandates/twins.py)."""
        return reverse("mandates:resolution-json", args=[self.body.slug, self.slug])

    @cached_property
    def search_marks(self):
        """What a keyword search matched in this row of the list (ResolutionQuerySet.marked()),
        or None when the row was not read with marks."""
        return SearchMarks.of(self) if hasattr(self, "title_marked") else None

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

    def official_text_url(self, language=None):
        """Where the official text is read, in `language` (default: the page's, where it is a
        UN language, else English): the record's own link where the symbol does not lead to
        it, else the UN's permalink for the symbol (or the report containing it), percent-
        encoded ("S/RES/2199 (2015)" has a space). None when neither is known."""
        if self.official_url:
            return iri_to_uri(self.official_url).replace(" ", "%20")
        links = {code: url for code, _name, url in self.official_links}
        if not links:
            return None
        language = language or get_language()
        return links.get(language) or links["en"]

    @property
    def official_text_here(self):
        """official_text_url() in the page's language, for templates."""
        return self.official_text_url()

    # --- names: every page, drawing, feed and export names a resolution through these

    KIND_ABBREVIATIONS = {
        Kind.RESOLUTION: pgettext_lazy("abbreviation of resolution", "res."),
        Kind.DECISION: pgettext_lazy("abbreviation of decision", "dec."),
    }

    @property
    def kind_label(self):
        """ "resolution", "decision": get_kind_display(), without the other kind's label."""
        return choice_label(self.Kind, self.kind)

    def _named(self, body, kind, date_style):
        """The pattern every name follows, in the page's language: the body, the kind, then
        the number or, where no source shows it, the date of adoption (or its year alone: no
        day is ever made up). `body` as the language places it (Body.code_in_names)."""
        values = {"body": body, "kind": kind, "number": self.number}
        if self.number:
            # Translators: "GA resolution 70/76". In French the body comes last, with its
            # article: "résolution 70/76 de l'AG" (%(body)s is then "de l'AG").
            return gettext("%(body)s %(kind)s %(number)s") % values
        if self.adopted_on:
            values["date"] = date_format(self.adopted_on, date_style)
            # Translators: "GA resolution of 6 December 2021" (no number known); French:
            # "résolution de l'AG du 6 décembre 2021".
            return gettext("%(body)s %(kind)s of %(date)s") % values
        values["year"] = self.year
        # Translators: "COP resolution of 2022" (neither number nor day known); French:
        # "résolution de la COP de 2022".
        return gettext("%(body)s %(kind)s of %(year)s") % values

    @property
    def name(self):
        """What a page calls it, in its language: "GA resolution 70/76", "ECOSOC decision
        2009/246"; without a number, "GA resolution of 6 December 2021" (« résolution de l'AG
        du 6 décembre 2021 »), or "COP resolution of 2022" when the day is not known either.
        Headings, page titles, feed entries and exports."""
        return self._named(self.body.code_in_names, self.kind_label, LONG_DATE)

    @property
    def short_name(self):
        """Where room is short (lists, drawings, citations in a line): "GA 70/76"; without a
        number, still its body, kind and date: "GA res. of 6 Dec 2021" (« rés. de l'AG du
        6 déc. 2021 »). Never a bare body code."""
        if self.number:
            return f"{self.body.display_code} {self.number}"
        kind = self.KIND_ABBREVIATIONS[self.kind]
        return self._named(self.body.code_in_names, kind, SHORT_DATE)

    @property
    def citation(self):
        """A copy-ready citation in the page's language, with the body's full name: "Security
        Council resolution 2199 (2015)", "résolution 2199 (2015) du Conseil de sécurité" (UN
        usage in each language); "General Assembly resolution of 13 December 2018"."""
        text = self._named(self.body.name_in_citations, self.kind_label, LONG_DATE)
        if not self.symbol and self.contained_in:
            text += gettext(", contained in %(symbol)s") % {"symbol": self.contained_in}
        return text

    # --- what its status vouches for (Sourced.verification_statement)

    def established_key_facts(self):
        """The key facts read in a source, the short ones with their values: "number 55/25",
        "title", "date of adoption (15 November 2000)" (or "year of adoption (2022)" when the
        day is not established)."""
        left_out = {*self.missing_key_fields, *self.unverified_key_fields}
        facts = []
        if "number" not in left_out:
            facts.append(gettext("number %(number)s") % {"number": self.number})
        if "title" not in left_out:
            facts.append(self.key_fact_name("title"))
        if "adopted_on" not in left_out:
            when = date_format(self.adopted_on, LONG_DATE)
            facts.append(gettext("date of adoption (%(date)s)") % {"date": when})
        elif "year" not in left_out:
            facts.append(gettext("year of adoption (%(year)s)") % {"year": self.year})
        return facts

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

    # --- the record page: everything linked to the resolution (read by for_detail())

    def linked(self):
        """Everything linked to the resolution that its record page shows, in the page's order,
        from what ResolutionQuerySet.for_detail() found: the kinds of link its flags say the
        resolution has are read now (read_detail_links(), one query a kind), the others are
        empty without a query:

        paragraphs (each with its tags as lists: addressee_tags, assisting_tags (the bodies
        named as a source of assistance), activity_tags and named_partners; verb_label,
        addressee_names, assisting_names and activity_names in the page's language),
        instrument_links (with
        relation_label), partners, cites and cited_by (ResolutionCitation, with relation_label;
        only published resolutions at the other end), meetings, page_entries, open_questions.
        Each linked record shown as a link carries its address in `url`.
        """
        read_detail_links(self)
        paragraphs = self.detail_paragraphs
        for paragraph in paragraphs:
            verb = choice_label(paragraph.Verb, paragraph.verb) if paragraph.verb else ""
            paragraph.verb_label = verb.lower()
            paragraph.addressee_names = [a.display_name for a in paragraph.addressee_tags]
            paragraph.assisting_names = [a.display_name for a in paragraph.assisting_tags]
            paragraph.activity_names = [a.display_name for a in paragraph.activity_tags]
        instrument_links = self.detail_instrument_links
        for link in instrument_links:
            link.relation_label = choice_label(link.Relation, link.relation)
            link.instrument.url = link.instrument.get_absolute_url()
        partners = self.detail_partners
        for partner in partners:
            partner.url = partner.get_absolute_url()
        cites, cited_by = self.detail_citation_links, self.detail_cited_by_links
        for link in cites + cited_by:
            link.relation_label = choice_label(link.Relation, link.relation)
        for link in cites:
            link.cited.url = link.cited.get_absolute_url()
        for link in cited_by:
            link.citing.url = link.citing.get_absolute_url()
        return {
            "paragraphs": paragraphs,
            "instrument_links": instrument_links,
            "partners": partners,
            "cites": cites,
            "cited_by": cited_by,
            "meetings": self.detail_expert_group_meetings,
            "page_entries": self.detail_page_entries,
            "open_questions": self.detail_open_questions,
        }
