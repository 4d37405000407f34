"""The typed links of a resolution: to an instrument, and to another resolution."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    PublicManager,
    RecordQuerySet,
    Status,
    Versioned,
)


class ResolutionInstrumentQuerySet(RecordQuerySet):
    def public(self):
        """The links of published resolutions."""
        return self.filter(resolution__status=Status.PUBLISHED)

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
        "Resolution", on_delete=models.CASCADE, related_name="instrument_links"
    )
    instrument = models.ForeignKey(
        "instruments.Instrument", on_delete=models.CASCADE, related_name="resolution_links"
    )
    relation = models.CharField(max_length=20, choices=Relation)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ResolutionInstrumentQuerySet.as_manager()
    public = PublicManager.from_queryset(ResolutionInstrumentQuerySet)()

    REVIEW_ROOT = "resolution"  # reviewed with its resolution (core.models.Record)

    class Meta:
        ordering = ["instrument__slug", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "instrument", "relation"], name="resolution_instrument_unique"
            )
        ]

    def __str__(self):
        return f"{self.resolution} {self.get_relation_display().lower()} {self.instrument}"

    @property
    def is_adoption(self):
        """The resolution adopts or endorses the instrument (its page lists these first)."""
        return self.relation in (self.Relation.ADOPTS, self.Relation.ENDORSES)

    def natural_key(self):
        return (*self.resolution.natural_key(), self.instrument.slug, self.relation)

    natural_key.dependencies = ["mandates.resolution", "instruments.instrument"]


class ResolutionCitationQuerySet(RecordQuerySet):
    def public(self):
        """Citations between published resolutions."""
        return self.citing_public().cited_public()

    def citing_public(self):
        """Made by a published resolution (the other end, seen from the one it cites)."""
        return self.filter(citing__status=Status.PUBLISHED)

    def cited_public(self):
        """Of a published resolution (the other end, seen from the one citing it)."""
        return self.filter(cited__status=Status.PUBLISHED)

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

    citing = models.ForeignKey(
        "Resolution", on_delete=models.CASCADE, related_name="citation_links"
    )
    cited = models.ForeignKey("Resolution", on_delete=models.CASCADE, related_name="cited_by_links")
    relation = models.CharField(max_length=20, choices=Relation, default=Relation.RECALLS)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ResolutionCitationQuerySet.as_manager()
    public = PublicManager.from_queryset(ResolutionCitationQuerySet)()

    REVIEW_ROOT = "citing"  # reviewed with the resolution that cites (core.models.Record)

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
    def is_public(self):
        return self.citing.is_public and self.cited.is_public

    @property
    def reverse_label(self):
        return self.REVERSE_LABELS[self.relation]

    def clean(self):
        super().clean()
        if self.citing_id and self.citing_id == self.cited_id:
            raise ValidationError({"cited": "A resolution cannot cite itself."})
