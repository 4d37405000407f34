"""No lost update: an admin form carries the version of the record it was opened on
(core.models.Versioned); saving it after someone else saved the record is refused, and the
page shows the two versions side by side (core/templates/admin/includes/conflict.html).

The check runs inside the admin's transaction and, on PostgreSQL, locks the row until the save
commits, so no other save can slip in between; django-concurrency's conditional UPDATE catches
what could still slip by on SQLite.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.query import QuerySet
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from core.models import Versioned

VERSION = "version"


def is_versioned(model):
    return issubclass(model, Versioned)


def current_version(instance):
    """The version saved in the database now, locking the row where the database can."""
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if transaction.get_connection(rows.db).in_atomic_block:  # the admin's change view is atomic
        rows = rows.select_for_update()  # a no-op on SQLite, whose writes are serialised anyway
    return rows.values_list(VERSION, flat=True).first()


def check_version(form):
    """On a form opened on an older version: a form-wide error, `form.conflict` set to the
    record as saved now, and the form's version moved on, so saving again (having compared the
    two) replaces it knowingly."""
    instance = form.instance
    if VERSION not in form.fields or not instance.pk or getattr(form, "restoring", False):
        return
    posted = form.cleaned_data.get(VERSION)
    saved = current_version(instance)
    if saved is None or posted == saved:
        return
    form.conflict = type(instance)._default_manager.get(pk=instance.pk)
    data = form.data.copy()
    data[form.add_prefix(VERSION)] = form.fields[VERSION].prepare_value(saved).value
    form.data = data
    last = getattr(form.conflict, "history", None)
    last = last.select_related("history_user").first() if last is not None else None
    who = last.history_user.get_username() if last and last.history_user else _("someone")
    raise ValidationError(
        _(
            "%(who)s saved this record after you opened it. Nothing of yours was saved. "
            "Compare the two versions below, change the form as needed and save again."
        ),
        params={"who": who},
        code="conflict",
    )


def shown(field, value):
    """A value as the form field would name it: choice labels, related rows, lists joined."""
    if value in (None, "", [], ()):
        return ""
    if isinstance(value, QuerySet | list | tuple):
        return ", ".join(filter(None, (shown(field, v) for v in value)))
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(field, forms.ModelChoiceField):
        try:
            return str(field.to_python(value))
        except ValidationError:
            return str(value)
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(field, forms.ModelChoiceField):
        labels = {str(k): v for k, v in choices if not isinstance(v, list | tuple)}
        return str(labels.get(str(value), value))
    return str(value)


def conflict_rows(form):
    """[(label, saved now, yours, differs)] for every field of the form, differing ones first."""
    saved = model_to_dict(form.conflict)
    rows = []
    for name, field in form.fields.items():
        if name in (VERSION, "change_reason") or name not in saved:
            continue
        theirs = shown(field, saved[name])
        mine = form.cleaned_data.get(name) if name in form.cleaned_data else form[name].value()
        mine = shown(field, mine)
        rows.append((field.label or name, theirs, mine, theirs != mine))
    return sorted(rows, key=lambda row: not row[3])
