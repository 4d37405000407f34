"""The data version: a token that changes whenever any record changes, and the time what the
public sees last changed.

Cached pages are keyed by the token (pagecache/middleware.py), so a new token retires every
cached page at once, in every worker process, without anyone having to find and delete them.
The footer's "last updated" reads `published_at`; a page reads both once (seen_by()).

Who moves them on:
- a receiver of post_save, post_delete and m2m_changed for every model of the record apps, so
  each write through the ORM does (admin edits, history reverts, the shell, loaddata). The
  token moves at every write; `published_at` only when the row written is one the public sees
  (the instance says so: `is_public`, or `was_public` for a record returned to draft; a model
  without drafts is always seen). A draft's save, or a save rolled back (a change that waits
  for review is made in a savepoint that is rolled back) leaves it where it was;
- commands that write rows in bulk (bulk_create and update() send no signals) wrap their work
  in `bulk_changes()`, which moves the token on once at the end instead of once a row, and
  `published_at` to the latest `updated_at` of the public rows written, if that is later: a
  load of the reference data dates the public data by the records' own dates, not by the load.
"""

import contextvars
import uuid
from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from simple_history.models import HistoricalChanges

from pagecache.models import DataVersion

DATA_APPS = ("mandates", "instruments", "partners")

# Inside bulk_changes(): its Batch.
_in_bulk = contextvars.ContextVar("pagecache_in_bulk", default=None)


# The row's token and date, as a query built once and cloned by each read: the first statement
# of every page, cached or not (building it anew, with first()'s ordering, was half the time
# a cached page took on PostgreSQL).
_ROW = DataVersion.objects.filter(pk=DataVersion.SINGLETON).values_list("token", "published_at")


def read(using=DEFAULT_DB_ALIAS):
    """(token, published_at): both in one SELECT of one row by primary key ("" and None before
    the first change)."""
    for row in _ROW.using(using)[:1]:
        return row
    return "", None


def current(using=DEFAULT_DB_ALIAS):
    """The current token ("" before the first change)."""
    return read(using)[0]


def published_at(using=DEFAULT_DB_ALIAS):
    """When what the public sees last changed (None if never)."""
    return read(using)[1]


def seen_by(request):
    """(token, published_at) as a request reads them: read once, when the first part of the
    page asks (the page cache's key, the list's kept choices and counts, the footer's date),
    so that every part of one page reads the same version, with one SELECT. Without a request,
    read afresh."""
    if request is None:
        return read()
    if not hasattr(request, "data_version"):
        request.data_version = read()
    return request.data_version


def bump(using=DEFAULT_DB_ALIAS, published=None):
    """Give the data a new version; with `published` (a time), what the public sees changed
    then. Inside a transaction the new token becomes visible to other processes at the same
    moment as the change itself (same commit)."""
    token = uuid.uuid4().hex  # random, not a counter: a restored backup never reuses a token
    values = {"token": token, "changed_at": timezone.now()}
    if published is not None:
        values["published_at"] = published
    versions = DataVersion.objects.using(using)
    if not versions.filter(pk=DataVersion.SINGLETON).update(**values):
        versions.update_or_create(pk=DataVersion.SINGLETON, defaults=values)  # a flushed table
    return token


class Batch:
    """What a bulk_changes() block learns of itself: `latest`, the latest `updated_at` of the
    public rows it wrote (the receivers fill it in), and `wrote`, which the block sets to False
    when it wrote nothing a page shows (a load that found every record as it was), so that
    neither the token nor `published_at` moves."""

    def __init__(self):
        self.wrote = True
        self.latest = None


@contextmanager
def bulk_changes(using=DEFAULT_DB_ALIAS):
    """Write many rows with one version change at the end, not one per row.

    For commands that load or generate records (load_reference_data, restore_records,
    generate_synthetic). If the block raises, its transaction rolled back and nothing changed;
    if it sets the yielded batch's `wrote` to False, the version does not move either.
    """
    batch = Batch()
    reset = _in_bulk.set(batch)
    try:
        yield batch
    finally:
        _in_bulk.reset(reset)
    if not batch.wrote:
        return
    published = None
    if batch.latest is not None:
        before = published_at(using)
        published = batch.latest if before is None else max(before, batch.latest)
    bump(using, published)


def seen_by_public(instance, model=None, pk_set=None):
    """Whether a write to `instance` changes what the public sees. For a many-to-many change,
    `model` and `pk_set` are the rows at the other end: links to drafts alone are not seen."""
    try:
        seen = getattr(instance, "is_public", True) or getattr(instance, "was_public", False)
    except ObjectDoesNotExist:  # a child whose record is being deleted with it
        return True
    if seen and pk_set and model is not None and hasattr(model, "public"):
        return model.public.filter(pk__in=pk_set).exists()
    return seen


def record_changed(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_save / post_delete / m2m_changed receiver for the record apps' models."""
    action = kwargs.get("action")  # m2m_changed only: react once, after the change
    if action is not None and action not in ("post_add", "post_remove", "post_clear"):
        return
    if action is not None and sender._meta.app_label not in DATA_APPS:
        return
    bulk = _in_bulk.get()
    if bulk is not None:
        written = getattr(instance, "updated_at", None)
        later = written is not None and (bulk.latest is None or written > bulk.latest)
        if later and seen_by_public(instance):
            bulk.latest = written
        return
    seen = seen_by_public(instance, kwargs.get("model"), kwargs.get("pk_set"))
    bump(using, timezone.now() if seen else None)


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
