"""backup_records and restore_records: a backup restored into emptied tables gives back the same
records, and a restore is all or nothing.

These run inside the test's transaction (restore_records nests its own as a savepoint), so the
emptied tables come back when the test ends and the shared test database keeps its reference
data, on SQLite and PostgreSQL alike.
"""

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from instruments.models import Instrument
from mandates.management.commands.backup_records import labels, record_models
from mandates.models import Resolution

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")

pytestmark = pytest.mark.django_db

APPS = ("instruments", "partners", "mandates")


@pytest.fixture(autouse=True)
def _roles():
    """The staff groups, as migrated (a reused test database may have lost them to a flush)."""
    staff_roles.create_roles(apps, None)


def backup(path):
    call_command("backup_records", output=str(path), verbosity=0)
    return json.loads(path.read_text())


def canonical(records):
    """Records as a sorted list of strings: the order of rows and of many-to-many keys aside."""

    def normal(value):
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            return sorted(value)  # many-to-many: a list of natural keys, in no set order
        return value

    return sorted(
        json.dumps(
            {"model": r["model"], "fields": {k: normal(v) for k, v in r["fields"].items()}},
            sort_keys=True,
        )
        for r in records
    )


def empty_the_record_tables():
    """Delete every row of the three apps and of the groups (TRUNCATE/DELETE, in this test's
    transaction), as a fresh database would have them."""
    tables = {
        model._meta.db_table
        for label in APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed  # not SQLite's search index: its triggers empty it
    } | {Group._meta.db_table, Group.permissions.through._meta.db_table}
    statements = connection.ops.sql_flush(
        no_style(), sorted(tables), reset_sequences=False, allow_cascade=True
    )
    if connection.vendor == "postgresql":
        # Rows written earlier in this transaction (the staff groups' permissions) leave
        # deferred foreign-key checks pending, and PostgreSQL refuses to TRUNCATE under them:
        # run the checks now, then defer again as Django's test transaction expects.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_backup_holds_every_record_by_natural_key(tmp_path):
    records = backup(tmp_path / "backup.json")
    models = {r["model"] for r in records}
    assert "auth.group" in models
    assert {"mandates.resolution", "instruments.instrument", "partners.partner"} <= models
    assert not any(m.startswith(("contenttypes.", "sessions.", "axes.")) for m in models)
    assert not {"auth.permission", "auth.user"} & models
    assert all("pk" not in r for r in records)
    for model in record_models():
        rows = sum(1 for r in records if r["model"] == model._meta.label_lower)
        assert rows == model._default_manager.count(), model._meta.label
    editors = next(r for r in records if r["fields"].get("name") == "Editors")
    assert ["view_resolution", "mandates", "resolution"] in editors["fields"]["permissions"]


def test_restore_after_losing_every_record_gives_back_the_same_records(tmp_path):
    before = backup(tmp_path / "before.json")
    assert len(before) > 50  # the reference data is loaded

    empty_the_record_tables()
    assert not Resolution.objects.exists() and not Group.objects.exists()

    call_command("restore_records", str(tmp_path / "before.json"), verbosity=0)
    after = backup(tmp_path / "after.json")
    assert canonical(after) == canonical(before)
    # The pages still resolve their links: a resolution's instruments came back too.
    linked = Resolution.objects.filter(instruments__isnull=False).first()
    assert linked is not None and linked.instruments.exists()


def test_restore_refuses_a_database_that_has_records(tmp_path):
    backup(tmp_path / "backup.json")
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore_records", str(tmp_path / "backup.json"), verbosity=0)


def test_restore_with_merge_updates_in_place(tmp_path):
    records = backup(tmp_path / "backup.json")
    count = Instrument.objects.count()
    instrument = Instrument.objects.order_by("pk").first()
    Instrument.objects.filter(pk=instrument.pk).update(title="Changed since the backup")
    call_command("restore_records", str(tmp_path / "backup.json"), merge=True, verbosity=0)
    instrument.refresh_from_db()
    assert instrument.title != "Changed since the backup"
    assert Instrument.objects.count() == count
    assert len(records) == len(backup(tmp_path / "again.json"))


def test_restore_is_all_or_nothing(tmp_path):
    records = backup(tmp_path / "backup.json")
    # A resolution that names a body the file does not contain: the load fails near the end.
    broken = next(r for r in records if r["model"] == "mandates.resolution")
    broken = {**broken, "fields": {**broken["fields"], "body": ["NO-SUCH-BODY"]}}
    (tmp_path / "broken.json").write_text(json.dumps([*records, broken]))
    empty_the_record_tables()

    with pytest.raises(Exception):  # noqa: B017 - loaddata's DeserializationError or similar
        call_command("restore_records", str(tmp_path / "broken.json"), verbosity=0)
    for model in record_models():
        assert not model._default_manager.exists(), model._meta.label
    assert not Group.objects.exists()


def test_restore_names_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore_records", str(tmp_path / "missing.json"), verbosity=0)
    (tmp_path / "notes.txt").write_text("[]")
    with pytest.raises(CommandError, match="expected a .json file"):
        call_command("restore_records", str(tmp_path / "notes.txt"), verbosity=0)


def test_labels_cover_the_record_apps_but_not_their_history():
    covered = {label.split(".")[0] for label in labels()}
    assert set(APPS) <= covered
    assert "mandates.Resolution" in labels()
    assert not any("Historical" in label for label in labels())
