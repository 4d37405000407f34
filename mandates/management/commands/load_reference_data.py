"""Load the reference data (fixtures/*.json) in dependency order, in one transaction.

Every fixture row is keyed by its natural key and has no "pk", so a second run updates the rows
the first one made instead of adding new ones. If any row fails, nothing is kept, and the error
names the fixture file and the record.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from pagecache import version

# Fixture files, each after the ones it refers to.
FIXTURES = [
    "bodies",
    "addressees",
    "activities",
    "instruments",
    "partners",
    "partner_tools",
    "resolutions",
    "resolution_instruments",
    "resolution_citations",
    "paragraphs",
    "expert_groups",
    "expert_group_meetings",
    "page_entries",
    "open_questions",
]

# The fields that make up each model's natural key, to name a failing record in an error.
NATURAL_KEY_FIELDS = {
    "mandates.body": ["code"],
    "mandates.addressee": ["slug"],
    "mandates.activity": ["slug"],
    "mandates.resolution": ["body", "number"],
    "mandates.resolutioninstrument": ["resolution", "instrument", "relation"],
    "mandates.resolutioncitation": ["citing", "cited", "relation"],
    "mandates.paragraph": ["resolution", "position"],
    "mandates.expertgroup": ["slug"],
    "mandates.expertgroupmeeting": ["group", "number"],
    "mandates.pageentry": ["position"],
    "mandates.openquestion": ["slug"],
    "instruments.instrument": ["slug"],
    "partners.partner": ["slug"],
    "partners.partnertool": ["partner", "slug"],
}


def describe_record(record):
    """'mandates.resolution ["SC", "2199 (2015)"]': the model and the natural key of a row."""
    if not isinstance(record, dict):
        return f"{record!r:.80}"
    label = str(record.get("model", "?")).lower()
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    key = []
    for name in NATURAL_KEY_FIELDS.get(label, []):
        value = fields.get(name)
        key.extend(value if isinstance(value, list) else [value])
    if not key:
        return f"{label} {json.dumps(fields, ensure_ascii=False, default=str):.200}"
    return f"{label} {json.dumps(key, ensure_ascii=False)}"


HISTORY_REASON = "Loaded from the reference data"
FIXTURE_APPS = ("mandates", "instruments", "partners")


def record_history(database):
    """Give every loaded record a version in its history, so later admin edits can be undone.

    loaddata saves raw rows, which django-simple-history does not record. A record with no
    history gets a first version; one whose fields differ from its last version (the fixture
    changed since the last load) gets a new one. Unchanged records get nothing, so loading
    twice adds nothing. Synthetic load-testing rows are left out.
    """
    recorded = 0
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if model._meta.app_label not in FIXTURE_APPS or not manager_name:
            continue
        history = getattr(model, manager_name)
        # The fields a version records (a history may leave some out, e.g. search documents).
        recorded_fields = {f.attname for f in history.model._meta.concrete_fields}
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in recorded_fields]
        latest = {
            version.id: version
            for version in history.using(database).order_by("history_date", "history_id")
        }
        objects = model.objects.using(database).all()
        names = {f.name for f in model._meta.fields}
        # Synthetic rows, and the paragraphs and links that hang off them, have no history.
        for prefix in ("", "resolution__", "citing__"):
            if prefix.rstrip("_") in names or (not prefix and "is_synthetic" in names):
                objects = objects.filter(**{f"{prefix}is_synthetic": False})
        new, changed = [], []
        for obj in objects:
            last = latest.get(obj.pk)
            if last is None:
                new.append(obj)
            elif any(getattr(last, name) != getattr(obj, name) for name in fields):
                changed.append(obj)
        for objs, update in ((new, False), (changed, True)):
            if objs:
                history.bulk_history_create(
                    objs, update=update, default_change_reason=HISTORY_REASON
                )
                recorded += len(objs)
    return recorded


class Command(BaseCommand):
    help = (
        "Load the reference data from the fixture files in dependency order, in one "
        "transaction. Running it again updates the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            help="Folder holding the fixture files (default: fixtures/ in the project).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to load into.")

    def handle(self, *args, fixture_dir, database, verbosity, **options):
        fixture_dir = Path(fixture_dir)
        files = [fixture_dir / f"{name}.json" for name in FIXTURES]
        counts = {path.stem: len(self.read(path)) for path in files}
        # One data-version change for the whole load, not one a row (the page cache, pagecache/).
        with version.bulk_changes(using=database), transaction.atomic(using=database):
            for path in files:
                try:
                    call_command("loaddata", str(path), database=database, verbosity=0)
                except Exception as exc:
                    raise CommandError(self.explain(path, exc, database)) from exc
            recorded = record_history(database)
        if verbosity >= 1:
            summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
            self.stdout.write(
                f"Loaded {sum(counts.values())} records from {len(files)} fixture files "
                f"in {fixture_dir}: {summary}. {recorded} new versions in the history."
            )

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
            if not isinstance(record, dict) or "model" not in record:
                raise CommandError(f"{path}, record {index}: not a fixture record.")
            if "pk" in record:
                raise CommandError(
                    f'{path}, record {index} ({describe_record(record)}): has a "pk"; '
                    "reference data is keyed by natural keys only."
                )
            if record["model"].lower() not in NATURAL_KEY_FIELDS:
                raise CommandError(f"{path}, record {index}: unknown model {record['model']!r}.")
        return records

    def explain(self, path, exc, database):
        """Find which record of `path` made loaddata fail, and say so.

        loaddata's own message names the file but not the record (new rows have no pk yet), so
        the records are saved again one by one, each in a savepoint, until one fails. The
        caller raises, which rolls all of it back.
        """
        records = self.read(path)
        for index, record in enumerate(records, start=1):
            try:
                with transaction.atomic(using=database):
                    for obj in serializers.deserialize("python", [record], using=database):
                        obj.save(using=database)
            except Exception as record_exc:
                cause = record_exc.__cause__ or record_exc
                return (
                    f"Could not load {path}, record {index} ({describe_record(record)}): "
                    f"{type(cause).__name__}: {cause}"
                )
        return f"Could not load {path}: {exc}"
