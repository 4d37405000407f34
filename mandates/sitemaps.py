"""The sitemap's sections for this app (config/site.py puts them together): every page in each
interface language, with its alternates in the others (hreflang)."""

from django.urls import reverse

from core.sitemaps import I18nSitemap, RecordSitemap
from mandates.models import Body, ExpertGroup, Resolution


class SectionSitemap(I18nSitemap):
    """The pages that are not records: home, the lists, explore, about."""

    def items(self):
        return [
            "mandates:home",
            "mandates:resolution-list",
            "explore:paragraph-list",
            "instruments:list",
            "partners:list",
            "mandates:body-list",
            "explore:index",
            "explore:graph",
            "explore:timeline",
            "explore:matrix",
            "mandates:about",
        ]

    def location(self, item):
        return reverse(item)


class ResolutionSitemap(RecordSitemap):
    def items(self):
        return Resolution.public.for_sitemap()


class BodySitemap(RecordSitemap):
    def items(self):
        return Body.public.all()


class ExpertGroupSitemap(RecordSitemap):
    def items(self):
        return ExpertGroup.public.all()
