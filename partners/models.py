from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import PublicManager, RecordQuerySet, Sourced, Versioned


class PartnerQuerySet(RecordQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    @property
    def resolutions(self):
        """mandates.Resolution, reached through the reverse relation: this app imports no
        other of ours."""
        return self.model.resolutions.rel.related_model

    def for_listing(self):
        """Everything partner_list.html touches, in a fixed number of queries:
        resolution_count is the public resolutions naming each."""
        counts = (
            self.resolutions.public.filter(partners=OuterRef("pk"))
            .order_by()
            .values("partners")
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        return self.annotate(resolution_count=Coalesce(Subquery(counts), 0)).prefetch_related(
            "tools"
        )

    def for_detail(self):
        """A partner's page: its tools, the instruments it serves, the public resolutions
        naming it (newest first) and their paragraphs that name it."""
        resolutions = self.resolutions.public.select_related("body")
        paragraphs = self.model.paragraphs.rel.related_model.public.select_related(
            "resolution__body"
        )
        return self.prefetch_related(
            "tools",
            "instruments",
            Prefetch("resolutions", queryset=resolutions),
            Prefetch("paragraphs", queryset=paragraphs),
        )


class Partner(Sourced):
    KEY_FIELDS = ("full_name",)

    """An organisation UNODC works with against trafficking in cultural property."""

    slug = models.SlugField(max_length=30, unique=True, help_text='Lowercase acronym: "interpol".')
    acronym = models.CharField(max_length=30, unique=True)
    full_name = models.CharField(max_length=200)
    headquarters_city = models.CharField(max_length=100, blank=True)
    headquarters_country = models.CharField(max_length=100, blank=True)
    headquarters_address = models.CharField(max_length=200, blank=True)
    founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    founding_detail = models.TextField(blank=True)
    member_states = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    instruments = models.ManyToManyField(
        "instruments.Instrument",
        blank=True,
        related_name="partners",
        help_text="Instruments this organisation serves (as secretariat or author).",
    )

    history = HistoricalRecords(m2m_fields=[instruments], excluded_fields=["version"])
    objects = PartnerQuerySet.as_manager()
    public = PublicManager.from_queryset(PartnerQuerySet)()

    REVIEW_CHILDREN = ("tools",)  # reviewed with it (core.models.Record)

    class Meta:
        ordering = ["acronym"]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=1800, founded__lte=2100),
                name="partner_founded_plausible",
                violation_error_message="The year founded must be between 1800 and 2100.",
            ),
        ]

    def __str__(self):
        return self.acronym

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["instruments.instrument"]

    def get_absolute_url(self):
        return reverse("partners:detail", args=[self.slug])

    def get_json_url(self):
        """Its page's machine-readable twin (partners/twins.py)."""
        return reverse("partners:json", args=[self.slug])

    @property
    def headquarters(self):
        return ", ".join(p for p in (self.headquarters_city, self.headquarters_country) if p)


class PartnerToolQuerySet(RecordQuerySet):
    def get_by_natural_key(self, partner_slug, slug):
        return self.get(partner__slug=partner_slug, slug=slug)


class PartnerTool(Versioned):
    """A database, list, platform or programme a partner runs against the trafficking."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tools")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = PartnerToolQuerySet.as_manager()
    public = PublicManager.from_queryset(PartnerToolQuerySet)()

    REVIEW_ROOT = "partner"  # reviewed with its partner (core.models.Record)

    class Meta:
        ordering = ["partner", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "slug"], name="partner_tool_unique_slug"),
        ]

    def __str__(self):
        return f"{self.name} ({self.partner})"

    def natural_key(self):
        return (*self.partner.natural_key(), self.slug)

    natural_key.dependencies = ["partners.partner"]
