"""gunicorn as `make run` and the image start it (config/gunicorn.py, config/workers.py): idle
connections do not stall the site, and requests too long for gunicorn get the site's own page.

One gunicorn, started once for the module on a free port with a throwaway SQLite database,
whatever DATABASE_URL the suite runs on: these tests are about the server, not the database.
Bounded: at most 50 idle sockets, every wait with a timeout, the server stopped at the end.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

BASE_DIR = Path(django_settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
IDLE_CONNECTIONS = 50


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with the project's config: 2 workers (each of the gthread kind) on a free port."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-server-" + "k" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "GUNICORN_WORKERS": "2",
        "LOG_FORMAT": "plain",
    }
    for command in (["migrate", "--noinput", "-v0"], ["load_reference_data", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=120
        )
    port = free_port()
    log = (tmp / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--config", "config/gunicorn.py"]
        + ["--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()


def test_fifty_idle_connections_do_not_stall_the_home_page(server):
    idle = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", server), timeout=5))
        time.sleep(0.3)  # every worker has accepted its share
        for _ in range(3):
            started = time.monotonic()
            status, _headers, body = get(server, "/", timeout=10)
            elapsed = time.monotonic() - started
            assert status == 200 and "Mandate Reference" in body
            assert elapsed < 1.0, f"/ took {elapsed:.2f} s with {IDLE_CONNECTIONS} idle connections"
    finally:
        for sock in idle:
            sock.close()


def test_a_connection_that_sends_nothing_is_closed(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # closed by the server, not timed out here
        assert time.monotonic() - started < 8  # FIRST_REQUEST_SECONDS (2 s) and a poll (1 s)


def test_each_answer_closes_its_connection(server):
    """No keep-alive (config/gunicorn.py): a client's next request is a new connection, which
    any worker with time for it accepts, so a proxy's pool of connections cannot all sit on
    one worker while another idles."""
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # until the server closes the connection
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 200") and "connection: close" in head


@pytest.mark.parametrize("length", [8100, 8180, 9000, 20000])
def test_every_address_too_long_gets_the_same_styled_414(server, length):
    """Up to 8,177 characters the app refuses it, past that gunicorn: the same page."""
    path = "/resolutions/?q=" + "x" * (length - len("/resolutions/?q="))
    status, headers, body = get(server, path)
    assert status == 414
    assert headers["Content-Type"].startswith("text/html")
    assert 'class="site-header"' in body and "/static/css/site." in body
    assert "no page takes an address of more than 8000 characters" in body


@pytest.mark.parametrize("length", [8100, 9000, 20000])
def test_a_french_address_too_long_gets_the_french_414(server, length):
    """The same page in French for a French address, whichever of the app and gunicorn
    refuses it (gunicorn reads the language from the start of the request line)."""
    path = "/fr/resolutions/?q=" + "x" * (length - len("/fr/resolutions/?q="))
    status, _headers, body = get(server, path)
    assert status == 414
    assert '<html lang="fr">' in body
    assert "aucune page n’accepte une adresse de plus de 8000 caractères" in body
    assert "no page takes" not in body


def test_headers_too_large_get_the_styled_400(server):
    status, _headers, body = get(server, "/", headers={"X-Big": "y" * 9000})
    assert status == 400
    assert 'class="site-header"' in body
    assert "headers are too large or too many" in body


def test_an_address_just_under_the_limit_reaches_the_pages(server):
    status, _headers, body = get(server, "/resolutions/?" + "&".join(["body=SC"] * 900))
    assert status == 200 and "S/RES/2199 (2015)" in body
    status, _headers, body = get(server, "/" + "a" * 7900)
    assert status == 404 and 'class="site-header"' in body
