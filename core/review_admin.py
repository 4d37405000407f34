"""The review in the admin: a change an editor saves to a public record waits for a publisher,
while the public keeps seeing the published record.

``ReviewMixin`` (part of every record admin: core.admin.BaseAdmin) runs the admin's own change,
delete and restore views unchanged. When someone who may not publish (core.review.may_publish)
saves a change to a public record (any record of a model without drafts, a published
resolution, or a child of one, through its parent's form or its own admin), the save runs
inside a savepoint: Django's validation, inlines and many-to-many handling all run, then the
record's aggregate is read back (core/review.py), the savepoint is rolled back and the snapshot
kept as the record's PendingChange. The record tables never see it.

A record with a pending change is edited from that change: its forms apply the change inside a
savepoint first, render (or save, and read back) and roll back, so a second edit builds on the
first, and two edits of the same waiting change meet django-concurrency's conflict page as two
edits of a record do. A publisher's save of such a form publishes the change with the edit.

``PendingChangeAdmin`` is the publishers' desk: the list of changes awaiting review, a review
page per change (the difference with what the public sees now) and its Publish and Discard
buttons.
"""

from dataclasses import dataclass
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import review
from core.models import PendingChange


@dataclass
class Review:
    """What a reviewed admin request is doing: the record whose aggregate it may change (None
    for a new record), the change it was built on, and what its save did."""

    root: object
    pending: PendingChange | None
    written: object = None  # the root whose aggregate the view saved
    waits: bool = False  # that save waits for review
    reason: str = ""


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


