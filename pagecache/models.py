from django.db import models


class DataVersion(models.Model):
    """One row whose token changes whenever any record changes (pagecache/version.py).

    Every gunicorn worker keeps its own page cache in memory; they all read this row (one
    primary-key lookup a request), so a change saved through any worker, or any other process,
    retires every cached page everywhere on the very next request.

    `published_at` is when what the public sees last changed (the footer's "last updated"): it
    moves with a write to a public row only, never with a draft's or a change waiting for
    review (which never reaches the record tables).
    """

    SINGLETON = 1

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
