from django.db import models


class DataVersion(models.Model):
    """One row whose token changes whenever any record changes (pagecache/version.py).

    Every gunicorn worker keeps its own page cache in memory; they all read this row (one
    primary-key lookup a request), so a change saved through any worker, or any other process,
    retires every cached page everywhere on the very next request.
    """

    SINGLETON = 1

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
