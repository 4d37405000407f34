"""Operations: /healthz, the error pages, the database-outage page and recovery, conditional GET,
static-file caching, JSON logs and the gunicorn settings.

The outage tests stop the real PostgreSQL connection, so they run on PostgreSQL only (and must,
on CI with a postgres DATABASE_URL) and as transactional tests; pytest-django empties the
database after each, so `_reference_data_restored` loads it again after this module.
"""

import importlib
import io
import json
import logging
import os
import runpy
import socket
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory
from django.urls import reverse

from config import views as config_views
from config.jsonlog import JSONFormatter, log_format
from mandates.models import Resolution

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")

HEALTHY = {"status": "ok", "database": "ok"}
UNAVAILABLE = {"status": "error", "database": "unavailable"}


# --- /healthz -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == HEALTHY
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_plain_http_and_any_host(client, settings):
    """A load balancer probes by address over HTTP: no HTTPS redirect, no ALLOWED_HOSTS 400."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["mandates.example.org"]
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == HEALTHY
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # other pages do check


@pytest.mark.django_db
def test_healthz_methods(client):
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/healthz").status_code == 405


# --- error pages ----------------------------------------------------------------------------------


@pytest.fixture
def lenient_client():
    """A client that gets the 500 page instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_404_page_is_styled_and_leaks_nothing(client):
    response = client.get("/resolutions/?page=99999")  # past the end: Http404 from the paginator
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'class="site-header"' in page  # extends base.html
    assert "Invalid page" not in page and "contains no results" not in page


@pytest.mark.django_db
def test_500_page_is_styled_and_leaks_nothing(lenient_client):
    with mock.patch(
        "mandates.views.HomeView.get_context_data", side_effect=RuntimeError("s3cr3t detail")
    ):
        response = lenient_client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'class="site-header"' in page
    assert "s3cr3t" not in page and "Traceback" not in page and "RuntimeError" not in page


@pytest.mark.django_db
def test_500_page_renders_without_request_or_database(client, django_assert_max_num_queries):
    """It shows the date of the latest change the last page read, without asking again."""
    latest = client.get("/").context["DATA_UPDATED"].at
    with django_assert_max_num_queries(0):
        response = config_views.server_error(None)
    assert response.status_code == 500
    assert f'<time datetime="{latest:%Y-%m-%d}">' in response.content.decode()


@pytest.mark.django_db
def test_server_error_during_a_database_outage_is_a_503():
    """An outage raised outside a view (e.g. while saving a session) reaches handler500."""
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = config_views.server_error(None)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_400_page_without_a_reason():
    response = config_views.bad_request(RequestFactory().get("/"), ValueError("s3cr3t"))
    assert response.status_code == 400
    assert "This request could not be understood" in response.content.decode()
    assert "s3cr3t" not in response.content.decode()


# --- the database going away: a 503 page, and back by itself --------------------------------------


def database_down():
    """Every query fails as it does when PostgreSQL has gone (works on any database)."""
    return mock.patch.object(
        CursorWrapper, "execute", side_effect=OperationalError("server closed the connection")
    )


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert 'class="site-header"' in page
    assert "server closed" not in page and "OperationalError" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/resolutions/", "/resolutions/export.json", "/instruments/", "/about/"],
)
def test_pages_answer_503_while_the_database_is_down(client, url):
    with database_down():
        response = client.get(url)
    assert_unavailable_page(response)
    assert client.get(url).status_code == 200  # and back as soon as it answers


@pytest.mark.django_db
def test_an_outage_is_logged_with_its_cause(client, caplog):
    with database_down(), caplog.at_level(logging.ERROR, logger="config.middleware"):
        client.get("/resolutions/")
    (record,) = [r for r in caplog.records if r.name == "config.middleware"]
    assert record.levelname == "ERROR" and "/resolutions/" in record.getMessage()
    assert "server closed the connection" in str(record.exc_info[1])


@pytest.mark.django_db
def test_healthz_answers_503_while_the_database_is_down(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert client.get("/healthz").json() == HEALTHY


ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
CI_ON_POSTGRESQL = os.environ.get("CI", "").lower() == "true" and os.environ.get(
    "DATABASE_URL", ""
).startswith("postgres")
postgresql_only = pytest.mark.skipif(
    not (ON_POSTGRESQL or CI_ON_POSTGRESQL), reason="stops a real PostgreSQL connection"
)


def require_postgresql():
    """On CI with a postgres DATABASE_URL these must run, never skip."""
    if connection.vendor != "postgresql":
        pytest.fail("CI runs these on PostgreSQL, but the test database is not PostgreSQL")


@pytest.fixture(scope="module")
def _reference_data_restored(django_db_setup, django_db_blocker):
    """After this module's transactional tests (and their flush), reload what others expect."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        staff_roles.create_roles(django_apps, None)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outage_and_recovery_without_restart(client, _reference_data_restored):
    """PostgreSQL unreachable (its port closed): 503s; reachable again: 200s, same process."""
    require_postgresql()
    assert client.get("/healthz").status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE
        assert_unavailable_page(client.get("/resolutions/"))
        assert_unavailable_page(client.get("/"))
    finally:
        connection.settings_dict["PORT"] = real_port
    assert client.get("/healthz").json() == HEALTHY
    assert client.get("/resolutions/").status_code == 200
    assert client.get("/").status_code == 200


def _admin_connection():
    """A psycopg connection of its own to the test database, beside Django's."""
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=True,
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_terminated_connections_are_replaced(client, _reference_data_restored):
    """PostgreSQL restarted under us (every backend terminated): at most one request fails."""
    require_postgresql()
    assert client.get("/resolutions/").status_code == 200  # a live persistent connection
    with _admin_connection() as admin:
        terminated = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert terminated  # our connection was among them
    first = client.get("/resolutions/")
    if first.status_code != 200:
        assert_unavailable_page(first)
    assert client.get("/healthz").json() == HEALTHY
    assert client.get("/resolutions/").status_code == 200


def _terminate_from_outside(pids):
    """Terminate these backends from another connection; wait until they are gone."""
    import time

    with _admin_connection() as admin:
        for pid in pids:
            assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            alive = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)]
            ).fetchone()[0]
            if not alive:
                return
            time.sleep(0.05)
    pytest.fail(f"backends {pids} still alive")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_health_check_asks_the_socket_first(_reference_data_restored, monkeypatch):
    """config/postgresql: a request's health check sends no `SELECT 1` on a connection the
    server has said nothing on; on one the server closed, it checks, and the request gets a
    new connection, not an error."""
    from django.db import close_old_connections

    require_postgresql()
    assert connection.health_check_enabled
    checks = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or is_usable())

    def request():
        close_old_connections()  # what the start of a request does
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = request()
    assert request() == first  # the same persistent connection
    assert checks == []  # and no round trip to check it

    _terminate_from_outside([first])
    replaced = request()  # no error: the check saw the server's goodbye
    assert replaced != first
    assert checks == [1]  # one real check, which failed
    assert request() == replaced
    assert checks == [1]


