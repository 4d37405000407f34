from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core.admin import FormFieldsMixin, SourcedAdmin, changelist_link
from core.review import may_publish
from instruments.models import Instrument


class ResolutionLinkInline(FormFieldsMixin, admin.TabularInline):
    """The same typed links as on the resolution page, edited from the instrument's side by
    publishers. A link is reviewed with its resolution (mandates.ResolutionInstrument's
    REVIEW_ROOT): editors change it from the resolution's form, so here they only read it."""

    model = apps.get_model("mandates", "ResolutionInstrument")
    fields = ("resolution", "relation", "note")
    autocomplete_fields = ("resolution",)
    extra = 0
    verbose_name = "resolution linking here"
    verbose_name_plural = "resolutions linking here"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resolution__body", "instrument")

    def has_add_permission(self, request, obj=None):
        return may_publish(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_publish(request.user) and super().has_delete_permission(request, obj)


@admin.register(Instrument)
class InstrumentAdmin(SourcedAdmin):
    list_display = (
        "short_name",
        "kind",
        "parent",
        "adopted_on",
        "entry_into_force",
        "parties_count",
        "resolutions",
        "confirmed",
    )
    list_filter = ("kind",)
    list_select_related = ("parent",)  # also keeps Django from replacing it with select_related()
    search_fields = ("slug", "short_name", "title", "document_symbol")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("short_name",)}
    readonly_fields = ("protocol_links",)
    fieldsets = [
        ("Identity", {"fields": ["short_name", "slug", "title", "kind", "parent"]}),
        (
            "Adoption",
            {
                "fields": [
                    "adopted_by",
                    ("adopted_on", "adoption_place"),
                    "opened_for_signature",
                    ("entry_into_force", "entry_into_force_condition"),
                    "depositary",
                ]
            },
        ),
        (
            "Parties",
            {"fields": ["signatories", ("parties_count", "parties_as_of"), "parties_note"]},
        ),
        ("Content", {"fields": ["summary"]}),
        (
            "Links",
            {"fields": ["document_symbol", "treaty_series", "official_url", "protocol_links"]},
        ),
    ]
    inlines = [ResolutionLinkInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    @admin.display(description="resolutions", ordering="resolution_count")
    def resolutions(self, obj):
        return changelist_link(
            apps.get_model("mandates", "Resolution"),
            obj.resolution_count,
            instruments__id__exact=obj.pk,
            synthetic="all",
        )

    @admin.display(description="protocols")
    def protocol_links(self, obj):
        links = format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>',
            (
                (reverse("admin:instruments_instrument_change", args=[p.pk]), p)
                for p in obj.protocols.all()
            ),
        )
        return links or "None. A protocol names its convention as “parent”."
