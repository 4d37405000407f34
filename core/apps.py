from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared bases the other apps import: the sourced-record base, admin bases, helpers.

    It imports none of them."""

    name = "core"
    verbose_name = "Shared"
