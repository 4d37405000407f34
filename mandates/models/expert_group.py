"""The expert group and its meetings."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from core.models import (
    PublicManager,
    RecordQuerySet,
    Sourced,
    errors_of,
)
from mandates.models.bodies import Body

# --- The expert group -------------------------------------------------------------------------


class ExpertGroupQuerySet(RecordQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_detail(self):
        """The group's page: the body it reports to, its meetings and the public resolutions
        that mandated each."""
        meeting = self.model.meetings.rel.related_model
        resolutions = meeting.mandated_by.field.related_model.public.select_related("body")
        meetings = meeting.public.prefetch_related(Prefetch("mandated_by", queryset=resolutions))
        return self.select_related("reports_to").prefetch_related(
            Prefetch("meetings", queryset=meetings)
        )


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
    public = PublicManager.from_queryset(ExpertGroupQuerySet)()

    REVIEW_CHILDREN = ("meetings",)  # reviewed with it (core.models.Record)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["mandates.body"]

    def get_absolute_url(self):
        return reverse("mandates:expert-group-detail", args=[self.slug])


class ExpertGroupMeetingQuerySet(RecordQuerySet):
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
        "Resolution", blank=True, related_name="expert_group_meetings"
    )

    history = HistoricalRecords(m2m_fields=[mandated_by], excluded_fields=["version"])
    objects = ExpertGroupMeetingQuerySet.as_manager()
    public = PublicManager.from_queryset(ExpertGroupMeetingQuerySet)()

    REVIEW_ROOT = "group"  # reviewed with its group (core.models.Record)

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
