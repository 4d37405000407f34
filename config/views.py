"""The health probe and error pages that render even when the request or the database fail.

The 400 page and what these pages share (the language of the address, the context drawn
without a request) are in core/errors.py, where the apps use them too."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from core.errors import bad_request_page, page_language, standalone_context
from mandates.models import LoadedRecord

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)


def discard_broken_connections():
    """Close connections an error left unusable, so the next request opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:  # only in tests: the test case owns that transaction
            continue
        try:
            conn.close_if_unusable_or_obsolete()
        except DatabaseError:
            conn.close()


class Migrations:
    """Whether the database has every migration this code has. Finding out reads the migration
    files, so once everything is applied that is remembered for the life of the process (a
    running release never unapplies one); a database still behind is asked again every time."""

    all_applied = False

    @classmethod
    def unapplied(cls, connection):
        """How many migrations are not applied yet (0 once all are)."""
        if cls.all_applied:
            return 0
        executor = MigrationExecutor(connection)
        count = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        cls.all_applied = count == 0
        return count


def health():
    """(status, report) for /healthz: every check in order, stopping at the first that fails;
    "not checked" for those after it. Once the migrations are known to be applied, one query:
    whether the reference data was loaded (which also shows the database answers)."""
    report = {
        "status": "error",
        "database": "ok",
        "migrations": "not checked",
        "reference_data": "not checked",
    }
    try:
        unapplied = Migrations.unapplied(connection)
        if unapplied:
            report["migrations"] = f"{unapplied} unapplied"
            return 503, report
        report["migrations"] = "ok"
        if not LoadedRecord.objects.reference_data_loaded():
            report["reference_data"] = "not loaded"
            return 503, report
    except DatabaseError as error:
        logger.warning("Health check: the database does not answer (%s)", error)
        discard_broken_connections()
        report.update(database="unavailable", migrations="not checked")
        return 503, report
    report.update(status="ok", reference_data="ok")
    return 200, report


def healthz(request):
    """200 when the database answers, has every migration and holds the reference data; else
    503, saying which check failed (docs/deploying.md lists the answers). Never cached."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    status, report = health()
    response = JsonResponse(report, status=status)
    add_never_cache_headers(response)
    if request.method == "HEAD":
        response.content = b""
    return response


def method_not_allowed_page(request, allowed):
    """405 with templates/405.html and the Allow header, for a method a page does not take."""
    with translation.override(page_language(request)):
        body = loader.render_to_string(
            "405.html", {**standalone_context(), "method": request.method, "allowed": allowed}
        )
    response = HttpResponseNotAllowed(allowed, body)
    return response


def bad_request(request, exception):
    """handler400 (bad Host header, too many fields, ...): the exception text is not shown."""
    return bad_request_page(request)


def service_unavailable():
    """503 with templates/503.html, rendered without the request and without the database."""
    try:
        body = loader.render_to_string("503.html", standalone_context())
    except Exception:  # the page that says "try later" must not itself fail
        logger.exception("Could not render 503.html")
        body = "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: templates/500.html without request context; a database outage gets the 503.

    Django calls this from inside its exception handler, so sys.exc_info() is the error that
    escaped a middleware (e.g. sessions on an admin page) or a view.
    """
    with translation.override(page_language(request)):
        if isinstance(sys.exc_info()[1], DATABASE_DOWN):
            discard_broken_connections()
            return service_unavailable()
        try:
            body = loader.render_to_string("500.html", standalone_context())
        except Exception:
            logger.exception("Could not render 500.html")
            body = "<!doctype html><title>Server error</title><h1>Server error (500)</h1>"
    return HttpResponseServerError(body)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username and address have failed AXES_FAILURE_LIMIT times."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        **standalone_context(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(cooloff.total_seconds() / 60)),
    }
    response = HttpResponse(loader.render_to_string("axes_lockout.html", context), status=429)
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    add_never_cache_headers(response)
    return response
