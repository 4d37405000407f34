"""What `load_reference_data` last loaded, record by record: the ground on which a later load
tells a record staff have changed from one they have not (mandates/reference_data.py)."""

from django.db import models


class LoadedRecordQuerySet(models.QuerySet):
    def get_by_natural_key(self, model, key):
        return self.get(model=model, key=key)

    def for_model(self, label):
        """{natural key as JSON text: row} of one model's records, for a load to compare."""
        return {row.key: row for row in self.filter(model=label)}

    def reference_data_loaded(self):
        """Whether the reference data has been loaded into this database (/healthz asks)."""
        return self.exists()


class LoadedRecord(models.Model):
    """One reference record as the last load wrote it (or found it already written).

    `digest` is the SHA-256 of the record's facts as the load writes them (its fields and links,
    by natural key; mandates/reference_data.py `digest()`). A record whose live digest is still
    this one has not been changed by staff since, so the next load may update it.
    """

    # Bookkeeping, not something a public page shows: its writes do not retire cached pages
    # (pagecache/version.py record_models()).
    page_data = False

    model = models.CharField(max_length=100, help_text='The model\'s label: "mandates.resolution".')
    key = models.TextField(help_text='The natural key as JSON: ["SC", "2199-2015"].')
    digest = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    objects = LoadedRecordQuerySet.as_manager()

    class Meta:
        ordering = ["model", "key"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="loaded_record_unique_key")
        ]

    def __str__(self):
        return f"{self.model} {self.key}"

    def natural_key(self):
        return (self.model, self.key)
