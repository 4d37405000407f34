from django.apps import apps
from django.contrib import admin

from core.admin import BaseAdmin, FormFieldsMixin, SourcedAdmin, changelist_link
from partners.models import Partner, PartnerTool


class PartnerToolInline(FormFieldsMixin, admin.TabularInline):
    model = PartnerTool
    fields = ("position", "name", "slug", "url", "description")
    prepopulated_fields = {"slug": ("name",)}
    textarea_rows = {"description": 2}
    extra = 0
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(SourcedAdmin):
    list_display = (
        "acronym",
        "full_name",
        "headquarters",
        "founded",
        "resolutions",
        "confirmed",
    )
    list_display_links = ("acronym", "full_name")
    list_filter = ("instruments",)
    search_fields = ("acronym", "slug", "full_name")
    autocomplete_fields = ("instruments",)
    prepopulated_fields = {"slug": ("acronym",)}
    fieldsets = [
        ("Identity", {"fields": [("acronym", "slug"), "full_name"]}),
        (
            "Headquarters",
            {
                "fields": [
                    ("headquarters_city", "headquarters_country"),
                    "headquarters_address",
                ]
            },
        ),
        ("Foundation", {"fields": ["founded", "founding_detail", "member_states"]}),
        ("Links", {"fields": ["website", "instruments"]}),
    ]
    inlines = [PartnerToolInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    @admin.display(description="resolutions", ordering="resolution_count")
    def resolutions(self, obj):
        return changelist_link(
            apps.get_model("mandates", "Resolution"),
            obj.resolution_count,
            partners__id__exact=obj.pk,
            synthetic="all",
        )


@admin.register(PartnerTool)
class PartnerToolAdmin(BaseAdmin):
    list_display = ("name", "partner", "position", "url")
    list_filter = ("partner",)
    list_select_related = ("partner",)
    search_fields = ("name", "slug", "partner__acronym", "description")
    autocomplete_fields = ("partner",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("partner", ("name", "slug"), "position", "url", "description")
