"""The sitemap's shared bases (config/site.py puts the sections together): every page in each
interface language, with its alternates in the others (hreflang)."""

from django.contrib.sitemaps import Sitemap


class I18nSitemap(Sitemap):
    """Each item once per language of settings.LANGUAGES, with <xhtml:link> alternates."""

    i18n = True
    alternates = True
    x_default = True


class RecordSitemap(I18nSitemap):
    """Records: <lastmod> is when the record last changed."""

    def lastmod(self, record):
        return record.updated_at
