"""The sitemap's sections for this app (config/site.py puts them together): every page in each
interface language, with its alternates in the others (hreflang)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from mandates.models import Body, ExpertGroup, Resolution


class I18nSitemap(Sitemap):
    """Each item once per language of settings.LANGUAGES, with <xhtml:link> alternates."""

    i18n = True
    alternates = True
    x_default = True


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


class RecordSitemap(I18nSitemap):
    """Records: <lastmod> is when the record last changed."""

    def lastmod(self, record):
        return record.updated_at


class ResolutionSitemap(RecordSitemap):
    def items(self):
        return Resolution.objects.for_sitemap()


class BodySitemap(RecordSitemap):
    def items(self):
        return Body.objects.all()


class ExpertGroupSitemap(RecordSitemap):
    def items(self):
        return ExpertGroup.objects.all()