class ReviewMixin:
    """For a record's ModelAdmin: editors' changes to public records wait for review."""

    def may_publish(self, request):
        return review.may_publish(request.user)

    # --- the views, run inside the review ---------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = partial(super().changeform_view, request, object_id, form_url, extra_context)
        if "_saveasnew" in request.POST:  # a new record, whatever the address says
            object_id = None
        return self.reviewed(request, self.root_for(request, object_id), view, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        """A child's deletion is a change of its record. A record itself is deleted directly
        (editors delete drafts only: has_delete_permission), its waiting change with it."""
        view = partial(super().delete_view, request, object_id, extra_context)
        if not self.model.REVIEW_ROOT:
            return view()
        return self.reviewed(request, self.root_for(request, object_id), view, object_id)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A restore from the history: by an editor, a change that waits for review too."""
        view = partial(super().history_form_view, request, object_id, version_id, extra_context)
        if request.method != "POST":
            return view()
        return self.reviewed(request, self.root_for(request, object_id), view, object_id)

    def root_for(self, request, object_id):
        """The record whose aggregate the request may change: the object's root; for a new
        child, the parent chosen in the form; None for a new record."""
        if object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            return obj.review_root if obj is not None else None
        if not self.model.REVIEW_ROOT or request.method != "POST":
            return None
        fk = self.model._meta.get_field(self.model.REVIEW_ROOT)
        try:
            return fk.related_model._default_manager.filter(pk=request.POST.get(fk.name)).first()
        except (ValueError, TypeError, ValidationError):
            return None

    def reviewed(self, request, root, view, object_id):
        """Run the admin `view`, which may write to the aggregate of `root` (None: a new
        record), inside the review: the waiting change applied first in a savepoint; then the
        savepoint kept (a direct save, which publishes the waiting change with it), or rolled
        back, keeping what a save made as the waiting change (keep_proposal()) or, having
        drawn the page, nothing."""
        pending = None
        if root is not None:
            pending = PendingChange.objects.for_record(root).select_related("proposed_by").first()
        writing = request.method == "POST"
        if pending is None and not (writing and not self.may_publish(request)):
            return view()  # nothing waits, and a save would be direct
        using = router.db_for_write(self.model)
        state = request._review = Review(root, pending)
        with transaction.atomic(using=using):
            if writing and root is not None:  # one proposal at a time per record
                type(root)._default_manager.select_for_update().filter(pk=root.pk).exists()
                if pending is not None:
                    pending = state.pending = (
                        PendingChange.objects.select_for_update().filter(pk=pending.pk).first()
                    )
            with transaction.atomic(using=using):
                if pending is not None:
                    self.build_on(request, pending, writing)
                response = view()
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()  # it reads the records as they are in here
                proposal = review.snapshot(state.written) if state.waits else None
                if not (state.written and not state.waits):
                    transaction.set_rollback(True)
            if state.waits:
                return self.keep_proposal(request, state, proposal, object_id)
            if state.written and pending is not None:
                pending.delete()  # published with this save
            elif pending is not None and pending.rekeyed:
                pending.save(update_fields=["data", "updated_at", "version"])
        return response

    def build_on(self, request, pending, writing):
        """Apply the waiting change, so the form shows it and a save builds on it."""
        if writing and self.may_publish(request):
            pending.apply(reason=pending.history_reason(request.user), user=request.user)
        else:
            pending.apply(user=pending.edited_by or pending.proposed_by)

    # --- hooks the views call -------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        self.note_write(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self.note_write(request, obj)
        if not obj.REVIEW_ROOT:
            PendingChange.objects.for_record(obj).delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not self.model.REVIEW_ROOT:
            for record in queryset:
                PendingChange.objects.for_record(record).delete()
        super().delete_queryset(request, queryset)

    def note_write(self, request, obj):
        state = getattr(request, "_review", None)
        if state is None:
            return
        root = obj.review_root
        state.written = root
        state.waits = not self.may_publish(request) and root.is_public
        state.reason = getattr(obj, "_change_reason", None) or ""

    def waits(self, request):
        state = getattr(request, "_review", None)
        return state is not None and state.waits

    def response_add(self, request, obj, post_url_continue=None):
        if self.waits(request):
            return HttpResponse()  # reviewed() answers
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self.waits(request):
            return HttpResponse()
        return super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if self.waits(request):
            return HttpResponse()
        return super().response_delete(request, obj_display, obj_id)

    def keep_proposal(self, request, state, proposal, object_id):
        """Keep what the rolled-back save made as the record's pending change, say so, and go
        where Django's admin would have gone."""
        root, pending = state.written, state.pending
        adding = state.root is None
        public = None if adding else review.snapshot(root)
        if public is not None and not review.differs(proposal, public):
            if pending is not None:
                pending.delete()
            self.message_user(
                request,
                _("“%(record)s” is as published: no change waits for review.") % {"record": root},
                messages.INFO,
            )
            return HttpResponseRedirect(self.after_proposal_url(request, None, object_id))
        if adding:
            proposal["root"]["pk"] = None
        if pending is None:
            pending = PendingChange(
                content_type=ContentType.objects.get_for_model(type(root)),
                object_id=None if adding else root.pk,
                base=public,
                proposed_by=request.user,
                reason=state.reason,
            )
        else:
            if request.user != pending.proposed_by:
                pending.edited_by = request.user
            if state.reason and state.reason not in pending.reason:
                pending.reason = "; ".join(filter(None, (pending.reason, state.reason)))[:300]
        pending.data = proposal
        pending.label = str(root)[:300]
        pending.save()
        if adding:
            message = _(
                "Your new %(model)s “%(record)s” waits for review; it is not on the public site "
                "until a publisher publishes it."
            ) % {"model": type(root)._meta.verbose_name, "record": root}
        else:
            self.log_change(request, root, _("Proposed a change (waits for review)."))
            message = _(
                "Your change to “%(record)s” waits for review; the public site shows the "
                "published version until a publisher publishes it."
            ) % {"record": root}
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self.after_proposal_url(request, pending, object_id))

    def after_proposal_url(self, request, pending, object_id):
        if pending is not None and pending.is_addition:
            return admin_url(PendingChange, "change", pending.pk)
        if "_addanother" in request.POST:
            return admin_url(self.model, "add")
        exists = object_id is not None and self.get_object(request, unquote(object_id))
        if exists and ("_continue" in request.POST or self.is_restore(request)):
            return admin_url(self.model, "change", exists.pk)
        return admin_url(self.model, "changelist")

    # --- what editors may do to public records -----------------------------------------------

    def has_delete_permission(self, request, obj=None):
        """Editors delete drafts, and children of a record with the record's review; a public
        record is deleted by a publisher only."""
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed or self.may_publish(request) or obj.REVIEW_ROOT:
            return allowed
        return not obj.is_public

    def get_readonly_fields(self, request, obj=None):
        """An editor does not move a child to another record: its review is its record's."""
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and self.model.REVIEW_ROOT and not self.may_publish(request):
            readonly = (*readonly, self.model.REVIEW_ROOT)
        return readonly

    def get_actions(self, request):
        """ "Delete selected" deletes public rows for publishers only: editors keep it where
        the model has drafts, for drafts alone."""
        actions = super().get_actions(request)
        if "delete_selected" not in actions or self.may_publish(request):
            return actions
        if self.model.has_drafts():
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_drafts, name, description)
        else:
            del actions["delete_selected"]
        return actions

    def get_changelist_instance(self, request):
        """Values edited in the list (list_editable) are saved directly: publishers only."""
        changelist = super().get_changelist_instance(request)
        if not self.may_publish(request):
            changelist.list_editable = ()
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        state = getattr(request, "_review", None)
        if state is not None and state.pending is not None:
            context["pending_change"] = state.pending
            context["may_publish"] = self.may_publish(request)
            if obj is not None and hasattr(obj.review_root, "get_absolute_url"):
                context["public_url"] = obj.review_root.get_absolute_url()
        return super().render_change_form(request, context, add, change, form_url, obj)


