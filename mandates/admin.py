"""The staff's editing tool: every record, its links inline, its provenance in one place.

The shared bases (``BaseAdmin``, ``SourcedAdmin``, the form defaults) live in core/admin.py.
"""

from functools import partial

from django.contrib import admin
from django.urls import path

from core.admin import (
    BaseAdmin,
    FormFieldsMixin,
    PublishableAdmin,
    SourcedAdmin,
    SourcedMixin,
    changelist_link,
    excerpt,
)
from mandates.marc_admin import import_view
from mandates.models import (
    Activity,
    Addressee,
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)

# --- Bodies and the lookups that tag paragraphs -----------------------------------------------


@admin.register(Body)
class BodyAdmin(SourcedAdmin):
    list_display = ("name", "code", "kind", "parent", "position", "resolutions", "confirmed")
    list_display_links = ("name", "code")
    list_editable = ("position",)
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("code",)}
    fieldsets = [
        ("Identity", {"fields": [("code", "slug"), "name", "kind", "parent", "position"]}),
        ("Numbering", {"fields": ["number_format", "symbol_format"]}),
        ("Content", {"fields": ["description"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="resolutions", ordering="resolution_count")
    def resolutions(self, obj):
        return changelist_link(
            Resolution, obj.resolution_count, body__id__exact=obj.pk, synthetic="all"
        )


@admin.register(Addressee, Activity)
class LookupAdmin(BaseAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


# --- Resolutions and their links --------------------------------------------------------------


class SyntheticFilter(admin.SimpleListFilter):
    """Rows generated for load testing stay out of the way unless asked for."""

    title = "load-testing rows"
    parameter_name = "synthetic"
    default = "real"

    def lookups(self, request, model_admin):
        # No choices (so no filter at all) while the database holds no synthetic rows.
        if not Resolution.objects.filter(is_synthetic=True).exists():
            return []
        return [("real", "Real only"), ("synthetic", "Synthetic only"), ("all", "Both")]

    def value(self):
        return super().value() or self.default

    def queryset(self, request, queryset):
        if self.value() == "real":
            return queryset.filter(is_synthetic=False)
        if self.value() == "synthetic":
            return queryset.filter(is_synthetic=True)
        return queryset

    def choices(self, changelist):
        _all, *choices = super().choices(changelist)  # no value means "real" here, not "all"
        return choices


class ResolutionInstrumentInline(FormFieldsMixin, admin.TabularInline):
    model = ResolutionInstrument
    fields = ("instrument", "relation", "note")
    autocomplete_fields = ("instrument",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resolution__body", "instrument")


class ResolutionCitationInline(FormFieldsMixin, admin.TabularInline):
    model = ResolutionCitation
    fk_name = "citing"
    fields = ("relation", "cited", "note")
    autocomplete_fields = ("cited",)
    extra = 0
    verbose_name = "earlier resolution it cites"
    verbose_name_plural = "earlier resolutions it cites"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("citing__body", "cited__body")


class ParagraphInline(SourcedMixin, admin.StackedInline):
    model = Paragraph
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("number", "position", "verb", "cited_on_page"),
                    "summary",
                    ("addressees", "assisted_by"),
                    ("activities", "partners"),
                ]
            },
        )
    ]
    autocomplete_fields = ("addressees", "assisted_by", "activities", "partners")
    provenance_classes = ("collapse",)
    textarea_rows = {**SourcedMixin.textarea_rows, "summary": 3}
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("resolution__body")
            .prefetch_related("addressees", "activities", "partners")
        )


@admin.register(Resolution)
class ResolutionAdmin(PublishableAdmin, SourcedAdmin):
    list_display = (
        "status",
        "number",
        "body_code",
        "display_symbol",
        "short_title",
        "year",
        "adopted_on",
        "confirmed",
    )
    list_filter = (SyntheticFilter, "body", "relevance", "adoption_mode", "instruments", "partners")
    search_fields = (
        "=body__code",
        "number",
        "symbol",
        "contained_in",
        "title",
        "summary",
        "paragraphs__summary",
    )
    date_hierarchy = "adopted_on"
    autocomplete_fields = ("body", "partners")
    fieldsets = [
        (
            "Identity",
            {
                "fields": [
                    "status",
                    ("body", "kind", "number", "slug"),
                    "symbol",
                    ("contained_in", "contained_in_title"),
                    "title",
                ]
            },
        ),
        (
            "Adoption",
            {
                "fields": [
                    ("year", "adopted_on"),
                    "session",
                    "meeting",
                    ("adoption_mode", "adoption_note"),
                ]
            },
        ),
        ("Content", {"fields": ["relevance", "summary"]}),
        ("Links", {"fields": ["partners", "official_url", "press_release"]}),
    ]
    inlines = [ResolutionInstrumentInline, ResolutionCitationInline, ParagraphInline]

    def get_urls(self):
        view = self.admin_site.admin_view(partial(import_view, self))
        return [path("import/", view, name="mandates_resolution_import"), *super().get_urls()]

    def get_fieldsets(self, request, obj=None):
        """The "Load testing" section only on a synthetic row, or where synthetic rows exist."""
        fieldsets = super().get_fieldsets(request, obj)
        if (obj is not None and obj.is_synthetic) or Resolution.objects.filter(
            is_synthetic=True
        ).exists():
            load_testing = ("Load testing", {"fields": ["is_synthetic"], "classes": ["collapse"]})
            fieldsets = [*fieldsets[:-1], load_testing, fieldsets[-1]]  # before "Provenance"
        return fieldsets

    def get_queryset(self, request):
        # The body names the resolution, in changelists and in autocomplete results alike.
        return super().get_queryset(request).select_related("body")

    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        wanted = request.GET.get(SyntheticFilter.parameter_name, SyntheticFilter.default)
        if wanted != "real" and Resolution.objects.filter(is_synthetic=True).exists():
            list_display = (*list_display, "is_synthetic")
        return list_display

    @admin.display(description="body", ordering="body__position")
    def body_code(self, obj):
        return obj.body.code

    @admin.display(description="symbol", ordering="symbol")
    def display_symbol(self, obj):
        return obj.display_symbol

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        return excerpt(obj.title)


