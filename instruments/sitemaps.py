"""The instruments' pages in the sitemap (config/site.py), in each interface language."""

from django.contrib.sitemaps import Sitemap

from instruments.models import Instrument


class InstrumentSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def lastmod(self, record):
        return record.updated_at

    def items(self):
        return Instrument.objects.all()
