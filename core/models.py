"""Provenance shared by every record: where its facts were read, and how sure we are of them."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from concurrency.fields import IntegerVersionField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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


class SourceKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    COPY = "copy", _("Copy of the official document")
    SECONDARY = "secondary", _("Secondary")


# The sites of the UN system and of the organisations whose texts we record: a source there is
# "official". Any host ending in one of these (press.un.org, webarchive.unesco.org) counts.
OFFICIAL_HOSTS = (
    "un.org",
    "undocs.org",
    "unodc.org",
    "odccp.org",  # UNODC's former name and site
    "unvienna.org",  # the UN Information Service, Vienna
    "unic.org.in",  # the UN Information Centre, New Delhi
    "unesco.org",
    "iom.int",
    "basel.int",
    "interpol.int",
    "unidroit.org",
    "wcoomd.org",
    "osce.org",
    "icom.museum",
    "obs-traffic.museum",  # ICOM's observatory on illicit traffic
    "coe.int",  # the Council of Europe, for its own conventions
)

# Never cited: quiz pages and machine-translated mirrors of encyclopaedias.
BARRED_HOSTS = ("quizzclub.com", "xcv.wiki", "stringtranslate.com")


def _host_in(host, domains):
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Source:
    kind: str
    url: str

    @property
    def host(self):
        host = (urlsplit(self.url).hostname or "").rstrip(".")
        return host.removeprefix("www.")

    @property
    def is_official_host(self):
        return _host_in(self.host, OFFICIAL_HOSTS)

    def get_kind_display(self):
        return SourceKind(self.kind).label


def parse_sources(text):
    """The sources written one a line as "kind URL" ("copy https://..."); a bare URL on an
    official host is official. Returns (sources, errors)."""
    sources, errors = [], []
    validate = URLValidator(schemes=["http", "https"])
    kinds = {k.value for k in SourceKind}
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        kind, url = (words[0].lower(), words[1:]) if words[0].lower() in kinds else ("", words)
        if len(url) != 1:
            errors.append(f"“{line.strip()}”: write the kind, a space, then one web address.")
            continue
        try:
            validate(url[0])
        except ValidationError:
            errors.append(f"“{url[0]}” is not a web address.")
            continue
        source = Source(kind or SourceKind.OFFICIAL, url[0])
        if _host_in(source.host, BARRED_HOSTS):
            errors.append(f"{source.host} is not cited here (quiz pages, machine translations).")
        elif not kind and not source.is_official_host:
            errors.append(
                f"{source.host} is not an official site: start the line with “copy” (a "
                "reproduction of the official document) or “secondary” (news, blogs, databases)."
            )
        elif source.kind == SourceKind.OFFICIAL and not source.is_official_host:
            errors.append(
                f"{source.host} is not a site of the UN system or of a partner organisation: "
                "mark it “copy” or “secondary”."
            )
        else:
            sources.append(source)
    return sources, errors


def normalise_text(value):
    """Line endings as \\n and no trailing spaces on any line or at the end: what a browser sends
    back (\\r\\n) is then the same text as what it was sent."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


class Status(models.TextChoices):
    """Where a record is in the review: only published records are public."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: every public page, export, feed, count and cache."""
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def visible_to(self, user):
        """Published records, and drafts too for signed-in staff (their previews)."""
        return self if user.is_active and user.is_staff else self.published()


class Publishable(models.Model):
    """Abstract base: a draft / published status. Records made in the admin or imported start
    as drafts; only a user with the model's "publish" permission publishes one, and a change an
    editor makes to a published record returns it to draft (core/admin.py). Data loaded by
    commands (fixtures, backups, load tests) is reviewed data: published by default."""

    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.PUBLISHED,
        db_index=True,
        help_text="Drafts are shown to staff only. Only publishers publish.",
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self):
        return self.status == Status.DRAFT


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


class Versioned(models.Model):
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
