from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """Whole public pages cached per URL until any record changes (pagecache/middleware.py)."""

    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        # Infrastructure, not domain logic: every write to a record, wherever it comes from
        # (admin, shell, history revert, loaddata), moves the data version on.
        from pagecache import version

        version.connect_receivers()
