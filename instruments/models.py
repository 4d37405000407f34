import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import PublicManager, RecordQuerySet, Sourced, errors_of

PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def validate_partial_date(value):
    """An ISO date that may stop at the year or the month: "2019", "2019-04", "2022-10-24"."""
    if not PARTIAL_DATE.match(value):
        raise ValidationError("Write the date as YYYY, YYYY-MM or YYYY-MM-DD.")
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError("That day does not exist.") from exc


def format_partial_date(value):
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    # The month in the page's language ("March", "mars").
    month = dateformat.format(dt.date(int(parts[0]), int(parts[1]), 1), "F")
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


class InstrumentQuerySet(RecordQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    @property
    def links(self):
        """The typed links from resolutions (mandates.ResolutionInstrument), reached through
        the reverse relation: this app imports no other of ours."""
        return self.model.resolution_links.rel.related_model

    def for_listing(self):
        """Everything instrument_list.html touches, in a fixed number of queries:
        resolution_count is the public resolutions linked to each."""
        counts = (
            self.links.public.filter(instrument=OuterRef("pk"))
            .order_by()
            .values("instrument")
            .annotate(n=Count("resolution", distinct=True))
            .values("n")
        )
        return self.select_related("parent").annotate(
            resolution_count=Coalesce(Subquery(counts), 0)
        )

    def for_detail(self):
        """An instrument's page: its parent, protocols, partners and its links from public
        resolutions, newest first (resolution_links)."""
        links = self.links.public.select_related("resolution__body").order_by(
            "-resolution__year", "relation", "pk"
        )
        return self.select_related("parent").prefetch_related(
            "protocols", "partners", Prefetch("resolution_links", queryset=links)
        )

    def core(self):
        return self.filter(slug__in=Instrument.CORE_SLUGS).core_first()

    def core_first(self):
        """UNTOC, the Guidelines and the Doha Declaration first, then the rest by adoption."""
        rank = Case(
            *(When(slug=slug, then=Value(i)) for i, slug in enumerate(Instrument.CORE_SLUGS)),
            default=Value(len(Instrument.CORE_SLUGS)),
        )
        return self.alias(core_rank=rank).order_by("core_rank", *Instrument._meta.ordering)


class Instrument(Sourced):
    """A convention, protocol, set of guidelines, declaration or model treaty."""

    KEY_FIELDS = ("title", "adopted_on")

    CORE_SLUGS = ("untoc", "guidelines", "doha-declaration")

    @staticmethod
    def core_rank(instrument):
        """core_first()'s order in Python: a sort key for instruments already in the default
        order (a stable sort keeps that order within each rank)."""
        try:
            return Instrument.CORE_SLUGS.index(instrument.slug)
        except ValueError:
            return len(Instrument.CORE_SLUGS)

    class Kind(models.TextChoices):
        CONVENTION = "convention", _("Convention")
        PROTOCOL = "protocol", _("Protocol")
        GUIDELINES = "guidelines", _("Guidelines")
        DECLARATION = "declaration", _("Declaration")
        MODEL_TREATY = "model-treaty", _("Model treaty")

    slug = models.SlugField(max_length=60, unique=True, help_text='URL and natural key: "untoc".')
    short_name = models.CharField(max_length=120)
    title = models.CharField(max_length=400, help_text="Full official title.")
    kind = models.CharField(max_length=20, choices=Kind, db_index=True)
    adopted_by = models.CharField(
        max_length=300, blank=True, help_text="The body or conference that adopted it."
    )
    adopted_on = models.DateField(null=True, blank=True)
    adoption_place = models.CharField(max_length=200, blank=True)
    opened_for_signature = models.TextField(blank=True)
    entry_into_force = models.DateField(null=True, blank=True)
    entry_into_force_condition = models.CharField(max_length=300, blank=True)
    depositary = models.CharField(max_length=200, blank=True)
    signatories = models.PositiveIntegerField(null=True, blank=True)
    parties_count = models.PositiveIntegerField("number of parties", null=True, blank=True)
    parties_as_of = models.CharField(
        "parties as of",
        max_length=10,
        blank=True,
        validators=[validate_partial_date],
        help_text="YYYY, YYYY-MM or YYYY-MM-DD: the date the count was true.",
    )
    parties_note = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        help_text="The convention a protocol belongs to.",
    )
    treaty_series = models.CharField(max_length=100, blank=True)
    document_symbol = models.CharField(max_length=60, blank=True)
    official_url = models.URLField(blank=True)
    summary = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = InstrumentQuerySet.as_manager()
    public = PublicManager.from_queryset(InstrumentQuerySet)()

    class Meta:
        ordering = [models.F("adopted_on").asc(nulls_last=True), "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry_into_force__isnull=True)
                | Q(adopted_on__isnull=True)
                | Q(entry_into_force__gte=models.F("adopted_on")),
                name="instrument_in_force_after_adoption",
                violation_error_message="Entry into force cannot come before adoption.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="instrument_not_own_parent",
                violation_error_message="An instrument cannot be its own parent.",
            ),
        ]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("instruments:detail", args=[self.slug])

    def get_json_url(self):
        """Its page's machine-readable twin (instruments/twins.py)."""
        return reverse("instruments:json", args=[self.slug])

    @property
    def is_treaty(self):
        """Conventions and their protocols bind their parties; the other kinds do not."""
        return self.kind in (self.Kind.CONVENTION, self.Kind.PROTOCOL)

    @property
    def is_core(self):
        return self.slug in self.CORE_SLUGS

    @property
    def parties_as_of_display(self):
        return format_partial_date(self.parties_as_of)

    def clean(self):
        errors = errors_of(super().clean)
        if self.entry_into_force and self.adopted_on and self.entry_into_force < self.adopted_on:
            errors["entry_into_force"] = "Entry into force cannot come before adoption."
        if self.parties_count is not None and not self.parties_as_of:
            errors["parties_as_of"] = "Say when the number of parties was true."
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "An instrument cannot be its own parent."
        if self.kind == self.Kind.PROTOCOL and not self.parent_id:
            errors["parent"] = "A protocol belongs to a convention: choose it."
        if errors:
            raise ValidationError(errors)
