"""The partners' pages in the sitemap (config/site.py), in each interface language."""

from core.sitemaps import RecordSitemap
from partners.models import Partner


class PartnerSitemap(RecordSitemap):
    def items(self):
        return Partner.public.all()
