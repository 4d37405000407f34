"""What signed-in staff see on the public pages besides what everyone sees: drafts (a preview
with a banner, templates/includes/draft_banner.html) and, on a record's page, whether a change
to it waits for review (templates/includes/pending_banner.html). The page cache never keeps
their pages (pagecache/middleware.py: a session cookie means no cache)."""

from core.models import PendingChange


def is_staff(request):
    user = request.user
    return user.is_active and user.is_staff


class PendingChangeNoticeMixin:
    """For a record's DetailView: `pending_change` in the context, for staff, when a change to
    the record waits for review (one query, for staff only)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if is_staff(self.request):
            context["pending_change"] = (
                PendingChange.objects.for_record(self.object)
                .select_related("proposed_by", "edited_by")
                .first()
            )
        return context
