"""What a reference record is, by natural key: its key, read from a fixture record or from a
row (live, or deleted and found in the history), and the digest of its facts, the same for a
row and for the fixture record that would write it (mandates/reference_data.py compares them).
"""

import hashlib
import json

# The fields that make up each model's natural key, in the order of its natural_key(); a
# foreign key stands for the natural key of the row it points to.
NATURAL_KEY_FIELDS = {
    "mandates.body": ["code"],
    "mandates.addressee": ["slug"],
    "mandates.activity": ["slug"],
    "mandates.resolution": ["body", "slug"],
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

# Not facts of the record: derived on save (verification), when it was saved (updated_at), the
# lock of the admin form (version), the search index (search_document).
LEFT_OUT_OF_DIGEST = {"updated_at", "verification", "version", "search_document"}


def key_text(key):
    return json.dumps(list(key), ensure_ascii=False)


def describe(label, key):
    """'mandates.resolution ["SC", "2199-2015"]': a model and a natural key."""
    return f"{label} {key_text(key)}"


def describe_record(record):
    """A fixture record as describe() names it, for an error about that record."""
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
    return describe(label, key)


def key_paths(model):
    """The lookups that spell a model's natural key: a resolution's ["body__code", "slug"]."""
    paths = []
    for name in NATURAL_KEY_FIELDS[model._meta.label_lower]:
        field = model._meta.get_field(name)
        if field.is_relation:
            paths += [f"{name}__{path}" for path in key_paths(field.related_model)]
        else:
            paths.append(name)
    return paths


def fixture_key(model, fields):
    """The natural key a fixture record gives, as a list (a foreign key's key spliced in)."""
    key = []
    for name in NATURAL_KEY_FIELDS[model._meta.label_lower]:
        field = model._meta.get_field(name)
        value = fields.get(name)
        if field.is_relation:
            key.extend(value if isinstance(value, list) else [value])
        else:
            key.append(field.to_python(value))
    return key


def digested_fields(model):
    """The serialized fields of a record (what a fixture may say), less LEFT_OUT_OF_DIGEST."""
    return [
        field
        for field in model._meta.local_fields
        if field.serialize and field.name not in LEFT_OUT_OF_DIGEST
    ]


def linked_fields(model):
    """The many-to-many fields a fixture gives as lists of keys (not those through a model of
    their own, which are records of their own: a resolution's instruments, its citations)."""
    return [
        field
        for field in model._meta.local_many_to_many
        if field.serialize and field.remote_field.through._meta.auto_created
    ]


def history_of(model):
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


class Keys:
    """Natural keys of rows by primary key, read as needed and kept for one load. A row gone
    from the table is looked up in its history (the key of its last version)."""

    def __init__(self, using):
        self.using = using
        self.known = {}  # model -> {pk: key}

    def remember(self, model, pk, key):
        self.known.setdefault(model, {})[pk] = list(key)

    def of(self, model, pk):
        if pk is None:
            return None
        known = self.known.setdefault(model, {})
        if pk not in known:
            rows = model._base_manager.using(self.using).filter(pk=pk)
            for found, *key in rows.values_list("pk", *key_paths(model)):
                known[found] = key
        return known.get(pk)

    def historic(self, model, pk):
        """The key of a deleted row, from its last version in the history (None if none)."""
        history = history_of(model)
        version = None
        if history is not None:
            versions = history.using(self.using).filter(**{model._meta.pk.attname: pk})
            version = versions.order_by("-history_date", "-history_id").first()
        if version is None:
            return None
        key = []
        for name in NATURAL_KEY_FIELDS[model._meta.label_lower]:
            field = model._meta.get_field(name)
            value = getattr(version, field.attname)
            if field.is_relation:
                related = field.related_model
                part = self.of(related, value) or self.historic(related, value)
                if part is None:
                    return None
                key.extend(part)
            else:
                key.append(value)
        return key


def facts(obj, links, keys):
    """A record's facts as the load writes them: each serialized field (a foreign key as the
    natural key it points to) and each many-to-many list (sorted natural keys). `links` maps a
    many-to-many field's name to the primary keys it links to."""
    model = type(obj)
    values = {}
    for field in digested_fields(model):
        if field.is_relation:
            values[field.name] = keys.of(field.related_model, getattr(obj, field.attname))
        else:
            values[field.name] = field.value_from_object(obj)
    for field in linked_fields(model):
        linked = (keys.of(field.related_model, pk) for pk in links.get(field.name, ()))
        values[field.name] = sorted(linked, key=json.dumps)
    return values


def digest(obj, links, keys):
    """SHA-256 of facts(): the same for a row and for the fixture record that would write it."""
    text = json.dumps(facts(obj, links, keys), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
