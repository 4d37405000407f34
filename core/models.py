"""The bases every record shares: its provenance (the sources themselves: core/sources.py) and
how sure we are of it, what the public sees of it (drafts, and the `public` managers public
code reads through), optimistic locking, and the changes to it that wait for review."""

from concurrency.fields import IntegerVersionField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.sources import (  # noqa: F401 - named here too, for the modules that import them so
    BARRED_HOSTS,
    OFFICIAL_HOSTS,
    Source,
    SourceKind,
    normalise_text,
    parse_sources,
)
from core.text import joined


def errors_of(check):
    """The errors `check()` raises, as {field: [messages]}, instead of stopping at them: a
    subclass's clean() adds its own, so the form shows every error in one round."""
    try:
        check()
    except ValidationError as error:
        return error.update_error_dict({})
    return {}


class Verification(models.TextChoices):
    """How well a record's key facts are backed, from the kinds of its sources (never chosen)."""

    CONFIRMED = "confirmed", _("Confirmed")
    CORROBORATED = "corroborated", _("Corroborated")
    UNVERIFIED = "unverified", _("Unverified")


class Status(models.TextChoices):
    """Where a record is in the review: only published records are public."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# --- What the public sees: one rule, in the managers ----------------------------------------------


class RecordQuerySet(models.QuerySet):
    """Every record model's QuerySet. `public()` is what the public may see: every row of a
    model without drafts; a model with drafts, or whose rows follow a record with drafts,
    narrows it (PublishableQuerySet, and the QuerySets of a resolution's paragraphs and links)."""

    def public(self):
        return self


class PublicManager(models.Manager):
    """A record model's second manager, `public`: its QuerySet's `public()` rows only.

    Public code (views, feeds, exports, sitemaps, counts, filter choices) reads through
    `Model.public`, and reaches related records through Prefetch(..., queryset=X.public...)
    inside QuerySet methods named for the page; `objects` stays every row, for the admin,
    commands, serialization and staff previews (Django's related managers, loaddata's natural
    keys, unique checks and inline formsets all use the default manager, so it is not filtered).
    Made per model with the model's own QuerySet: `PublicManager.from_queryset(XQuerySet)()`."""

    def get_queryset(self):
        return super().get_queryset().public()


class PublishableQuerySet(RecordQuerySet):
    def public(self):
        return self.published()

    def published(self):
        """What the public may see: every public page, export, feed, count and cache."""
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)


class Record(models.Model):
    """Abstract base of every record: what the public sees of it, and what is reviewed with it.

    A change an editor makes to a public record waits for review as a PendingChange of its
    *aggregate*: the record and the children edited with it. A root model names those reverse
    relations in ``REVIEW_CHILDREN``; a child model names the foreign key to its root in
    ``REVIEW_ROOT`` (a change made through the child's own admin is a change of its root)."""

    REVIEW_CHILDREN = ()  # reverse relations edited with the record: ("paragraphs", ...)
    REVIEW_ROOT = None  # on a child: the foreign key to the record it is reviewed with

    class Meta:
        abstract = True

    @classmethod
    def has_drafts(cls):
        """Whether some rows of this model are drafts (a child's follow its root's)."""
        if cls.REVIEW_ROOT:
            return cls._meta.get_field(cls.REVIEW_ROOT).related_model.has_drafts()
        return False

    @property
    def review_root(self):
        """The record whose pending change holds a change to this row: its root, or itself."""
        return getattr(self, self.REVIEW_ROOT) if self.REVIEW_ROOT else self

    @property
    def is_public(self):
        """Whether the public sees this row: a child follows its root; a record without
        drafts always (Publishable narrows it)."""
        return self.review_root.is_public if self.REVIEW_ROOT else True

    @property
    def was_public(self):
        """Whether the public saw this row as it was read (a record returned to draft)."""
        return self.is_public


