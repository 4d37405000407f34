"""The instruments' pages in the sitemap (config/site.py), in each interface language."""

from core.sitemaps import RecordSitemap
from instruments.models import Instrument


class InstrumentSitemap(RecordSitemap):
    def items(self):
        return Instrument.public.all()
