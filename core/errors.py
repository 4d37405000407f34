"""The pages every part of the site answers bad input with, drawn without the request or the
database: here so that every app, and the project's own views and middleware (config/), use
the same ones without an app importing `config`.

They render templates/400.html and its kin with standalone_context(): what base.html needs,
from the processors named in settings.STANDALONE_CONTEXT_PROCESSORS (dotted paths, as Django's
TEMPLATES name its context processors), none of which may query or read the request.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.module_loading import import_string


def standalone_context():
    """What base.html needs on a page drawn without a request or the database."""
    context = {}
    for path in settings.STANDALONE_CONTEXT_PROCESSORS:
        context.update(import_string(path)())
    return context


def page_language(request):
    """The interface language of the address (/fr/... is French), for pages rendered before
    LocaleMiddleware has run or without it: the thread may still hold another request's."""
    path = getattr(request, "path_info", "") if request is not None else ""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def bad_request_page(request, reason="", status=400):
    """400 (or 414 for an address too long) with templates/400.html and the reason, for input
    no page accepts.

    Rendered without the request: it may carry the very input being refused (or a bad Host).
    """
    return HttpResponse(bad_request_body(page_language(request), reason), status=status)


def bad_request_body(language, reason=""):
    """templates/400.html in `language`, as bytes: also what gunicorn sends for a request too
    long for it to read (config/workers.py)."""
    with translation.override(language):
        return loader.render_to_string(
            "400.html", {**standalone_context(), "reason": str(reason)}
        ).encode()