@admin.register(ResolutionInstrument)
class ResolutionInstrumentAdmin(BaseAdmin):
    list_display = ("__str__", "resolution", "relation", "instrument", "note")
    list_filter = ("relation", "instrument")
    list_select_related = ("resolution__body", "instrument")
    search_fields = (
        "resolution__number",
        "resolution__symbol",
        "instrument__slug",
        "instrument__short_name",
    )
    autocomplete_fields = ("resolution", "instrument")


@admin.register(ResolutionCitation)
class ResolutionCitationAdmin(BaseAdmin):
    list_display = ("__str__", "citing", "relation", "cited", "note")
    list_filter = ("relation",)
    list_select_related = ("citing__body", "cited__body")
    search_fields = ("citing__number", "citing__symbol", "cited__number", "cited__symbol")
    autocomplete_fields = ("citing", "cited")


@admin.register(Paragraph)
class ParagraphAdmin(SourcedAdmin):
    list_display = ("__str__", "verb", "short_summary", "cited_on_page", "confirmed")
    list_filter = ("resolution__body", "verb", "cited_on_page", "addressees", "activities")
    list_select_related = ("resolution__body",)
    search_fields = (
        "=resolution__body__code",
        "resolution__number",
        "resolution__symbol",
        "summary",
    )
    autocomplete_fields = ("resolution", "addressees", "activities", "partners")
    fieldsets = [
        ("Identity", {"fields": ["resolution", ("number", "verb", "cited_on_page")]}),
        ("Content", {"fields": ["summary"]}),
        ("Links", {"fields": ["addressees", "activities", "partners"]}),
    ]

    @admin.display(description="summary")
    def short_summary(self, obj):
        return excerpt(obj.summary, 100)


# --- The expert group -------------------------------------------------------------------------


class ExpertGroupMeetingInline(SourcedMixin, admin.StackedInline):
    model = ExpertGroupMeeting
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("number", "starts_on", "ends_on", "place"),
                    "report_symbol",
                    "outcome",
                    "mandated_by",
                ]
            },
        )
    ]
    autocomplete_fields = ("mandated_by",)
    provenance_classes = ("collapse",)
    textarea_rows = {**SourcedMixin.textarea_rows, "outcome": 3}
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("mandated_by")


@admin.register(ExpertGroup)
class ExpertGroupAdmin(SourcedAdmin):
    list_display = ("name", "convened_by", "reports_to", "confirmed")
    list_filter = ("reports_to",)
    list_select_related = ("reports_to",)
    search_fields = ("name", "slug", "convened_by")
    autocomplete_fields = ("reports_to",)
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        ("Identity", {"fields": ["name", "slug", "convened_by", "reports_to"]}),
        ("Content", {"fields": ["summary"]}),
    ]
    inlines = [ExpertGroupMeetingInline]


@admin.register(ExpertGroupMeeting)
class ExpertGroupMeetingAdmin(SourcedAdmin):
    list_display = ("__str__", "group", "number", "starts_on", "ends_on", "place", "confirmed")
    list_filter = ("group",)
    list_select_related = ("group",)
    search_fields = ("group__name", "place", "report_symbol", "outcome")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("group", "mandated_by")
    fieldsets = [
        ("Identity", {"fields": ["group", "number"]}),
        ("Dates", {"fields": [("starts_on", "ends_on"), "place"]}),
        ("Content", {"fields": ["report_symbol", "outcome"]}),
        ("Links", {"fields": ["mandated_by"]}),
    ]


# --- The page this product replaces, and what is still unknown --------------------------------


@admin.register(PageEntry)
class PageEntryAdmin(BaseAdmin):
    list_display = ("position", "short_title", "resolution", "mapping_confidence")
    list_display_links = ("position", "short_title")
    list_filter = ("mapping_confidence",)
    list_select_related = ("resolution__body",)
    search_fields = ("title", "reference", "resolution__number", "resolution__symbol")
    autocomplete_fields = ("resolution",)
    fieldsets = [
        ("On the page", {"fields": ["position", "title", "reference"]}),
        ("Mapping", {"fields": ["resolution", "mapping_confidence", "mapping_reason"]}),
    ]

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        return excerpt(obj.title)


@admin.register(OpenQuestion)
class OpenQuestionAdmin(BaseAdmin):
    list_display = ("__str__", "slug", "resolved")
    list_filter = ("resolved",)
    search_fields = ("slug", "question", "status")
    autocomplete_fields = ("resolutions", "instruments", "page_entries")
    fieldsets = [
        ("Question", {"fields": ["slug", "question", "status", "resolved"]}),
        ("Where it matters", {"fields": ["resolutions", "instruments", "page_entries"]}),
    ]
