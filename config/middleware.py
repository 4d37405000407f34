"""Project-wide middleware: HEAD answers, the health probe, the request guard, methods the
public pages do not take, and the database-outage page."""

import logging

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.middleware import locale
from django.utils import translation
from django.utils.translation import gettext as _

from config.views import (
    DATABASE_DOWN,
    discard_broken_connections,
    healthz,
    method_not_allowed_page,
    service_unavailable,
)
from core.errors import bad_request_page, page_language

logger = logging.getLogger(__name__)

MAX_VALUE_LENGTH = 4 * 1024  # characters in one query-string name or value
# Bytes in the request target (path and query string, as sent). Below gunicorn's own limit on
# the request line (config/gunicorn.py: LIMIT_REQUEST_LINE, "GET " + target + " HTTP/1.1"), so
# a long address is refused here; one longer still is refused by gunicorn with the same page
# (config/workers.py). Both answer 414.
MAX_REQUEST_TARGET = 8000


class HeadMiddleware:
    """A HEAD request gets the GET's status and headers, Content-Length included, and no body
    (RFC 9110). Django's views answer HEAD with the GET's whole response and leave the body to
    the server: gunicorn drops it, but logs a warning for each one, and monitors send many.
    First in MIDDLEWARE, so it empties the body after every other middleware has seen it (the
    page cache keeps its own copy, and CommonMiddleware has measured its length)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response


class HealthCheckMiddleware:
    """Answers /healthz itself, ahead of Host validation, URL resolution and sessions."""

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") == self.path:
            return healthz(request)
        return self.get_response(request)


def request_target_length(environ):
    """The request target's length as the client sent it: gunicorn's RAW_URI, else the path
    (percent-encoded again) and the query string."""
    raw = environ.get("RAW_URI")
    if raw:
        return len(raw)
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    query = environ.get("QUERY_STRING", "")
    return len(path) + (1 + len(query) if query else 0)


def address_too_long_message():
    return _(
        "This address is too long: no page takes an address of more than %(limit)s characters."
    ) % {"limit": MAX_REQUEST_TARGET}


class RequestGuardMiddleware:
    """400 for input no page accepts: NUL characters anywhere, absurdly long values or too many
    of them; 414 for an address longer than MAX_REQUEST_TARGET, with the page gunicorn gives one
    too long for it to read.

    PostgreSQL cannot store or compare text containing NUL, so such a value would otherwise end
    as a 500 deep inside a query; long values are never meaningful filters or search terms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(page_language(request)):
            status, problem = self.problem(request)
        if problem:
            return bad_request_page(request, problem, status=status)
        return self.get_response(request)

    @staticmethod
    def problem(request):
        """(status, the reason shown), or (None, None) when the request may go on."""
        if "\x00" in request.path_info:
            return 400, _("The address contains a NUL character, which no page accepts.")
        if request_target_length(request.META) > MAX_REQUEST_TARGET:
            return 414, address_too_long_message()
        try:
            query = request.GET
        except TooManyFieldsSent:
            return 400, _("This request has too many parameters.")
        for name, values in query.lists():
            for text in (name, *values):
                if len(text) > MAX_VALUE_LENGTH:
                    return 400, _(
                        "This request is too long: a parameter is longer than %(limit)s characters."
                    ) % {"limit": MAX_VALUE_LENGTH}
                if "\x00" in text:
                    return 400, _("A parameter contains a NUL character, which no page accepts.")
        if request.method == "POST":
            for name, values in request.POST.lists():
                if any("\x00" in text for text in (name, *values)):
                    return 400, _("A form field contains a NUL character, which cannot be saved.")
        return None, None


class PublicMethodsMiddleware:
    """405, with the styled page and an Allow header, for a method the public pages do not take
    (POST, PUT, PATCH, DELETE, ...). They only read: nothing to post to. Before the CSRF
    middleware, which would otherwise answer such a request first, with a 403 about a missing
    token. The admin (and any page outside PUBLIC_NAMESPACES) is left to its own views."""

    ALLOWED = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.ALLOWED:
            return None
        match = request.resolver_match
        if match is None or match.namespace not in settings.PUBLIC_NAMESPACES:
            return None
        return method_not_allowed_page(request, self.ALLOWED)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with a friendly page and Retry-After.

    The broken connection is closed, so service resumes by itself once the database is back
    (CONN_HEALTH_CHECKS also re-checks persistent connections at the start of each request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error(
                "Database unavailable: %s %s", request.method, request.path, exc_info=exception
            )
            discard_broken_connections()
            return service_unavailable()
        return None


def client_ip(request):
    """The client address for login lockouts (django-axes), honouring DJANGO_TRUSTED_PROXY_COUNT."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, without `Vary: Accept-Language`.

    The language comes from the address alone: /fr/... is French, every other address English
    (i18n_patterns without a prefix for the default language, which makes Django choose the
    default for any unprefixed path, the admin's included), whatever the browser asks for.
    Django still marks unprefixed answers as varying on Accept-Language, which would make a
    shared cache keep a copy of each English page per browser language for nothing."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if response.has_header("Vary"):
            kept = [
                value.strip()
                for value in response["Vary"].split(",")
                if value.strip() and value.strip().lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
