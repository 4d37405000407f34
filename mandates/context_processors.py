import datetime
from functools import cached_property

from django.apps import apps
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.models import Sourced

# The last date read, for pages drawn without the database (the 500 page): see standalone().
_last_seen = {"at": None}


class LastChange:
    """When any record last changed: the latest `updated_at` of every sourced model (records
    of all apps: resolutions, paragraphs, bodies, instruments, partners, the expert group and
    its meetings). Read once a page, when the footer first asks, in one statement."""

    @cached_property
    def at(self):
        models = [
            model
            for model in apps.get_models()
            if issubclass(model, Sourced) and not model._meta.abstract
        ]
        if not models:
            return None
        connection = connections[router.db_for_read(models[0])]
        q = connection.ops.quote_name
        sql = " UNION ALL ".join(
            f"SELECT MAX({q('updated_at')}) FROM {q(model._meta.db_table)}" for model in models
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            values = [row[0] for row in cursor.fetchall() if row[0] is not None]
        latest = max((self.as_datetime(value) for value in values), default=None)
        _last_seen["at"] = latest
        return latest

    @staticmethod
    def as_datetime(value):
        """A MAX() of a datetime column: a datetime from PostgreSQL, text (UTC) from SQLite."""
        if isinstance(value, str):
            value = parse_datetime(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value


class LastSeen:
    """The date the last page read, for a page that must not query (it may be down)."""

    def __init__(self):
        self.at = _last_seen["at"]


def site(request):
    """Site-wide facts for the footer: when the data last changed (DATA_UPDATED.at)."""
    return {"DATA_UPDATED": LastChange()}


def standalone():
    """The footer's facts for pages drawn without a request or a database (500, 503)."""
    return {"DATA_UPDATED": LastSeen()}