def delete_drafts(modeladmin, request, queryset):
    """Django's "delete selected", refused while the selection holds a public row."""
    public = list(queryset.public()[:5])
    if public:
        modeladmin.message_user(
            request,
            _(
                "Nothing was deleted: %(records)s is public, and public records are deleted "
                "by a publisher. You may delete drafts."
            )
            % {"records": ", ".join(f"“{record}”" for record in public)},
            messages.ERROR,
        )
        return None
    return delete_selected(modeladmin, request, queryset)


# --- the publishers' desk -------------------------------------------------------------------------


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    """Changes awaiting review: the list, a review page each, Publish and Discard."""

    list_display = ("__str__", "kind", "proposed_by", "proposed_at", "edited_by", "reason")
    list_display_links = ("__str__",)
    list_filter = (("content_type", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("label", "reason", "proposed_by__username")
    date_hierarchy = "proposed_at"
    actions = None  # publish and discard one at a time, from the review page
    review_template = "admin/core/pendingchange/review.html"

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    @admin.display(description=_("kind of record"), ordering="content_type")
    def kind(self, obj):
        return obj.content_type.name

    def has_add_permission(self, request):
        return False  # a change is proposed by saving the record's own form

    def has_change_permission(self, request, obj=None):
        return False  # it is the record that changes; this page reviews it

    def has_delete_permission(self, request, obj=None):
        """Publishers discard changes; an editor, the changes they proposed."""
        if review.may_publish(request.user) and super().has_delete_permission(request, obj):
            return True
        return obj is not None and obj.proposed_by_id == request.user.pk

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                wrap(self.publish_view),
                name="core_pendingchange_publish",
            ),
            path(
                "<path:object_id>/discard/",
                wrap(self.discard_view),
                name="core_pendingchange_discard",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: what publishing would change, against the public record now."""
        pending = self.get_object(request, unquote(object_id))
        if pending is None:
            return self.gone(request)
        if not self.has_view_permission(request, pending):
            raise PermissionDenied
        record = pending.current_record()
        record_gone = not pending.is_addition and record is None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review: %(change)s") % {"change": pending},
            "pending": pending,
            "record": record,
            "record_gone": record_gone,
            "diff": None if record_gone else pending.diff(),
            "public_changed": not record_gone and pending.public_changed_since(),
            "may_publish": review.may_publish(request.user),
            "may_discard": self.has_delete_permission(request, pending),
        }
        if record is not None:
            context["record_admin_url"] = admin_url(type(record), "change", record.pk)
            if hasattr(record, "get_absolute_url"):
                context["public_url"] = record.get_absolute_url()
        return TemplateResponse(request, self.review_template, context)

    def gone(self, request):
        self.message_user(
            request,
            _("That change is no longer waiting: it was published or discarded."),
            messages.WARNING,
        )
        return HttpResponseRedirect(admin_url(PendingChange, "changelist"))

    @staticmethod
    def locked(object_id):
        try:
            return PendingChange.objects.select_for_update().filter(pk=int(object_id)).first()
        except ValueError:
            return None

    @transaction.atomic
    def publish_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not review.may_publish(request.user):
            raise PermissionDenied
        pending = self.locked(object_id)
        if pending is None:
            return self.gone(request)
        review_url = admin_url(PendingChange, "change", pending.pk)
        if request.POST.get("version") != str(pending.version):
            self.message_user(
                request,
                _(
                    "The change was edited after you opened it: nothing was published. "
                    "Review it again."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(review_url)
        try:
            record = pending.publish(request.user)
            self.log_change(request, record, pending.history_reason(request.user))
        except review.RecordGone:
            self.message_user(
                request,
                _("The record was deleted after this change was proposed: discard the change."),
                messages.ERROR,
            )
            return HttpResponseRedirect(review_url)
        self.message_user(
            request,
            _("Published: “%(record)s” as proposed by %(who)s is on the public site.")
            % {"record": record, "who": ", ".join(pending.proposers()) or _("someone")},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(admin_url(PendingChange, "changelist"))

    @transaction.atomic
    def discard_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        pending = self.locked(object_id)
        if pending is None:
            return self.gone(request)
        if not self.has_delete_permission(request, pending):
            raise PermissionDenied
        note = _("Discarded the change proposed by %(who)s on %(date)s%(reason)s.") % {
            "who": ", ".join(pending.proposers()) or _("someone"),
            "date": timezone.localtime(pending.proposed_at).strftime("%Y-%m-%d"),
            "reason": f" ({pending.reason})" if pending.reason else "",
        }
        record = pending.current_record()
        if record is not None:
            self.log_change(request, record, note)
        else:
            self.log_deletion(request, pending, str(pending))
        pending.delete()
        self.message_user(
            request,
            _("Discarded the change to “%(record)s”; the public record is unchanged.")
            % {"record": pending.label},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(admin_url(PendingChange, "changelist"))
