"""The page cache (pagecache/): anonymous GETs of public pages are answered from memory until any
record changes, and a change, wherever it is saved, shows on the very next request."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mandates.models import Resolution
from pagecache import version
from pagecache.middleware import PageCacheMiddleware
from partners.models import Partner
from tests.test_admin import admin_url, form_data
from tests.test_fixtures import write_fixture_dir

pytestmark = pytest.mark.django_db

LIST = reverse("mandates:resolution-list")
RECORD = "/resolutions/sc/2199-2015/"


@pytest.fixture
def page_cache(settings):
    """The cache as `make run` has it (tests switch it off by default, tests/conftest.py)."""
    settings.PAGE_CACHE_SECONDS = 300
    cache = caches[settings.PAGE_CACHE_ALIAS]
    cache.clear()
    yield cache
    cache.clear()


def get(client, url, **headers):
    """(response, number of queries it cost)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
        if response.streaming:
            response.content = b"".join(response.streaming_content)
    return response, len(queries)


def cached_entries(cache):
    """The pages this process holds (LocMemCache's own dict), not the facet counts and the
    filters' choice lists kept beside them."""
    return sum(1 for key in cache._cache if ":page:" in key)


def test_second_request_is_answered_from_the_cache(client, page_cache):
    first, rendering = get(client, LIST + "?body=SC")
    second, from_cache = get(client, LIST + "?body=SC")
    assert first.status_code == second.status_code == 200
    assert rendering > 5
    assert from_cache == 1  # the data version, one row by primary key
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_cached_page_still_answers_conditional_requests(client, page_cache):
    etag = get(client, RECORD)[0]["ETag"]
    response, queries = get(client, RECORD, if_none_match=etag)
    assert response.status_code == 304
    assert queries == 1


def test_every_public_page_is_cached(client, page_cache):
    for url in ("/", LIST, RECORD, "/instruments/untoc/", "/partners/unesco/", "/bodies/sc/"):
        get(client, url)
        response, queries = get(client, url)
        assert response.status_code == 200, url
        assert queries == 1, url


def test_different_query_strings_are_different_entries(client, page_cache):
    sc = get(client, LIST + "?body=SC")[0].content
    ga = get(client, LIST + "?body=GA")[0].content
    assert sc != ga
    assert get(client, LIST + "?body=SC")[0].content == sc
    assert get(client, LIST + "?body=GA")[0].content == ga
    # The same query spelt differently shares one entry.
    get(client, LIST + "?q=looted+antiquities")
    assert get(client, LIST + "?q=looted%20antiquities")[1] == 1


def test_the_language_is_part_of_the_key():
    request = RequestFactory().get(LIST, {"body": "SC"})
    request.LANGUAGE_CODE = "en"
    english = PageCacheMiddleware.key(request, "v1")
    request.LANGUAGE_CODE = "fr"
    assert PageCacheMiddleware.key(request, "v1") != english
    assert PageCacheMiddleware.key(request, "v2") != PageCacheMiddleware.key(request, "v1")


def test_admin_edit_shows_on_the_very_next_request(client, admin_client, page_cache):
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    get(client, RECORD)
    assert get(client, RECORD)[1] == 1  # cached
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["title"] = "Threats to international peace: an edited title"
    assert admin_client.post(url, data).status_code == 302
    response, queries = get(client, RECORD)
    assert "an edited title" in response.content.decode()
    assert queries > 1  # rendered afresh


def test_a_change_saved_elsewhere_shows_on_the_next_request(client, page_cache):
    """Another worker, the shell, a command: the data version is in the database, not in this
    process, so every process sees the change at once."""
    get(client, RECORD)
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    resolution.title = "A title saved by another process"
    resolution.save()
    assert "saved by another process" in get(client, RECORD)[0].content.decode()
    # A link added (m2m_changed) shows too.
    get(client, RECORD)
    resolution.partners.add(Partner.objects.get(slug="wco"))
    assert 'href="/partners/wco/"' in get(client, RECORD)[0].content.decode()


def test_bulk_writes_move_the_version_on_through_the_commands(client, page_cache, tmp_path):
    before = version.current()
    call_command("generate_synthetic", "--resolutions", "5", verbosity=0)
    generated = version.current()
    assert generated != before
    call_command("generate_synthetic", "--clear", verbosity=0)
    assert version.current() != generated
    cleared = version.current()
    call_command("load_reference_data", verbosity=0)
    assert version.current() == cleared  # it found every record as it was: nothing written

    def retitled(records):
        records[0]["fields"]["title"] = "A title the reference data gives now"
        return records

    fixtures = write_fixture_dir(tmp_path / "fixtures", {"instruments": retitled})
    call_command("load_reference_data", fixture_dir=fixtures, verbosity=0)
    assert version.current() != cleared


def test_staff_never_get_cached_pages_nor_fill_the_cache(admin_client, client, page_cache):
    get(admin_client, RECORD)
    response, queries = get(admin_client, RECORD)
    assert response.status_code == 200
    assert queries > 1
    assert cached_entries(page_cache) == 0
    assert get(client, RECORD)[1] > 1  # the first anonymous visit still renders


def test_admin_pages_are_never_cached(client, settings, page_cache):
    assert "admin" not in settings.PAGE_CACHE_NAMESPACES
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert cached_entries(page_cache) == 0


def test_errors_and_redirects_are_not_cached(client, page_cache):
    assert client.get("/resolutions/sc/9999-2099/").status_code == 404
    assert client.get(LIST + "?body=NOPE").status_code == 400
    assert client.get("/resolutions").status_code == 301  # APPEND_SLASH
    assert cached_entries(page_cache) == 0


def test_a_small_export_is_kept_whole(client, page_cache):
    url = reverse("mandates:export", args=["csv"]) + "?body=SC"
    first = get(client, url)[0]
    second, queries = get(client, url)
    assert queries == 1
    assert second.content == first.content
    assert second["Content-Disposition"] == 'attachment; filename="resolutions-sc.csv"'
    assert second.content.decode("utf-8-sig").startswith("body,number,symbol")


def test_switched_off_with_zero_seconds(client, settings, page_cache):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, RECORD)
    assert get(client, RECORD)[1] > 1
    assert cached_entries(page_cache) == 0


def test_without_the_database_the_page_answers_as_before(client, page_cache, monkeypatch):
    read, failed = version.read, []

    def unavailable_once(using="default"):
        """The data version cannot be read as the request starts (the connection dropped);
        later reads work again."""
        if not failed:
            failed.append(using)
            raise OperationalError("connection refused")
        return read(using)

    monkeypatch.setattr(version, "read", unavailable_once)
    assert client.get(RECORD).status_code == 200  # rendered: the view's own queries work here
    assert failed
    assert cached_entries(page_cache) == 0


@pytest.mark.django_db
def test_public_pages_do_not_vary_on_cookies(client, settings):
    """Nothing on a public page depends on who asks: its answer is not marked Vary: Cookie (the
    page cache reads no session to decide whether to keep it)."""
    for seconds in (0, 300):
        settings.PAGE_CACHE_SECONDS = seconds
        for path in ("/", "/resolutions/?body=SC", "/partners/"):
            response = client.get(path)
            assert response.status_code == 200
            assert "cookie" not in response.get("Vary", "").lower(), (seconds, path)
