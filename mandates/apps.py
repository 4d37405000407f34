from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MandatesConfig(AppConfig):
    name = "mandates"

    def ready(self):
        post_migrate.connect(install_tally, sender=self, dispatch_uid="mandates-tally")


def install_tally(sender, using, **kwargs):
    """After every migrate (and flush): the tally's triggers in place, its counts afresh."""
    from mandates import tally

    tally.install(using)
