"""The admin bases every app's admin builds on; core imports no other app of ours.

- ``RecordForm``: text typed into a form is normalised (``\\r\\n`` to ``\\n``, trailing spaces
  dropped), and a value that only differs from the stored one in that way keeps the stored one,
  so saving an untouched form records no change; a "reason for this change" goes into the history.
- ``BaseAdmin``: facet counts, the reason field, full diffs on the history page, restores labelled
  with the version they restore, readable link rows on delete pages, and the review: an
  editor's change to a public record waits for a publisher (core/review_admin.py).
- ``SourcedAdmin``: the provenance fieldset, a verification filter and a "confirmed" column.
"""

from concurrency.exceptions import RecordModifiedError
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.conflicts import VERSION, check_version, conflict_rows, is_versioned
from core.history import FullDiffContextHelper
from core.login import WarningAuthenticationForm
from core.models import PendingChange, Status, normalise_text
from core.review_admin import ReviewMixin

PROVENANCE_FIELDS = (
    "verification",
    "verification_note",
    "sources",
    "unverified_fields",
    "updated_at",
)
REASON_MAX_LENGTH = 100  # django-simple-history's history_change_reason column


def excerpt(text, length=80):
    return Truncator(text).chars(length)


def changelist_link(model, count, **params):
    """A count that opens the changelist of `model`, filtered by `params`."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(params), count)


class RecordForm(forms.ModelForm):
    """Every admin form and inline form: normalised text, and an optional reason for the change."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Shown in the record's history beside what changed."),
    )

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if not isinstance(value, str) or name == "change_reason":
                continue
            value = normalise_text(value)
            stored = getattr(self.instance, name, None) if self.instance.pk else None
            if isinstance(stored, str) and normalise_text(stored) == value:
                value = stored  # untouched: keep the stored text exactly, so nothing "changes"
            self.cleaned_data[name] = value

    def clean(self):
        cleaned_data = super().clean()
        check_version(self)
        return cleaned_data

    @cached_property
    def changed_data(self):
        """As Django's, less texts that differ only in line endings or trailing spaces, and the
        reason (it describes a change; it is not one)."""
        return [
            name
            for name in super().changed_data
            if name not in ("change_reason", VERSION) and not self.same_text(name)
        ]

    def same_text(self, name):
        field = self.fields[name]
        if not isinstance(field, forms.CharField):
            return False
        initial = self.get_initial_for_field(field, name)
        data = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return isinstance(initial, str) and normalise_text(initial) == normalise_text(data or "")


