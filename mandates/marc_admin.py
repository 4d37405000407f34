"""The admin page that imports resolutions from a UN Digital Library MARC21 XML file
(mandates/marc.py): upload, preview of what would be created and what is skipped and why, then
"Create" makes the drafts. The file waits in the session between the two steps and is read again
on "Create", so the preview and what is saved come from the same rules on the same data."""

import base64
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mandates import marc

SESSION_KEY = "marc_import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("MARC21 XML file"),
        help_text=gettext_lazy(
            "In the UN Digital Library, select the records and export them as MARCXML. "
            "One file may hold one record or many."
        ),
    )


def import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    changelist = reverse("admin:mandates_resolution_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import resolutions from the UN Digital Library"),
        "changelist_url": changelist,
    }
    if request.method == "POST" and "token" in request.POST:
        return create(model_admin, request, changelist)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(marc.MAX_BYTES + 1)
        try:
            entries = marc.plan(data)
        except marc.BadFile as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "data": base64.b64encode(data).decode("ascii"),
            }
            context.update(
                entries=entries,
                to_create=[e for e in entries if e.outcome == marc.CREATE],
                skipped=[e for e in entries if e.outcome != marc.CREATE],
                token=token,
            )
    context["form"] = form
    return TemplateResponse(request, "admin/mandates/resolution/import.html", context)


def create(model_admin, request, changelist):
    stored = request.session.get(SESSION_KEY) or {}
    if not stored or stored.get("token") != request.POST["token"]:
        messages.error(request, _("This preview has expired: choose the file again."))
        return HttpResponseRedirect(reverse("admin:mandates_resolution_import"))
    del request.session[SESSION_KEY]
    try:
        entries = marc.plan(base64.b64decode(stored["data"]))
    except marc.BadFile as error:  # cannot happen with a file that was previewed; be plain
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("admin:mandates_resolution_import"))
    created = marc.create(entries, request.user)
    for resolution in created:
        model_admin.log_addition(request, resolution, [{"added": {}}])
    messages.success(
        request,
        ngettext(
            "%(count)d draft resolution created. A publisher reviews and publishes it.",
            "%(count)d draft resolutions created. A publisher reviews and publishes them.",
            len(created),
        )
        % {"count": len(created)},
    )
    return HttpResponseRedirect(f"{changelist}?{urlencode({'status__exact': 'draft'})}")