# --- conditional GET ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["list", "resolution"])
def test_unchanged_pages_answer_304(client, page):
    if page == "list":
        url = reverse("mandates:resolution-list")
    else:
        url = Resolution.objects.select_related("body").order_by("pk").first().get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


# --- HEAD ----------------------------------------------------------------------------------------


def _through_the_wsgi_handler(method, path):
    """(status, headers, body) as a WSGI server gets them: the test client would drop a HEAD
    answer's body itself, hiding whether the application sent one. As the test client does,
    the request leaves the test's connection alone: close_old_connections() would close it,
    since the test's transaction holds autocommit off."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    environ = RequestFactory().generic(method, path).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            body.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return started["status"], started["headers"], content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/resolutions/?body=GA", "/resolutions/export.csv"])
def test_head_answers_have_the_gets_headers_and_no_body(path):
    """No body for gunicorn to drop (with a warning each time); the GET's length and type."""
    get_status, get_headers, get_body = _through_the_wsgi_handler("GET", path)
    for _ in range(2):  # the second from the page cache, where the page is kept
        status, headers, body = _through_the_wsgi_handler("HEAD", path)
        assert (status, body) == (get_status, b"")
        assert headers["Content-Type"] == get_headers["Content-Type"]
        if "Content-Length" in get_headers:
            assert headers["Content-Length"] == str(len(get_body))
    assert get_body  # the GET still has its body
    assert _through_the_wsgi_handler("GET", path)[2] == get_body


# --- static files: hashed names cached for good ---------------------------------------------------


def test_hashed_static_files_are_cached_forever(settings, tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    middleware = WhiteNoiseMiddleware(lambda request: None)
    factory = RequestFactory()

    hashed = staticfiles_storage.url("css/site.css")
    assert hashed != "/static/css/site.css"
    response = middleware(factory.get(hashed))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    plain = middleware(factory.get("/static/css/site.css"))
    assert plain["Cache-Control"] == f"max-age={settings.WHITENOISE_MAX_AGE}, public"


# --- logs -----------------------------------------------------------------------------------------


def test_log_records_are_json_lines():
    formatter = JSONFormatter()
    record = logging.LogRecord(
        "mandates", logging.WARNING, __file__, 1, "hello %s", ("wörld",), None
    )
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "WARNING" and entry["logger"] == "mandates"
    assert entry["message"] == "hello wörld"
    assert entry["time"].endswith("Z")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_gunicorn_access_lines_become_fields():
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/resolutions/", "s": "200", "B": 512, "D": 12345}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s", (), None
    )
    record.args = atoms  # how gunicorn logs: one dict of atoms as the args
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "GET /resolutions/"
    assert entry["status"] == 200 and entry["path"] == "/resolutions/"
    assert entry["duration_ms"] == 12.3


def test_django_logs_through_the_json_formatter(settings):
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JSONFormatter())
    request = RequestFactory().get("/somewhere")
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        logger.warning(
            "Not Found: %s", "/somewhere", extra={"status_code": 404, "request": request}
        )
    finally:
        logger.removeHandler(handler)
    entry = json.loads(handler.stream.getvalue())
    assert entry == {**entry, "status": 404, "method": "GET", "path": "/somewhere"}
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


@pytest.mark.parametrize(
    "env, debug, expected",
    [({}, False, "json"), ({}, True, "plain"), ({"LOG_FORMAT": "plain"}, False, "plain")],
)
def test_log_format_choice(monkeypatch, env, debug, expected):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert log_format(debug=debug) == expected


# --- gunicorn settings ----------------------------------------------------------------------------

GUNICORN_CONFIG = str(Path(django_settings.BASE_DIR) / "config" / "gunicorn.py")


def gunicorn_settings(monkeypatch, **env):
    for name in ("PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(GUNICORN_CONFIG)


def test_gunicorn_defaults(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert 2 <= conf["workers"] <= 8
    assert conf["worker_class"] == "config.workers.StyledThreadWorker"
    assert conf["threads"] == 4 and conf["keepalive"] == 2
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 30
    assert conf["limit_request_line"] == 8190  # above the app's MAX_REQUEST_TARGET
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"
    handler = conf["logconfig_dict"]["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"


def test_gunicorn_reads_the_environment(monkeypatch):
    conf = gunicorn_settings(
        monkeypatch, PORT="9000", GUNICORN_WORKERS="3", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="60"
    )
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 4, 60)