class UnverifiedFieldsField(forms.TypedMultipleChoiceField):
    """The record's own field names as checkboxes, stored as the JSON list the model keeps."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return value if isinstance(value, list | tuple) else []

    def has_changed(self, initial, data):
        return sorted(initial or []) != sorted(data or [])


def record_field_choices(model):
    """(name, label) of the fields a source can confirm: not provenance, ids or generated ones."""
    choices = []
    for field in model._meta.get_fields():
        if (
            field.auto_created
            or not field.concrete
            or not field.editable
            or field.name in PROVENANCE_FIELDS
            or field.name in ("is_synthetic", "status", "version", "slug", "position")
        ):
            continue
        choices.append((field.name, f"{field.verbose_name} ({field.name})"))
    return choices


class FormFieldsMixin:
    """Form field defaults for every ModelAdmin and inline.

    - ``choice_select_related`` (model label -> fields): choices whose ``__str__`` reads a
      related row (a resolution names its body) join it instead of a query per choice.
    - A web address typed without a scheme gets https:// (Django 6's default, without the warning).
    - ``textarea_rows`` makes the text boxes of usually short texts smaller.
    """

    form = RecordForm
    textarea_rows = {}  # field name -> rows
    choice_select_related = {"mandates.resolution": ("body",)}

    def get_fieldsets(self, request, obj=None):
        """The declared fieldsets, plus the hidden version of a versioned record (it must be in
        the form to travel with it)."""
        fieldsets = super().get_fieldsets(request, obj)
        if not is_versioned(self.model) or VERSION in admin.utils.flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION]}), *rest]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.textarea_rows:
            kwargs["widget"] = AdminTextareaWidget(
                attrs={"rows": self.textarea_rows[db_field.name]}
            )
        related = db_field.related_model
        if (
            db_field.is_relation
            and related
            and related._meta.label_lower in self.choice_select_related
        ):
            joins = self.choice_select_related[related._meta.label_lower]
            kwargs.setdefault("queryset", related._default_manager.select_related(*joins))
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        if db_field.name == "unverified_fields":
            return UnverifiedFieldsField(
                choices=record_field_choices(db_field.model),
                required=False,
                label=db_field.verbose_name.capitalize(),
                help_text=_("Tick each value that was recalled, not read in a listed source."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class SourcedMixin(FormFieldsMixin):
    """For admins and inlines of ``Sourced`` models: the provenance fields as their own fieldset.

    Declare ``fieldsets`` without the provenance fields; they are appended as "Provenance".
    """

    provenance_classes = ()  # inlines pass ("collapse",); a section with an error opens itself
    textarea_rows = {"verification_note": 3, "sources": 3}

    def get_fieldsets(self, request, obj=None):
        provenance = (
            _("Provenance"),
            {"fields": PROVENANCE_FIELDS, "classes": self.provenance_classes},
        )
        return [*super().get_fieldsets(request, obj), provenance]

    def get_readonly_fields(self, request, obj=None):
        # The status follows from the sources' kinds and the unverified fields (Sourced.save()).
        return (*super().get_readonly_fields(request, obj), "verification", "updated_at")


class BaseAdmin(ReviewMixin, FormFieldsMixin, SimpleHistoryAdmin):
    """Every record's admin: facet counts, a reason for each change, honest history, restores
    labelled, and editors' changes to public records kept for review (ReviewMixin)."""

    show_facets = admin.ShowFacets.ALWAYS
    object_history_list_template = "admin/history/object_history_list.html"

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        if getattr(form, "conflict", None) is not None:
            context["conflict"] = conflict_rows(form)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.is_restore(request):  # a restore replaces whatever is saved now, knowingly
            form = type(form.__name__, (form,), {"restoring": True})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RecordModifiedError:  # another save slipped in after the form's check
            self.message_user(
                request,
                _(
                    "Someone saved this record at the same moment. Nothing of yours was saved: "
                    "open it again and redo your change."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    @staticmethod
    def is_restore(request):
        match = request.resolver_match
        return bool(match and match.url_name and match.url_name.endswith("_simple_history"))

    def get_historical_record_context_helper(self, request, historical_record):
        return FullDiffContextHelper(self.model, historical_record)

    def ids_or_404(self, object_id, version_id=None):
        """A record or version id that cannot be one (…/abc/history/, …/history/abc/) names
        no page: 404, not the 500 its lookup would raise."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
                history.model._meta.pk.to_python(version_id)
        except ValidationError as error:
            raise Http404 from error

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.ids_or_404(object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.ids_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.ids_or_404(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def restored_version(self, request):
        """The historical record a restore (simple-history's revert form) starts from, else None."""
        if request.method != "POST" or not self.is_restore(request):
            return None
        history = self.model.history
        version_id = request.resolver_match.args[1]
        return history.filter(history_id=version_id).select_related("history_user").first()

    def reason_for(self, request, form):
        version = self.restored_version(request)
        if version is not None:
            when = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M %Z")
            reason = gettext("Restored from version of %(date)s by %(user)s") % {
                "date": when,
                "user": request.user.get_username(),
            }
            typed = form.cleaned_data.get("change_reason", "")
            reason = f"{reason}: {typed}" if typed else reason
        else:
            reason = form.cleaned_data.get("change_reason", "")
        return Truncator(reason).chars(REASON_MAX_LENGTH) or None

    def save_model(self, request, obj, form, change):
        obj._change_reason = self.reason_for(request, form)
        if self.is_restore(request) and is_versioned(self.model):
            obj.version = 0  # the history keeps no version: a restore replaces what is saved
        if change and not form.has_changed() and self.restored_version(request) is None:
            obj.skip_history_when_saving = True  # nothing changed: no empty version
        try:
            super().save_model(request, obj, form, change)
        finally:
            obj.__dict__.pop("skip_history_when_saving", None)

    def save_formset(self, request, form, formset, change):
        reason = self.reason_for(request, form)
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def construct_change_message(self, request, form, formsets, add=False):
        version = self.restored_version(request)
        if version is not None:
            return self.reason_for(request, form)
        return super().construct_change_message(request, form, formsets, add)


def starting_as_draft(form):
    """An add form whose new record is a draft from the start, so that the status it shows
    (read-only, to an editor) is the one the record will be saved with."""

    class NewDraftForm(form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.instance.status = Status.DRAFT

    NewDraftForm.__name__ = form.__name__
    return NewDraftForm


class PublishableAdmin(BaseAdmin):
    """Admin of a ``Publishable`` model (core.models): editors make and change drafts; users
    with the "publish_<model>" permission (the Publishers group) publish them.

    What an editor adds is a draft, and an editor never changes a record's status (a restore
    from the history neither): a change to a published record waits for review instead
    (ReviewMixin), and the record stays published meanwhile.
    """

    actions = ["publish", "return_to_draft"]

    def has_publish_permission(self, request, obj=None):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if self.has_publish_permission(request) else (*readonly, "status")

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "status": Status.DRAFT}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return form if obj is not None else starting_as_draft(form)

    def get_list_filter(self, request):
        return ("status", *super().get_list_filter(request))

    def save_model(self, request, obj, form, change):
        if not self.has_publish_permission(request):
            saved = self.model._default_manager.filter(pk=obj.pk) if change else None
            obj.status = saved.values_list("status", flat=True).first() if change else Status.DRAFT
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["is_draft"] = obj is None or obj.is_draft
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.action(description=_("Publish the selected records"), permissions=["publish"])
    def publish(self, request, queryset):
        self.set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description=_("Return the selected records to draft"), permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self.set_status(request, queryset, Status.DRAFT)

    def set_status(self, request, queryset, status):
        """One save per record (not queryset.update()), so each change is in the history, bumps
        the version and the data version the page cache follows. A record with a change
        waiting for review keeps its status until the change is published or discarded (a
        draft has none: an editor's draft is changed directly)."""
        changed = 0
        waiting = PendingChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id__in=queryset.values("pk"),
        )
        for pending in waiting.select_related("content_type"):
            self.message_user(
                request,
                _("“%(record)s” has a change waiting for review: publish or discard it first.")
                % {"record": pending},
                messages.WARNING,
            )
        queryset = queryset.exclude(pk__in=waiting.values("object_id"))
        for record in queryset.exclude(status=status):
            record.status = status
            record._change_reason = _("Published") if status == Status.PUBLISHED else _("Draft")
            record.save()
            changed += 1
        self.message_user(
            request,
            ngettext("%(count)d record changed.", "%(count)d records changed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


class SourcedAdmin(SourcedMixin, BaseAdmin):
    """Admin of a ``Sourced`` model: provenance fieldset, verification filter, confirmed column."""

    def get_list_filter(self, request):
        return ("verification", *super().get_list_filter(request))

    @admin.display(boolean=True, description=_("confirmed"), ordering="verification")
    def confirmed(self, obj):
        return obj.is_confirmed


admin.site.login_form = WarningAuthenticationForm
