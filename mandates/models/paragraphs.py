"""Operative paragraphs: what a resolution asks, and of whom."""

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import PublicManager, RecordQuerySet, Sourced, Status, Verification
from mandates.models.bodies import Activity, Addressee
from partners.models import Partner


class ParagraphQuerySet(RecordQuerySet):
    def public(self):
        """The paragraphs of published resolutions: what the public may see."""
        return self.filter(resolution__status=Status.PUBLISHED)

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

    @staticmethod
    def _addressed_condition(addressee, assistance):
        """Addressed to `addressee` (an Addressee, a queryset of them, or an OuterRef to one);
        with `assistance`, or naming its assistance. Subqueries on the link tables: a
        paragraph stays one row."""
        lookup = "addressee__in" if isinstance(addressee, models.QuerySet | list) else "addressee"
        links = [Paragraph.addressees.through]
        if assistance:
            links.append(Paragraph.assisted_by.through)
        condition = Q()
        for through in links:
            condition |= Exists(
                through.objects.filter(paragraph_id=OuterRef("pk"), **{lookup: addressee})
            )
        return condition

    def addressed_to(self, addressees, assistance=False):
        """Addressed to any of these addressees; with `assistance`, also those naming the
        assistance of any of them ("asked of UNODC, or of States with UNODC's help")."""
        return self.filter(self._addressed_condition(addressees, assistance))

    def addressee_counts(self, assistance=False):
        """{addressee slug: how many of these paragraphs are addressed_to(it, assistance)}, one
        query: each addressee's count in a subquery (an addressee with none is left out)."""
        count = Func(F("pk"), function="COUNT")
        once = Paragraph.objects.filter(pk__in=self.order_by().values("pk")).order_by()
        matching = (
            once.filter(self._addressed_condition(OuterRef(OuterRef("pk")), assistance))
            .annotate(n=count)
            .values("n")
        )
        rows = Addressee.objects.order_by().annotate(n=Subquery(matching)).values_list("slug", "n")
        return {slug: n for slug, n in rows if n}

    def untagged(self):
        return self.exclude(self._tagged_condition())

    def tagged_counts(self):
        """{"yes": tagged, "no": untagged}, one query. The condition is a column of the rows
        counted, so a filter's DISTINCT (a paragraph matched through two of its tags) counts
        each paragraph once."""
        rows = self.order_by().annotate(
            is_tagged=ExpressionWrapper(self._tagged_condition(), output_field=BooleanField())
        )
        return rows.aggregate(
            yes=Count("pk", filter=Q(is_tagged=True)), no=Count("pk", filter=Q(is_tagged=False))
        )

    def for_listing(self):
        """Everything paragraph_list.html touches, newest resolution first (5 queries a page)."""
        return (
            self.select_related("resolution__body")
            .prefetch_related(
                "addressees",
                "assisted_by",
                "activities",
                Prefetch("partners", queryset=Partner.objects.only("slug", "acronym")),
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
        """What UNODC is asked to do, from the records: {"lines": [paragraph], the paragraphs
        addressed to UNODC, oldest resolution first, each a line of the home page (its summary
        says what is asked, in our words; its activities, in the activities' order, say what
        kind of work; its short_citation, once, where it comes from), "assistance": [paragraph]
        naming UNODC's assistance without addressing it}."""
        lines, assistance = [], []
        for paragraph in self.for_mandate_in_brief():
            (lines if paragraph.unodc_addressed else assistance).append(paragraph)
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

    resolution = models.ForeignKey(
        "Resolution", on_delete=models.CASCADE, related_name="paragraphs"
    )
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
    history = HistoricalRecords(
        m2m_fields=[addressees, assisted_by, partners, activities],
        excluded_fields=["version"],
    )
    objects = ParagraphQuerySet.as_manager()
    public = PublicManager.from_queryset(ParagraphQuerySet)()

    REVIEW_ROOT = "resolution"  # reviewed with its resolution (core.models.Record)

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
    def short_citation(self):
        """Where it is, in a line of text: "SC 2199 (2015), para. 17", "GA 65/230, annex,
        para. 12"; without an established number, once and plainly where it sits: "ECOSOC
        2010/19, operative part" (« ECOSOC 2010/19, dispositif »)."""
        name = self.resolution.short_name
        if self.number is None:
            if self.in_annex:
                return name + gettext(", annex")
            return name + gettext(", operative part")
        if self.in_annex:
            return name + gettext(", annex, para. %(number)s") % {"number": self.number}
        return name + gettext(", para. %(number)s") % {"number": self.number}

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
