"""Load the reference data (fixtures/*.json) in dependency order, in one transaction, as a merge
with the staff's work (mandates/reference_data.py): what is missing is added, what staff have
not touched since the last load is updated, and what staff changed or deleted is left as they
left it and named in the output. Safe to run at every start and every release.

Every fixture row is keyed by its natural key and has no "pk". If any row fails, nothing is
kept, and the error names the fixture file and the record.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from mandates.reference_data import (
    FIXTURES,
    HISTORY_REASON,
    NATURAL_KEY_FIELDS,
    Merge,
    describe_record,
)
from pagecache import version

__all__ = ["FIXTURES", "HISTORY_REASON", "NATURAL_KEY_FIELDS", "Command"]


class Command(BaseCommand):
    help = (
        "Load the reference data from the fixture files in dependency order, in one "
        "transaction: add what is missing, update what staff have not changed since the last "
        "load, and keep (and name) what staff changed or deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            help="Folder holding the fixture files (default: fixtures/ in the project).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to load into.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what a load would do, then roll everything back.",
        )

    def handle(self, *args, fixture_dir, database, verbosity, dry_run=False, **options):
        fixture_dir = Path(fixture_dir)
        files = [fixture_dir / f"{name}.json" for name in FIXTURES]
        contents = {path: self.read(path) for path in files}
        merge = Merge(database)
        # One data-version change for the whole load, and none if it wrote no record (pagecache/).
        with version.bulk_changes(using=database) as batch, transaction.atomic(using=database):
            for path, records in contents.items():
                merge.load(path, records)
            versions = merge.finish()
            batch.wrote = merge.wrote and not dry_run
            if dry_run:
                transaction.set_rollback(True, using=database)
        if verbosity >= 1:
            for line in merge.notes:
                self.stdout.write(line)
            self.stdout.write(self.summary(fixture_dir, contents, merge, versions, dry_run))

    @staticmethod
    def summary(fixture_dir, contents, merge, versions, dry_run):
        per_file = ", ".join(
            f"{len(records)} {path.stem.replace('_', ' ')}" for path, records in contents.items()
        )
        counts = merge.counts
        total = sum(len(records) for records in contents.values())
        line = (
            f"{total} records in {len(contents)} fixture files in {fixture_dir} ({per_file}): "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['kept']} kept as staff changed them, "
            f"{counts['conflicts']} conflicts (changed by staff and in the reference data; "
            f"the staff's version kept), {counts['deleted']} deleted by staff (not restored). "
            f"{versions} new versions in the history."
        )
        if dry_run:
            return f"Dry run, rolled back: nothing was written. {line}"
        return f"Loaded the reference data: {line}"

    def read(self, path):
        """The records of one fixture file, checked for the shape this command relies on."""
        if not path.is_file():
            raise CommandError(f"{path}: fixture file not found.")
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise CommandError(f"{path}: not valid JSON: {exc}") from exc
        if not isinstance(records, list):
            raise CommandError(f"{path}: a fixture file holds a list of records.")
        for index, record in enumerate(records, start=1):
            if (
                not isinstance(record, dict)
                or "model" not in record
                or not isinstance(record.get("fields"), dict)
            ):
                raise CommandError(f"{path}, record {index}: not a fixture record.")
            if "pk" in record:
                raise CommandError(
                    f'{path}, record {index} ({describe_record(record)}): has a "pk"; '
                    "reference data is keyed by natural keys only."
                )
            label = str(record["model"]).lower()
            if label not in NATURAL_KEY_FIELDS:
                raise CommandError(f"{path}, record {index}: unknown model {record['model']!r}.")
            missing = [name for name in NATURAL_KEY_FIELDS[label] if name not in record["fields"]]
            if missing:
                raise CommandError(
                    f"{path}, record {index} ({describe_record(record)}): no "
                    f"{', '.join(missing)}: reference data is keyed by natural keys."
                )
        return records
