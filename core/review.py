"""Changes that wait for review: the snapshot of a record's aggregate, writing one back, and
what publishing one would change. The PendingChange model (core/models.py) keeps them; the
admin (core/review_admin.py) makes and publishes them.

A record's *aggregate* is the record and the children edited with it: the reverse relations its
model names in ``REVIEW_CHILDREN`` (core.models.Record). A snapshot of it is what Django's
"python" serializer writes of each row (many-to-many values included), plus the row's
``version`` (django-concurrency's, which serializers leave out), in JSON:

    {"root": {"model": "mandates.resolution", "pk": 7, "fields": {...}, "version": 17...},
     "children": {"paragraphs": [{"model": "mandates.paragraph", "pk": 31, ...}, ...], ...}}

Writing one back goes through the models' own save() and delete(), so every rule, history
record and signal of an ordinary save applies.
"""

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history import word_diff

PUBLISH_PERMISSION = "core.publish_pendingchange"
# Moves at every save: not part of what a change changes.
NOT_COMPARED = ("updated_at",)


def may_publish(user):
    """Whether `user`'s saves to public records are direct, and who publishes changes."""
    return user.has_perm(PUBLISH_PERMISSION)


class RecordGone(Exception):
    """The record a change was proposed for has been deleted since."""


# --- snapshots ------------------------------------------------------------------------------------


def as_json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def row(instance):
    """One row as Django's "python" serializer writes it, with its version."""
    (data,) = serializers.serialize("python", [instance])
    data["version"] = getattr(instance, "version", 0)
    return as_json(data)


def children_of(model):
    """(relation name, child model, foreign key to the root) for each child relation."""
    for name in model.REVIEW_CHILDREN:
        relation = model._meta.get_field(name)
        yield name, relation.related_model, relation.field


def m2m_names(model):
    return [
        f.name
        for f in model._meta.many_to_many
        if f.serialize and f.remote_field.through._meta.auto_created
    ]


def child_rows(model, fk, root_pk):
    rows = model._default_manager.filter(**{fk.attname: root_pk}).order_by("pk")
    return rows.prefetch_related(*m2m_names(model))


def snapshot(root):
    """The aggregate of `root` as the database holds it now."""
    model = type(root)
    fresh = model._default_manager.prefetch_related(*m2m_names(model)).get(pk=root.pk)
    return {
        "root": row(fresh),
        "children": {
            name: [row(child) for child in child_rows(child_model, fk, root.pk)]
            for name, child_model, fk in children_of(model)
        },
    }


def essence(data):
    """A row's fields as compared: not its version, nor what moves at every save."""
    return {k: v for k, v in data["fields"].items() if k not in NOT_COMPARED}


def differs(a, b):
    """Whether two snapshots hold different records (versions and save times aside)."""

    def shape(snap):
        children = snap.get("children", {})
        return (
            essence(snap["root"]),
            {name: [(r["pk"], essence(r)) for r in rows] for name, rows in children.items()},
        )

    return shape(a) != shape(b)


def existing_pks(base, current, name):
    """The children of a change that are rows the public has now: in the snapshot taken when
    the change was first proposed and still there. Any other row of the change is new."""
    if base is None or current is None:
        return set()
    then = {r["pk"] for r in base["children"].get(name, [])}
    return then & {r["pk"] for r in current["children"].get(name, [])}


# --- writing a snapshot back --------------------------------------------------------------------


def deserialized(data):
    """The row `data` as an unsaved instance, and its many-to-many values {name: [pks]}."""
    plain = {"model": data["model"], "pk": data["pk"], "fields": data["fields"]}
    (obj,) = serializers.deserialize("python", [plain], ignorenonexistent=True)
    return obj.object, obj.m2m_data


def write(instance, data, m2m, now, *, reason, user):
    """Save `instance` with the row `data` as an ordinary save would, if it differs from the
    row as it is `now` (None: a new row); then its many-to-many values that differ."""
    if reason is not None:
        instance._change_reason = reason
    if user is not None:
        instance._history_user = user
    if now is None or essence(now) != essence(data):
        instance.save(force_insert=now is None and instance.pk is not None)
    for name, pks in m2m.items():
        if now is None or sorted(now["fields"].get(name) or []) != sorted(pks):
            getattr(instance, name).set(pks)


def apply(data, base, *, keep_pks, reason=None, user=None):
    """Write the snapshot `data` into the record tables; returns (root, rekeyed).

    `base` is the snapshot taken when the change was first proposed: a child row of `data`
    that was in it and is still there is updated; the public's children that `data` does not
    hold are deleted; the others are inserted. With `keep_pks` (for editing, inside a savepoint
    that is rolled back) new rows keep the ids they have in `data`, so a form shown on one
    request posts the same ids on the next, and every row's version is set back to the one in
    `data`, which the form carries; a new row whose id another row took since is given a new
    one, written into `data` (rekeyed is then True). Without it (publishing) new rows get
    fresh ids. `reason` and `user` go into the history of each row written."""
    model = apps.get_model(data["root"]["model"])
    root_pk = data["root"]["pk"]
    current = None
    if root_pk is None:  # a proposed new record
        root, m2m = deserialized(data["root"])
        root.pk = None
        write(root, data["root"], m2m, None, reason=reason, user=user)
    else:
        root = model._default_manager.filter(pk=root_pk).first()
        if root is None:
            raise RecordGone(root_pk)
        current = snapshot(root)
        proposed, m2m = deserialized(data["root"])
        copy_fields(proposed, root)
        write(root, data["root"], m2m, current["root"], reason=reason, user=user)

    rekeyed = False
    written = [(model, data["root"])]
    for name, child_model, fk in children_of(model):
        rows = data["children"].get(name, [])
        kept = existing_pks(base, current, name)
        now = {r["pk"]: r for r in current["children"].get(name, [])} if current else {}
        for child in child_rows(child_model, fk, root.pk):
            if child.pk not in kept or child.pk not in {r["pk"] for r in rows}:
                if reason is not None:
                    child._change_reason = reason
                if user is not None:
                    child._history_user = user
                child.delete()
        for child_data in rows:
            instance, m2m = deserialized(child_data)
            setattr(instance, fk.attname, root.pk)
            if child_data["pk"] in kept:
                existing = child_model._default_manager.get(pk=child_data["pk"])
                copy_fields(instance, existing)
                write(existing, child_data, m2m, now[child_data["pk"]], reason=reason, user=user)
                continue
            taken = child_model._default_manager.filter(pk=instance.pk).exists()
            if not keep_pks or taken:
                instance.pk = None
            write(instance, child_data, m2m, None, reason=reason, user=user)
            if keep_pks and child_data["pk"] != instance.pk:
                child_data["pk"] = instance.pk
                rekeyed = True
        written += [(child_model, r) for r in rows]
    if keep_pks:
        for row_model, row_data in written:
            if row_data["pk"] is not None and "version" in row_data:
                rows = row_model._default_manager.filter(pk=row_data["pk"])
                rows.update(version=row_data["version"])
    return root, rekeyed


