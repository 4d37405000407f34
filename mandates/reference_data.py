"""Loading the reference data (fixtures/*.json) as a merge with the staff's work.

Each fixture record is identified by its natural key. The load remembers, per record, the
digest of what it wrote (LoadedRecord), so the next load can tell the staff's work from its own:

- no row, never loaded: the load creates it;
- no row, loaded before: staff deleted it; the load leaves it deleted and says so;
- the row already says what the reference data says: its digest is recorded, nothing written;
- the row is as the load last wrote it: staff have not touched it; the load updates it;
- the row differs from what the load last wrote, or has a change waiting for review: staff
  changed it; the load keeps the staff's version and says so, as a conflict when the
  reference data changed too since the last load.

A database loaded before the load kept track (no LoadedRecord yet) is read from the history
(django-simple-history): a record whose latest version is the load's own (HISTORY_REASON, or a
version with neither user nor reason, which only writes outside a staff request leave: the
links loaddata set) counts as loaded as it is; any other is the staff's, and a record the
history shows deleted stays deleted. For a record staff had changed or deleted
then, what the load last wrote is unknown: from then on it is compared with the reference data
as it was at that load.
"""

from collections import Counter

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import CommandError
from django.utils import timezone

from core.models import PendingChange
from mandates.models import LoadedRecord
from mandates.natural_keys import (
    NATURAL_KEY_FIELDS,
    Keys,
    describe,
    describe_record,
    digest,
    fixture_key,
    history_of,
    key_paths,
    key_text,
    linked_fields,
)

__all__ = ["FIXTURES", "HISTORY_REASON", "NATURAL_KEY_FIELDS", "Merge", "describe_record"]

# Fixture files, each after the ones it refers to (a record refers to records loaded before it).
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

HISTORY_REASON = "Loaded from the reference data"


def has_pending_change(obj):
    """Whether a change of `obj` (or of the record it is reviewed with: a paragraph's
    resolution) waits for a publisher's review: staff work the load leaves alone, like a change
    already saved."""
    root = getattr(obj, "review_root", obj)
    return PendingChange.objects.for_record(root).exists()


def record_versions(model, objs, update, using):
    """A version "Loaded from the reference data" in the history of each record written, with
    the links the history keeps (bulk_history_create leaves those out: add them as a save's
    version has them, so the next edit's diff shows only what the edit changed)."""
    history = history_of(model)
    if history is None:
        return
    versions = history.bulk_history_create(
        objs, update=update, default_change_reason=HISTORY_REASON
    )
    pk = model._meta.pk.attname
    version_of = {getattr(version, pk): version for version in versions}
    for field in history.model._history_m2m_fields:
        rows = getattr(history.model, field.name).model
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        links = through._base_manager.using(using).filter(**{f"{source}__in": list(version_of)})
        rows.objects.using(using).bulk_create(
            rows(
                history=version_of[getattr(link, source)],
                **{f.attname: getattr(link, f.attname) for f in through._meta.fields},
            )
            for link in links
        )


