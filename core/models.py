"""Provenance shared by every record: where its facts were read, and how sure we are of them."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Verification(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    UNVERIFIED = "unverified", _("Unverified")


class Sourced(models.Model):
    """Abstract base: the sources a record rests on and a verification status readers can see.

    A record is *confirmed* when the facts that identify and date it were read in a listed source.
    Single values that were recalled rather than read are named in ``unverified_fields``, so a page
    can mark exactly those values, even on a confirmed record.
    """

    verification = models.CharField(
        max_length=10, choices=Verification, default=Verification.UNVERIFIED, db_index=True
    )
    verification_note = models.TextField(
        blank=True, help_text="What is uncertain, conflicting or still to be checked."
    )
    sources = models.TextField(
        blank=True, help_text="One URL per line: the public pages these facts were read in."
    )
    unverified_fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Field names whose value was recalled, not read in a source, e.g. ["symbol"].',
    )

    class Meta:
        abstract = True

    @property
    def source_urls(self):
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def is_confirmed(self):
        return self.verification == Verification.CONFIRMED

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
        validate = URLValidator(schemes=["http", "https"])
        for url in self.source_urls:
            try:
                validate(url)
            except ValidationError:
                errors.setdefault("sources", []).append(f"“{url}” is not a web address.")
        if self.is_confirmed and not self.source_urls:
            errors["verification"] = "A confirmed record needs at least one source."
        names = {f.name for f in self._meta.get_fields()}
        if not isinstance(self.unverified_fields, list):
            errors["unverified_fields"] = "Give a list of field names."
        else:
            unknown = [n for n in self.unverified_fields if n not in names]
            if unknown:
                errors["unverified_fields"] = f"No such field: {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)
