"""The data version: a token that changes whenever any record changes.

Cached pages are keyed by it (pagecache/middleware.py), so a new token retires every cached page
at once, in every worker process, without anyone having to find and delete them.

Who moves it on:
- a receiver of post_save, post_delete and m2m_changed for every model of the record apps, so
  each write through the ORM does (admin edits, history reverts, the shell, loaddata);
- commands that write rows in bulk (bulk_create and update() send no signals) wrap their work
  in `bulk_changes()`, which moves it on once at the end instead of once a row.
"""

import contextvars
import uuid
from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from simple_history.models import HistoricalChanges

from pagecache.models import DataVersion

DATA_APPS = ("mandates", "instruments", "partners")

_in_bulk = contextvars.ContextVar("pagecache_in_bulk", default=False)


def current(using=DEFAULT_DB_ALIAS):
    """The current token ("" before the first change): one SELECT of one row by primary key."""
    versions = DataVersion.objects.using(using).filter(pk=DataVersion.SINGLETON)
    return versions.values_list("token", flat=True).first() or ""


def bump(using=DEFAULT_DB_ALIAS):
    """Give the data a new version. Inside a transaction the new token becomes visible to other
    processes at the same moment as the change itself (same commit)."""
    token = uuid.uuid4().hex  # random, not a counter: a restored backup never reuses a token
    values = {"token": token, "changed_at": timezone.now()}
    versions = DataVersion.objects.using(using)
    if not versions.filter(pk=DataVersion.SINGLETON).update(**values):
        versions.update_or_create(pk=DataVersion.SINGLETON, defaults=values)  # a flushed table
    return token


class Batch:
    """What a bulk_changes() block may say about itself: `wrote = False` when it wrote nothing
    a page shows (a load that found every record as it was), so the version stays."""

    def __init__(self):
        self.wrote = True


@contextmanager
def bulk_changes(using=DEFAULT_DB_ALIAS):
    """Write many rows with one version change at the end, not one per row.

    For commands that load or generate records (load_reference_data, restore_records,
    generate_synthetic). If the block raises, its transaction rolled back and nothing changed;
    if it sets the yielded batch's `wrote` to False, the version does not move either.
    """
    batch = Batch()
    reset = _in_bulk.set(True)
    try:
        yield batch
    finally:
        _in_bulk.reset(reset)
    if batch.wrote:
        bump(using)


def record_changed(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_save / post_delete / m2m_changed receiver for the record apps' models."""
    if _in_bulk.get():
        return
    action = kwargs.get("action")  # m2m_changed only: react once, after the change
    if action is not None and action not in ("post_add", "post_remove", "post_clear"):
        return
    if action is not None and sender._meta.app_label not in DATA_APPS:
        return
    bump(using)


def record_models():
    """Every model whose rows a public page shows: the record apps, less their histories and
    their bookkeeping (a model that says `page_data = False`, e.g. what a load last wrote)."""
    return [
        model
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges) and getattr(model, "page_data", True)
    ]


def connect_receivers():
    for model in record_models():
        label = model._meta.label_lower
        post_save.connect(record_changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"pagecache-del-{label}")
    # m2m_changed's sender is the (often auto-created) through model: filtered in the receiver.
    m2m_changed.connect(record_changed, dispatch_uid="pagecache-m2m")