class Table:
    """One model's rows that the fixture records name, their links, and what was loaded."""

    def __init__(self, model, keys, using):
        self.model, self.label, self.using = model, model._meta.label_lower, using
        self.rows = {}  # key text -> live row
        self.links = {}  # pk -> {field name: [pks]}
        self.loaded = LoadedRecord.objects.using(using).for_model(self.label)
        self.tracked = bool(self.loaded)
        self._latest_reasons = None
        self._deleted = None
        self.keys = keys
        self.fixture_keys = []

    def read(self, fixture_keys):
        """The live rows with these keys, in a query (a superset, narrowed here) and their
        links in one query per many-to-many field."""
        self.fixture_keys = fixture_keys
        paths = key_paths(self.model)
        wanted = {key_text(key) for key in fixture_keys}
        lookups = {
            f"{path}__in": {key[i] for key in fixture_keys if key[i] is not None}
            for i, path in enumerate(paths)
        }
        manager = self.model._base_manager.using(self.using)
        found = {}
        for pk, *key in manager.filter(**lookups).values_list("pk", *paths):
            if key_text(key) in wanted:
                found[pk] = key
                self.keys.remember(self.model, pk, key)
        for pk, row in manager.in_bulk(list(found)).items():
            self.rows[key_text(found[pk])] = row
        self.links = {pk: {} for pk in found}
        for field in linked_fields(self.model):
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            pairs = through._base_manager.using(self.using).filter(**{f"{source}__in": list(found)})
            for pk, linked in pairs.values_list(source, target):
                self.links[pk].setdefault(field.name, []).append(linked)

    def own_key_values(self):
        """{field__in: values} of the key fields that are not foreign keys, from the fixture."""
        lookups, start = {}, 0
        for name in NATURAL_KEY_FIELDS[self.label]:
            field = self.model._meta.get_field(name)
            if field.is_relation:
                start += len(key_paths(field.related_model))
                continue
            lookups[f"{field.attname}__in"] = {key[start] for key in self.fixture_keys}
            start += 1
        return lookups

    def latest_is_the_loads(self, row):
        """Whether the row's latest version in the history is the load's own."""
        if self._latest_reasons is None:
            history = history_of(self.model)
            self._latest_reasons = {}
            if history is not None:
                pk = self.model._meta.pk.attname
                rows = [row.pk for row in self.rows.values()]
                versions = history.using(self.using).filter(**{f"{pk}__in": rows})
                ordered = versions.order_by("history_date", "history_id")
                for found, reason, user in ordered.values_list(
                    pk, "history_change_reason", "history_user"
                ):
                    self._latest_reasons[found] = (reason, user)
        reason, user = self._latest_reasons.get(row.pk, ("", 0))
        # The load's own version; or one written outside any staff request (no user, no
        # reason): the links loaddata set, before the load kept track of what it loaded.
        return reason == HISTORY_REASON or (user is None and not reason)

    def deleted_in_history(self, text):
        """Whether the history shows a row with this key deleted (and it is not back). Asked
        only of a table the load has not kept track of yet (the upgrade): after that, what
        the load loaded is known, and a record it never loaded is new."""
        if self.tracked:
            return False
        if self._deleted is None:
            self._deleted = set()
            history = history_of(self.model)
            if history is not None:
                # Only deletions whose own key values (a slug, a position) are the fixture's.
                gone = history.using(self.using).filter(history_type="-", **self.own_key_values())
                for pk in set(gone.values_list(self.model._meta.pk.attname, flat=True)):
                    key = self.keys.historic(self.model, pk)
                    if key is not None:
                        self._deleted.add(key_text(key))
        return text in self._deleted and text not in self.rows


