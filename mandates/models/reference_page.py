"""The UNODC page this product replaces, entry by entry, and the questions still open."""

from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    PublicManager,
    RecordQuerySet,
    Versioned,
)

# --- The page this product replaces, and what is still unknown --------------------------------


class PageEntryQuerySet(RecordQuerySet):
    def get_by_natural_key(self, position):
        return self.get(position=position)

    def for_about(self):
        """/about/'s table: each entry with its resolution if that one is public (None
        otherwise: a draft is not named) and its open questions."""
        resolutions = self.model.resolution.field.related_model.public.select_related("body")
        return self.prefetch_related(Prefetch("resolution", queryset=resolutions), "open_questions")


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
        "Resolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="page_entries",
    )
    mapping_confidence = models.CharField(max_length=12, choices=Confidence)
    mapping_reason = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = PageEntryQuerySet.as_manager()
    public = PublicManager.from_queryset(PageEntryQuerySet)()

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


class OpenQuestionQuerySet(RecordQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_about(self):
        """/about/'s questions, each with the public resolutions and the instruments it concerns."""
        resolutions = self.model.resolutions.field.related_model.public.select_related("body")
        return self.prefetch_related(Prefetch("resolutions", queryset=resolutions), "instruments")

    def unresolved(self):
        return self.filter(resolved=False)


class OpenQuestion(Versioned):
    """A question the research could not settle, shown where it matters instead of a guess."""

    slug = models.SlugField(max_length=60, unique=True)
    question = models.TextField()
    status = models.TextField(blank=True)
    resolved = models.BooleanField(default=False)
    resolutions = models.ManyToManyField("Resolution", blank=True, related_name="open_questions")
    instruments = models.ManyToManyField(
        "instruments.Instrument", blank=True, related_name="open_questions"
    )
    page_entries = models.ManyToManyField(PageEntry, blank=True, related_name="open_questions")

    history = HistoricalRecords(
        m2m_fields=[resolutions, instruments, page_entries], excluded_fields=["version"]
    )
    objects = OpenQuestionQuerySet.as_manager()
    public = PublicManager.from_queryset(OpenQuestionQuerySet)()

    class Meta:
        ordering = ["resolved", "slug"]

    def __str__(self):
        return self.question[:80]

    def get_absolute_url(self):
        return f"{reverse('mandates:about')}#{self.slug}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["mandates.resolution", "mandates.pageentry"]
