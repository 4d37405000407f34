"""/healthz (the database, the migrations, the reference data), and the database going away: a
503 page, and back by itself without a restart.

The outage tests stop the real PostgreSQL connection, so they run on PostgreSQL only (and must,
on CI with a postgres DATABASE_URL) and as transactional tests; pytest-django empties the
database after each, so `reference_data` loads it before each and `_reference_data_restored`
again after this module.
"""

import importlib
import logging
import os
import re
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.db.migrations.recorder import MigrationRecorder

from config.views import Migrations
from mandates.models import LoadedRecord

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")

HEALTHY = {"status": "ok", "database": "ok", "migrations": "ok", "reference_data": "ok"}
UNAVAILABLE = {
    "status": "error",
    "database": "unavailable",
    "migrations": "not checked",
    "reference_data": "not checked",
}


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


# --- /healthz tells the truth: migrations and the reference data ----------------------------------


@pytest.fixture
def migrations_unknown(monkeypatch):
    """As a process that has not yet seen every migration applied (it remembers only that)."""
    monkeypatch.setattr(Migrations, "all_applied", False)


def unapply(count):
    """Forget the latest `count` mandates migrations, as a database that has not run them yet
    (inside the test's transaction: rolled back after it)."""
    recorded = MigrationRecorder(connection).migration_qs.filter(app="mandates")
    latest = recorded.order_by("-name").values_list("name", flat=True)[:count]
    assert recorded.filter(name__in=list(latest)).delete()[0] == count


@pytest.mark.django_db
def test_healthz_is_503_while_migrations_are_unapplied(client, migrations_unknown):
    unapply(3)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "migrations": "3 unapplied",
        "reference_data": "not checked",
    }
    assert "no-store" in response["Cache-Control"]
    assert client.get("/healthz").status_code == 503  # a failure is not remembered
    assert not Migrations.all_applied


@pytest.mark.django_db
def test_healthz_is_503_on_a_database_never_migrated(client, migrations_unknown):
    """A fresh database: no django_migrations table at all (what the recorder then reports)."""
    with mock.patch.object(MigrationRecorder, "has_table", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["database"] == "ok" and report["reference_data"] == "not checked"
    count = int(report["migrations"].removesuffix(" unapplied"))
    assert count > 40  # every migration of every app


@pytest.mark.django_db
def test_healthz_is_503_until_the_reference_data_is_loaded(client):
    LoadedRecord.objects.all().delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "migrations": "ok",
        "reference_data": "not loaded",
    }
    call_command("load_reference_data", verbosity=0)
    assert client.get("/healthz").json() == HEALTHY


@pytest.mark.django_db
def test_healthz_reads_the_migrations_once_then_asks_one_query(
    client, migrations_unknown, django_assert_num_queries
):
    assert client.get("/healthz").status_code == 200  # reads the migration files once
    assert Migrations.all_applied
    with (
        mock.patch("config.views.MigrationExecutor", side_effect=AssertionError("read again")),
        django_assert_num_queries(1),
    ):
        response = client.get("/healthz")
    assert response.json() == HEALTHY


class StatusServer(ThreadingHTTPServer):
    """A local HTTP server answering every GET with `status` (for the image's HEALTHCHECK)."""

    def __init__(self, status):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def run_healthcheck(status):
    """The Dockerfile's HEALTHCHECK command, run against a server answering `status`."""
    dockerfile = (Path(django_settings.BASE_DIR) / "Dockerfile").read_text()
    (code,) = re.findall(r'CMD python -c "([^"]+)"', dockerfile)
    with StatusServer(status) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            env = {**os.environ, "PORT": str(server.server_address[1])}
            result = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, timeout=30
            )
        finally:
            server.shutdown()
    return result.returncode


def test_the_image_healthcheck_fails_on_a_503():
    """Docker's HEALTHCHECK counts a non-zero exit as unhealthy: urlopen raises on a 503."""
    assert run_healthcheck(200) == 0
    assert run_healthcheck(503) != 0


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


@pytest.fixture
def reference_data(_reference_data_restored, django_db_blocker):
    """The reference data committed before a transactional test: the flush after the one
    before emptied the tables, and /healthz is healthy only with the reference data loaded."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outage_and_recovery_without_restart(client, reference_data):
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
def test_terminated_connections_are_replaced(client, reference_data):
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
def test_health_check_asks_the_socket_first(reference_data, monkeypatch):
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
