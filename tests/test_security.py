"""Production safety: the secret-key refusal, `check --deploy`, response headers, cookies and the
admin login lockout (django-axes).

Settings are read once per process, so the tests of what the environment turns on or off run
`manage.py` or `python -c` in a subprocess with exactly that environment.
"""

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import RequestFactory

from config.middleware import client_ip

BASE_DIR = Path(django_settings.BASE_DIR)
LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple 42"


def run(code_or_args, env, tmp_path):
    """Run Python in a fresh process with only `env` (plus PATH) and a throwaway SQLite file."""
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_FORMAT": "plain",
        **env,
    }
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def strong_key():
    return secrets.token_urlsafe(50)


def documented_production_env():
    """The variables .env.example documents, with a real key in place of its placeholder."""
    env = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env["DJANGO_SECRET_KEY"] = strong_key()
    env.pop("DATABASE_URL", None)  # `check` does not connect; run() points it at SQLite
    return env


# --- the secret key: serving refuses a missing or weak one -------------------------------------

IMPORT_WSGI = "import config.wsgi; print('served')"


@pytest.mark.parametrize(
    "key",
    [None, "", "django-insecure-development-only-key-do-not-deploy", "short-key", "a" * 60],
    ids=["missing", "empty", "dev-fallback", "short", "repetitive"],
)
def test_wsgi_refuses_to_start_without_a_real_key_when_debug_is_off(tmp_path, key):
    env = {"DJANGO_DEBUG": "0"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = run(IMPORT_WSGI, env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set DJANGO_SECRET_KEY to a long random value" in result.stderr
    assert "served" not in result.stdout


def test_wsgi_starts_with_a_real_key(tmp_path):
    result = run(IMPORT_WSGI, {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": strong_key()}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "served" in result.stdout


def test_wsgi_starts_without_a_key_in_development(tmp_path):
    result = run(IMPORT_WSGI, {"DJANGO_DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_management_commands_need_no_environment(tmp_path):
    """`manage.py` with no environment at all is the development default: it must still work."""
    result = run(["manage.py", "check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        documented_production_env(),
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_the_development_key(tmp_path):
    env = documented_production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


SHOW_SETTINGS = """
import json, django
from django.conf import settings as s
django.setup()
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
]}))
"""


def settings_under(env, tmp_path):
    result = run(SHOW_SETTINGS, {"DJANGO_SETTINGS_MODULE": "config.settings", **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_settings_are_on_when_debug_is_off(tmp_path):
    values = settings_under({}, tmp_path)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_https_settings_are_off_in_development(tmp_path):
    values = settings_under({"DJANGO_DEBUG": "1"}, tmp_path)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


def test_environment_overrides(tmp_path):
    values = settings_under(
        {
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # `make run`: plain HTTP on loopback
            "DJANGO_SECURE_HSTS_SECONDS": "600",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        },
        tmp_path,
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


# --- headers on every response ------------------------------------------------------------------

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, status",
    [
        ("/", 200),
        ("/resolutions/", 200),
        ("/resolutions/?year_from=not-a-year", 400),
        ("/resolutions/?q=a%00b", 400),
        ("/no-such-page/", 404),
        (LOGIN, 200),
        ("/healthz", 200),
    ],
)
def test_security_headers(client, url, status):
    response = client.get(url, secure=True)
    assert response.status_code == status
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp == CSP_DIRECTIVES
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/resolutions/?q=x")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/resolutions/?q=x"
    assert client.get("/healthz").status_code == 200


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline code: every template must do without it. (A JSON-LD data block,
    <script type="application/ld+json">, is data, never run: browsers do not execute it.)"""
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>|<style\b|\sstyle=|\son[a-z]+=",
        re.IGNORECASE,
    )
    offenders = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if inline.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


# --- cookies ------------------------------------------------------------------------------------


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "editor", "editor@example.org", PASSWORD, is_staff=True
    )


@pytest.mark.django_db
def test_cookies_are_secure_httponly_and_samesite(client, staff):
    response = client.get(LOGIN, secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(LOGIN, {"username": "editor", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


# --- login lockout (django-axes) ----------------------------------------------------------------


def login(client, password, username="editor", address="127.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_failures_lock_out_even_the_right_password(client, staff):
    for _ in range(4):
        assert login(client, "wrong").status_code == 200  # the form again, with its error
    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    page = locked.content.decode()
    assert "Sign-in paused" in page and "15 minutes" in page
    assert "Content-Security-Policy" in locked  # the lockout page is an ordinary page

    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(client, staff, django_user_model):
    django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    for _ in range(5):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 429
    # The same username from another address, and another username from this one, may sign in.
    assert login(client, PASSWORD, address="192.0.2.7").status_code == 302
    client.logout()
    assert login(client, PASSWORD, username="viewer").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, staff):
    for _ in range(4):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "wrong").status_code == 200
    assert login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client, staff, settings):
    for _ in range(5):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 429
    cool_off = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - cool_off * 2)
    assert login(client, PASSWORD).status_code == 302


def test_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"  # X-Forwarded-For is not trusted by default
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our one proxy saw, not what was sent
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.5"  # fewer entries than proxies: not trustworthy
