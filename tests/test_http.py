"""HTTP around the pages: conditional GET (304), HEAD answers, and hashed static files cached
for good."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from mandates.models import Resolution

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