class Publishable(models.Model):
    """Abstract base: a draft / published status. Records made in the admin or imported start
    as drafts; only a user with the model's "publish" permission publishes one. A change an
    editor makes to a published record waits for review as a PendingChange while the public
    keeps seeing the published record (core/review_admin.py). Data loaded by commands (fixtures,
    backups, load tests) is reviewed data: published by default."""

    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.PUBLISHED,
        db_index=True,
        help_text="Drafts are shown to staff only. Only publishers publish.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._status_read = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        record._status_read = record.__dict__.get("status")  # for was_public
        return record

    @classmethod
    def has_drafts(cls):
        return True

    @property
    def is_draft(self):
        return self.status == Status.DRAFT

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED

    @property
    def was_public(self):
        return getattr(self, "_status_read", None) == Status.PUBLISHED


class RecordVersionField(IntegerVersionField):
    """django-concurrency's version, left out of fixtures, backups and dumps: it says when a row
    was last saved here, not what the record is (a loaded row gets a fresh one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.serialize = False

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("serialize", None)
        return name, path, args, kwargs


class Versioned(Record):
    """Abstract base: optimistic locking (django-concurrency). Every save stores a new
    ``version``; saving an instance read before someone else's save fails instead of silently
    overwriting it (the admin form shows both versions: core/admin.py). A version of 0 (loaddata,
    backups, restores) is not checked. Kept out of the history: it is not a fact of the record."""

    version = RecordVersionField(help_text="Changes at every save; an edit of an older one fails.")

    class Meta:
        abstract = True


class Sourced(Versioned):
    """Abstract base: the sources a record rests on and a verification status readers can see.

    The status follows from the record, on every save: *confirmed* when an official source or a
    copy of the official document backs it and none of its key facts (``KEY_FIELDS``) is marked
    as not read in a source; *corroborated* when only secondary sources back it (and no key fact
    is marked); *unverified* otherwise. Single values not read in any source are named in
    ``unverified_fields``, so a page can mark exactly those values. A value nobody could
    establish stays empty: that is not a doubt about it, so it does not lower the status.
    """

    KEY_FIELDS = ()  # the facts that identify and date the record; each model names its own
    # How the status sentence names each key fact (verification_statement), translatable.
    KEY_FACT_NAMES = {
        "number": pgettext_lazy("a key fact of a record", "number"),
        "title": pgettext_lazy("a key fact of a record", "title"),
        "name": pgettext_lazy("a key fact of a record", "name"),
        "full_name": _("full name"),
        "adopted_on": _("date of adoption"),
        "year": _("year of adoption"),
        "summary": _("what it asks"),
        "starts_on": _("first day"),
        "ends_on": _("last day"),
        "place": pgettext_lazy("a key fact of a record", "place"),
    }

    verification = models.CharField(
        max_length=12,
        choices=Verification,
        default=Verification.UNVERIFIED,
        db_index=True,
        editable=False,
        help_text="Follows from the sources' kinds and the unverified fields, on every save.",
    )
    verification_note = models.TextField(
        blank=True, help_text="What is uncertain, conflicting or still to be checked."
    )
    sources = models.TextField(
        blank=True,
        help_text="One source a line: its kind (official, copy or secondary), a space, its web "
        "address. A bare address on a UN or partner site is official.",
    )
    unverified_fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Field names whose value was not read in a source, e.g. ["symbol"].',
    )
    updated_at = models.DateTimeField(
        _("last changed"), null=True, blank=True, editable=False, db_index=True
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise_texts()
        self.verification = self.derived_verification()
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "verification", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def source_list(self):
        return parse_sources(self.sources)[0]

    @property
    def source_urls(self):
        return [source.url for source in self.source_list]

    def sources_by_kind(self):
        """[(kind label, [sources])]: official, copy, secondary, leaving out empty kinds."""
        sources = self.source_list
        return [
            (kind.label, [s for s in sources if s.kind == kind])
            for kind in SourceKind
            if any(s.kind == kind for s in sources)
        ]

    @property
    def is_confirmed(self):
        return self.verification == Verification.CONFIRMED

    @property
    def unverified_key_fields(self):
        return [name for name in self.KEY_FIELDS if name in (self.unverified_fields or [])]

    # --- what the status vouches for, in words (the record page and the exports)

    def key_fact_name(self, name):
        return self.KEY_FACT_NAMES.get(name) or self._meta.get_field(name).verbose_name

    @property
    def missing_key_fields(self):
        """The key facts nobody could establish: empty, and so not part of what is vouched for."""
        return [name for name in self.KEY_FIELDS if getattr(self, name) in (None, "")]

    def established_key_facts(self):
        """The names of the key facts that are known and were read in a source: what the
        status vouches for. A model may name them with their values (Resolution does)."""
        left_out = {*self.missing_key_fields, *self.unverified_key_fields}
        return [self.key_fact_name(name) for name in self.KEY_FIELDS if name not in left_out]

    @property
    def verification_statement(self):
        """The status and what it covers, in the page's language, built from KEY_FIELDS: "Confirmed:
        year of adoption (2022); not established: number, title and date of adoption." The
        record page and every export say the same words."""
        status = str(Verification(self.verification).label)
        if self.verification != Verification.UNVERIFIED:
            facts = self.established_key_facts()
            first = gettext("%(status)s: %(facts)s") % {"status": status, "facts": joined(facts)}
            parts = [first if facts else status]
        elif self.unverified_key_fields or self.source_list:
            parts = [status]
        else:
            parts = [gettext("%(status)s: no source is listed yet") % {"status": status}]
        missing = [self.key_fact_name(name) for name in self.missing_key_fields]
        if missing:
            parts.append(gettext("not established: %(facts)s") % {"facts": joined(missing)})
        unread = [
            self.key_fact_name(name)
            for name in self.unverified_key_fields
            if name not in self.missing_key_fields
        ]
        if unread:
            parts.append(gettext("not yet read in a source: %(facts)s") % {"facts": joined(unread)})
        statement = parts[0]
        for part in parts[1:]:
            # Translators: one part of a record's status after another ("…; not established: …").
            statement = gettext("%(statement)s; %(part)s") % {"statement": statement, "part": part}
        return statement + "."

    def derived_verification(self):
        if self.unverified_key_fields:
            return Verification.UNVERIFIED
        kinds = {source.kind for source in self.source_list}
        if kinds & {SourceKind.OFFICIAL, SourceKind.COPY}:
            return Verification.CONFIRMED
        if SourceKind.SECONDARY in kinds:
            return Verification.CORROBORATED
        return Verification.UNVERIFIED

    def normalise_texts(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, normalise_text(value))

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """As Model.full_clean, but an error that clean() ties to a field the form leaves out
        (a read-only inline, a partial form) is shown as a form-wide error, not a crash."""
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        except ValidationError as error:
            if not exclude or not hasattr(error, "error_dict"):
                raise
            remapped = {}
            for field, errors in error.error_dict.items():
                key = NON_FIELD_ERRORS if field in exclude else field
                remapped.setdefault(key, []).extend(errors)
            raise ValidationError(remapped) from error

    def clean(self):
        super().clean()
        errors = {}
        source_errors = parse_sources(self.sources)[1]
        if source_errors:
            errors["sources"] = source_errors
        names = {f.name for f in self._meta.get_fields()}
        if not isinstance(self.unverified_fields, list):
            errors["unverified_fields"] = "Give a list of field names."
        else:
            unknown = [n for n in self.unverified_fields if n not in names]
            if unknown:
                errors["unverified_fields"] = f"No such field: {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)


# The changes that wait for review have a module of their own (core/pending.py), imported here,
# where Django looks for the app's models.
from core.pending import PendingChange, PendingChangeQuerySet  # noqa: E402, F401
