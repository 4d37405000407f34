"""Load a `backup_records` file into a database whose record tables are empty, in one
transaction: either every record is restored or none is.

    python manage.py migrate && python manage.py restore_records backup.json

The staff groups the migrations created are updated in place (they are matched by name). With
--merge, records that already exist are updated by natural key and the others added instead.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from mandates.management.commands.backup_records import record_models
from pagecache import version


class Command(BaseCommand):
    help = "Load a backup_records JSON file into an empty database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by backup_records (.json or .json.gz).")
        parser.add_argument(
            "--merge",
            action="store_true",
            help="Allow existing records: update them by natural key and add the rest.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, merge=False, database=DEFAULT_DB_ALIAS, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if not path.name.endswith((".json", ".json.gz", ".json.bz2", ".json.xz")):
            raise CommandError(f"{file}: expected a .json file written by backup_records.")
        # One data-version change for the whole restore, not one a row (pagecache/).
        with version.bulk_changes(using=database), transaction.atomic(using=database):
            if not merge:
                occupied = [
                    model._meta.label
                    for model in record_models()
                    if model._default_manager.using(database).exists()
                ]
                if occupied:
                    raise CommandError(
                        "The database already holds records ("
                        + ", ".join(occupied)
                        + "). Restore into a freshly migrated database, or pass --merge."
                    )
            call_command(
                "loaddata",
                str(path.resolve()),
                database=database,
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
