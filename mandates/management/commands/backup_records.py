"""Write every record of the reference apps, and the staff groups, as one JSON file.

    python manage.py backup_records --output backup.json

The format is `dumpdata --natural-foreign --natural-primary`: rows carry their natural keys and
no primary keys, and refer to each other (and groups to their permissions) by natural key, so
the file loads into any database with the same migrations (`restore_records`). Users, sessions,
login attempts, content types, permissions and change histories are not part of it; what the
reference-data load last wrote (mandates.LoadedRecord, by natural key) is, so that a load after
a restore still tells the staff's edits and deletions from its own records.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from simple_history.models import HistoricalChanges

RECORD_APPS = ("instruments", "partners", "mandates")


def record_models():
    """The models whose rows a backup holds. Their change histories (django-simple-history
    tables) are an audit log kept by the database's own backups, not records; tables Django
    does not manage (SQLite's search index, kept by triggers) are derived from the records."""
    return [
        model
        for label in RECORD_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not issubclass(model, HistoricalChanges)
    ]


def labels():
    """What a backup holds, as dumpdata labels; restore_records uses the same list."""
    return [model._meta.label for model in record_models()] + ["auth.Group"]


class Command(BaseCommand):
    help = "Export instruments, partners, mandates and auth groups as JSON with natural keys."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, **options):
        call_command(
            "dumpdata",
            *labels(),
            format="json",
            indent=1,
            natural_foreign=True,
            natural_primary=True,
            database=database,
            output=output,
            stdout=self.stdout,
            verbosity=0,
        )
        if output and options["verbosity"] > 0:
            self.stderr.write(f"Wrote {output}")