class Merge:
    """One load: decides each record's fate, writes what it may, and keeps the account."""

    KINDS = ("created", "updated", "unchanged", "kept", "conflicts", "deleted")

    def __init__(self, using):
        self.using = using
        self.keys = Keys(using)
        self.counts = Counter({kind: 0 for kind in self.KINDS})
        self.notes = []  # what staff did that the load leaves as it is, one line a record
        self.deleted = {}  # label -> key texts of records staff deleted
        self.versions = []  # (row written, whether it existed before)
        self.remembered = []  # LoadedRecords to create
        self.changed = []  # LoadedRecords to update
        self.now = timezone.now().replace(microsecond=0)  # as a JSON dump (a backup) keeps it

    # --- one file --------------------------------------------------------------------------

    def load(self, path, records):
        tables = {}
        for index, record in enumerate(records, start=1):
            model = apps.get_model(record["model"])
            if model not in tables:
                keys = [
                    self.fixture_key(path, i, model, r)
                    for i, r in enumerate(records, start=1)
                    if r["model"].lower() == model._meta.label_lower
                ]
                tables[model] = Table(model, self.keys, self.using)
                tables[model].read(keys)
            self.merge(path, index, record, tables[model])

    def fixture_key(self, path, index, model, record):
        try:
            return fixture_key(model, record["fields"])
        except Exception as exc:
            raise self.error(path, index, record, exc) from exc

    def merge(self, path, index, record, table):
        key = self.fixture_key(path, index, table.model, record)
        text, name = key_text(key), describe(table.label, key)
        row, loaded = table.rows.get(text), table.loaded.get(text)
        gone = self.deleted_reference(table.model, record["fields"])
        if row is None:
            if loaded is not None or table.deleted_in_history(text):
                if loaded is None:  # deleted before the load kept track: what it wrote is unknown
                    self.remember(table, text, loaded, "")
                return self.staff_deleted(table, text, f"{name}: deleted by staff; not restored")
            if gone:
                why = f"refers to {gone}, which staff deleted; not created"
                return self.staff_deleted(table, text, f"{name}: {why}")
            obj = self.deserialize(path, index, record)
            new = self.digest_of(obj)  # before the save, which empties obj.m2m_data
            self.write(path, index, record, obj, pk=None)
            self.count("created")
            return self.remember(table, text, loaded, new)
        label = f"{row} ({name})"
        if loaded is not None:
            baseline = loaded.digest or None  # empty: unknown (deleted before it was tracked)
        elif table.latest_is_the_loads(row):
            baseline = self.live_digest(table, row)  # loaded by the load before it kept track
        else:
            baseline = None
        current = self.live_digest(table, row)
        if gone:
            why = f"the reference data refers to {gone}, which staff deleted"
            self.note("kept", f"{label}: {why}; the record here is kept")
            if loaded is None:
                self.remember(table, text, loaded, current)
            return
        obj = self.deserialize(path, index, record)
        new = self.digest_of(obj)
        if current == new:
            self.count("unchanged")
            return self.remember(table, text, loaded, new)
        if baseline == current and not has_pending_change(row):
            self.write(path, index, record, obj, pk=row.pk)
            self.count("updated")
            return self.remember(table, text, loaded, new)
        if baseline is not None and new != baseline:
            why = "changed by staff and in the reference data; the staff's version is kept"
            self.note("conflicts", f"{label}: {why}")
        else:
            self.note("kept", f"{label}: changed by staff; the staff's version is kept")
        if loaded is None:  # from now on, compared with the reference data as it is now
            self.remember(table, text, loaded, new)

    def staff_deleted(self, table, text, line):
        """A record staff deleted stays deleted, and so do the records that hang off it."""
        self.deleted.setdefault(table.label, set()).add(text)
        self.note("deleted", line)

    def deleted_reference(self, model, fields):
        """The name of a record staff deleted that this fixture record refers to, or None."""
        for name, value in fields.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # the deserializer names it
            if not field.is_relation or not value:
                continue
            label = field.related_model._meta.label_lower
            for key in value if field.many_to_many else [value]:
                if isinstance(key, list) and key_text(key) in self.deleted.get(label, ()):
                    return describe(label, key)
        return None

    # --- reading and writing ---------------------------------------------------------------

    def deserialize(self, path, index, record):
        try:
            (obj,) = serializers.deserialize("python", [record], using=self.using)
        except Exception as exc:
            raise self.error(path, index, record, exc) from exc
        return obj

    def write(self, path, index, record, obj, pk):
        """Save a fixture record as loaddata does (raw, links set), over row `pk` if given."""
        obj.object.pk = pk
        if pk is not None:  # links the fixture leaves out are written empty, as digested
            for field in linked_fields(type(obj.object)):
                obj.m2m_data.setdefault(field.name, [])
        obj.object.skip_history_when_saving = True  # one version a record, in finish()
        try:
            obj.save(using=self.using)
        except Exception as exc:
            raise self.error(path, index, record, exc) from exc
        finally:
            del obj.object.skip_history_when_saving
        self.versions.append((obj.object, pk is not None))

    @staticmethod
    def error(path, index, record, exc):
        cause = exc.__cause__ or exc
        return CommandError(
            f"Could not load {path}, record {index} ({describe_record(record)}): "
            f"{type(cause).__name__}: {cause}"
        )

    def digest_of(self, obj):
        return digest(obj.object, obj.m2m_data, self.keys)

    def live_digest(self, table, row):
        return digest(row, table.links.get(row.pk, {}), self.keys)

    def remember(self, table, text, loaded, value):
        if loaded is None:
            record = LoadedRecord(model=table.label, key=text, digest=value, loaded_at=self.now)
            self.remembered.append(record)
            table.loaded[text] = record
        elif loaded.digest != value:
            loaded.digest, loaded.loaded_at = value, self.now
            self.changed.append(loaded)

    def count(self, kind):
        self.counts[kind] += 1

    def note(self, kind, line):
        self.count(kind)
        self.notes.append(line)

    # --- the end ---------------------------------------------------------------------------

    def finish(self):
        """Write the history versions and what was loaded; returns the number of versions."""
        by_model = {}
        for obj, update in self.versions:
            by_model.setdefault((type(obj), update), []).append(obj)
        for (model, update), objs in by_model.items():
            record_versions(model, objs, update, self.using)
        records = LoadedRecord.objects.using(self.using)
        records.bulk_create(self.remembered)
        records.bulk_update(self.changed, ["digest", "loaded_at"])
        return len(self.versions)

    @property
    def wrote(self):
        """Whether the load wrote any record (what it remembers is not shown on any page)."""
        return bool(self.versions)
