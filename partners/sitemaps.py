"""The partners' pages in the sitemap (config/site.py), in each interface language."""

from django.contrib.sitemaps import Sitemap

from partners.models import Partner


class PartnerSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def lastmod(self, record):
        return record.updated_at

    def items(self):
        return Partner.objects.all()