def copy_fields(source, target):
    """The serialized fields of `source` onto `target` (a row read from the database, which
    keeps what serializers leave out: the version, the search document)."""
    for f in target._meta.concrete_fields:
        if f.serialize and not f.primary_key:
            setattr(target, f.attname, getattr(source, f.attname))


# --- what publishing would change -----------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    pieces: list | None = None  # a text's words: [(kind, text)], kind same/removed/added
    added: list = field(default_factory=list)  # many-to-many: names added
    removed: list = field(default_factory=list)  # and removed


@dataclass
class RowChange:
    kind: str  # "added", "removed" or "changed"
    label: str
    fields: list = field(default_factory=list)

    KIND_LABELS = {
        "added": gettext_lazy("Added"),
        "removed": gettext_lazy("Removed"),
        "changed": gettext_lazy("Changed"),
    }

    @property
    def kind_label(self):
        return self.KIND_LABELS[self.kind]


@dataclass
class Diff:
    fields: list  # [FieldChange] of the record itself
    children: list  # [(heading, [RowChange])], only relations with a change

    @property
    def is_empty(self):
        return not self.fields and not self.children


def shown(model_field, value):
    """A stored value as a person reads it: choice labels, related records' names."""
    if value in (None, "", [], {}):
        return ""
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else _("a record that no longer exists")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def related_names(model_field, pks):
    related = model_field.related_model._default_manager.filter(pk__in=pks)
    return sorted(str(record) for record in related)


def field_changes(model, old, new):
    """[FieldChange] for each field whose value differs between two rows' fields (`old`
    None: every filled field of a new row)."""
    changes = []
    for f in model._meta.get_fields():
        if not getattr(f, "serialize", False) or f.name not in new or f.name in NOT_COMPARED:
            continue
        before = None if old is None else old.get(f.name)
        after = new[f.name]
        if f.many_to_many:
            before, after = set(before or []), set(after or [])
            if before != after:
                changes.append(
                    FieldChange(
                        str(f.verbose_name).capitalize(),
                        added=related_names(f, after - before),
                        removed=related_names(f, before - after),
                    )
                )
            continue
        if before == after or (old is None and after in (None, "", [], False)):
            continue
        change = FieldChange(str(f.verbose_name).capitalize(), shown(f, before), shown(f, after))
        words = isinstance(before, str) and isinstance(after, str)
        if words and any(c.isspace() for c in before + after):
            change.pieces = edited(before, after)
        changes.append(change)
    return changes


def edited(old, new):
    """The words of an edited text (core/history.py's word_diff()), or None for a text
    rewritten throughout (less than half of it kept), which reads better whole, old beside
    new."""
    pieces = word_diff(old, new)
    kept = sum(len(text) for kind, text in pieces if kind == "same")
    return pieces if 2 * kept >= (len(old) + len(new)) / 2 else None


def describe(data, fallback):
    """A child row's name, as its model gives it (new rows of a new record cannot say theirs)."""
    try:
        return str(deserialized(data)[0])
    except ObjectDoesNotExist:
        return fallback


def diff(data, base, current_record):
    """What publishing `data` would change against the public record now (`current_record`,
    None for a new one): the record's fields, word by word for texts, and its children added,
    removed or changed."""
    model = apps.get_model(data["root"]["model"])
    current = snapshot(current_record) if current_record is not None else None
    old = current["root"]["fields"] if current else None
    result = Diff(field_changes(model, old, data["root"]["fields"]), [])
    for name, child_model, fk in children_of(model):
        rows = data["children"].get(name, [])
        kept = existing_pks(base, current, name)
        now = {r["pk"]: r for r in current["children"].get(name, [])} if current else {}
        fallback = str(child_model._meta.verbose_name)
        changes = []
        for child in rows:
            if child["pk"] in kept:
                fields = field_changes(child_model, now[child["pk"]]["fields"], child["fields"])
                if fields:
                    changes.append(RowChange("changed", describe(child, fallback), fields))
            else:
                fields = field_changes(child_model, None, child["fields"])
                fields = [f for f in fields if f.label != str(fk.verbose_name).capitalize()]
                changes.append(RowChange("added", describe(child, fallback), fields))
        proposed = {child["pk"] for child in rows if child["pk"] in kept}
        for pk, child in now.items():
            if pk not in proposed:
                changes.append(RowChange("removed", describe(child, fallback)))
        if changes:
            heading = str(child_model._meta.verbose_name_plural).capitalize()
            result.children.append((heading, changes))
    return result
