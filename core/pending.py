"""Changes that wait for review: the PendingChange model, beside the published rows it would
change (core/review.py does the work: snapshots, applying one, the diff; core/review_admin.py
the admin side). Imported by core/models.py, where Django finds it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import review
from core.models import RecordVersionField


class PendingChangeQuerySet(models.QuerySet):
    def for_record(self, record):
        """The change waiting for review on `record` (a queryset of at most one)."""
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=record.pk)

    def for_listing(self):
        return self.select_related("content_type", "proposed_by", "edited_by")


class PendingChange(models.Model):
    """A change to a public record that waits for review: the proposed state of the record's
    aggregate (the record and its children: core.models.Record), kept beside the published
    rows, which stay what the public sees until a publisher publishes it (core/review.py does
    the work: snapshots, applying one, the diff). One per record; a proposed new record of a
    model without drafts has no object id until it is published."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    label = models.CharField(
        max_length=300, help_text="The record's name when the change was last proposed."
    )
    data = models.JSONField(
        encoder=DjangoJSONEncoder, help_text="The proposed record and children (a snapshot)."
    )
    base = models.JSONField(
        encoder=DjangoJSONEncoder,
        null=True,
        blank=True,
        help_text="What the public saw when the change was first proposed (a snapshot).",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who changed it last, if not who proposed it.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    reason = models.CharField(_("reason for this change"), max_length=300, blank=True)
    version = RecordVersionField()

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("change awaiting review")
        verbose_name_plural = _("changes awaiting review")
        permissions = [("publish_pendingchange", "Can publish changes awaiting review")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(object_id__isnull=False),
                name="pending_change_one_per_record",
            )
        ]

    def __str__(self):
        if self.is_addition:
            return _("New %(model)s “%(name)s”") % {
                "model": self.content_type.name,
                "name": self.label,
            }
        return self.label

    @property
    def is_addition(self):
        return self.object_id is None

    @property
    def model(self):
        return self.content_type.model_class()

    def current_record(self):
        """The record as the public has it now; None for a new one, or one deleted since."""
        if self.is_addition:
            return None
        return self.model._default_manager.filter(pk=self.object_id).first()

    def proposers(self):
        return [
            user.get_username()
            for user in dict.fromkeys((self.proposed_by, self.edited_by))
            if user
        ]

    def history_reason(self, publisher):
        """What the history says of each row the publishing changes: who proposed it, when
        and why, and who published it (cut to simple-history's 100 characters)."""
        proposed = _("Proposed by %(who)s on %(date)s") % {
            "who": ", ".join(self.proposers()) or _("someone"),
            "date": timezone.localtime(self.proposed_at).strftime("%Y-%m-%d"),
        }
        if self.reason:
            proposed = f"{proposed} ({self.reason})"
        reason = _("%(proposed)s; published by %(who)s") % {
            "proposed": proposed,
            "who": publisher.get_username(),
        }
        if len(reason) > 100:  # the reason goes, the names stay
            reason = _("%(proposed)s; published by %(who)s") % {
                "proposed": proposed.split(" (", 1)[0],
                "who": publisher.get_username(),
            }
        return reason[:100]

    def public_changed_since(self):
        """Whether the public record changed after this change was first proposed."""
        current = self.current_record()
        if self.is_addition or current is None or self.base is None:
            return not self.is_addition
        return review.differs(self.base, review.snapshot(current))

    def diff(self):
        """What publishing would change, against what the public sees now (core/review.py)."""
        return review.diff(self.data, self.base, self.current_record())

    def apply(self, *, keep_pks=True, reason=None, user=None):
        """Write the proposed state into the record tables (for editing inside a savepoint
        that is rolled back, or for publishing). Returns the root record. A new row of this
        change whose id another row took meanwhile (SQLite hands out again an id whose insert
        was rolled back) gets a new one in `data`: `rekeyed` is then True, and the caller
        saves this change once outside the savepoint."""
        root, self.rekeyed = review.apply(
            self.data, self.base, keep_pks=keep_pks, reason=reason, user=user
        )
        return root

    def publish(self, user):
        """Apply this change for good, in one transaction (the caller's), as `user`: each
        changed row gets a version in the history naming who proposed and who published it.
        Then it is gone. Returns the published record."""
        root = self.apply(keep_pks=False, reason=self.history_reason(user), user=user)
        self.delete()
        return root
