"""Garbage in, a clear answer out: every public URL and GET parameter tolerates hostile input.

The answer is 200, 400 (with the reasons) or 404 (a styled page), never a 500; markup sent in is
never echoed unescaped into HTML. NUL characters and oversized values stop at
config.middleware.RequestGuardMiddleware with a 400 (PostgreSQL cannot compare text with NUL).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.models import Instrument
from mandates.models import Body, ExpertGroup, Resolution
from partners.models import Partner

pytestmark = pytest.mark.django_db

OK = {200, 400, 404, 414}  # 414: an address longer than the guard takes
PROBE = "<xss-probe"  # a tag no page contains: if it appears, input was echoed unescaped
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><xss-probe>",
    "' OR 1=1 --",
    "'; DROP TABLE mandates_resolution; --",
    "{{ 7|add:7 }}{% debug %}",
    "../../../etc/passwd",
    "a\x00b",
    "\x00",
    "0",
    "-1",
    "-0",
    "1e309",
    "NaN",
    "9" * 40,
    "-" + "9" * 40,
    "٢٠١٥",  # Arabic-Indic digits: Python reads them as 2015
    "２０１５",  # full-width digits
    "مرحبا بالعالم",
    "中文搜索",
    "Привет",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u202egnp.exe",
    "%00%3Cscript%3E",
    " ",
    "",
    "x" * 10 * 1024,
]
MARKUP = [p for p in PAYLOADS if "<" in p]
FILTERS = ["body", "year_from", "year_to", "instrument", "partner", "q", "sort", "page"]


def text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_safe(response, sent):
    """A clear status, and no markup from `sent` (lists of values) in HTML unescaped."""
    assert response.status_code in OK, response.status_code
    body = text(response)
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        assert PROBE not in body
        for value in (v for values in sent.values() for v in values):
            if value in MARKUP or PROBE in value:
                assert value not in body, f"{value!r} echoed unescaped"
    else:
        # CSV, JSON and text/plain reasons may quote the input; browsers must not sniff them.
        assert response["X-Content-Type-Options"] == "nosniff"
        assert not content_type.startswith(("text/html", "application/xhtml"))
    if response.status_code == 400:
        assert body.strip(), "a 400 says why"
    return body


# --- every public URL pattern: a garbage key is a 404 ---------------------------------------------


def public_patterns(patterns=None, namespace=""):
    """(name, converters) of every URL pattern outside the admin."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += public_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, entry.pattern.converters))
    return found


WITH_KEYS = [(name, converters) for name, converters in public_patterns() if converters]
WITHOUT_KEYS = [name for name, converters in public_patterns() if not converters]
GARBAGE_KEYS = ["no-such-record", "0", "9" * 30, "a" * 300, "-_-", "SC"]


def test_patterns_were_found():
    names = {name for name, _ in WITH_KEYS}
    assert {"mandates:resolution-detail", "instruments:detail", "partners:detail"} <= names
    assert "mandates:resolution-list" in WITHOUT_KEYS


@pytest.mark.parametrize("garbage", GARBAGE_KEYS)
@pytest.mark.parametrize("name, converters", WITH_KEYS, ids=[n for n, _ in WITH_KEYS])
def test_garbage_keys_are_404(client, name, converters, garbage):
    url = reverse(name, kwargs={key: garbage for key in converters})
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/instruments/%3Cscript%3Ealert(1)%3C/script%3E/",
        "/partners/%E4%B8%AD%E6%96%87/",
        "/resolutions/sc/%D9%A2%D9%A0%D9%A1%D9%A5/",
        "/bodies/" + "x" * 5000 + "/",
        "/resolutions/export.%3Cb%3E",
        "/resolutions/export.",
        "/resolutions/%2e%2e/%2e%2e/etc/passwd",
        "/expert-group/%F0%9D%94%98/",
    ],
)
def test_garbage_paths_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>alert(1)" not in text(response)


@pytest.mark.parametrize("path", ["/partners/%00/", "/resolutions/a%00b/c/"])
def test_nul_in_the_path_is_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in text(response)


# --- every page: garbage GET parameters -----------------------------------------------------------

GARBAGE_QUERIES = [
    {"page": ["0"]},
    {"page": ["-1"]},
    {"page": ["9" * 25]},
    {"page": ["last"]},
    {"page": ["1.5"]},
    {"page": ["<script>alert(1)</script>"]},
    {"q": ["<svg/onload=alert(1)>"]},
    {"q": ["a\x00b"]},
    {"q": ["x" * 10 * 1024]},
    {"q": ["中文搜索", "مرحبا"]},
    {"sort": ["</textarea><xss-probe>"]},
    {"year_from": ["9" * 40], "year_to": ["-5"]},
    {"year_from": ["٢٠١٥"]},
    {"body": ["ZZZ"], "instrument": ["no-such"], "partner": ["<b>"]},
    {"utm_source": ['"><img src=x onerror=alert(1)>']},
    {"x" * 5000: ["1"]},
]


def page_urls():
    """Every page without a key, and one record page of each kind."""
    urls = [reverse(name) for name in WITHOUT_KEYS if name != "mandates:export"]
    urls += [reverse("mandates:export", args=[fmt]) for fmt in ("csv", "json", "bib", "ris")]
    for model in (Resolution, Body, ExpertGroup, Instrument, Partner):
        record = model._default_manager.order_by("pk").first()
        if record is not None:
            urls.append(record.get_absolute_url())
    return urls


@pytest.mark.parametrize("query", GARBAGE_QUERIES, ids=lambda q: repr(q)[:40])
def test_every_page_tolerates_garbage_parameters(client, query):
    for url in page_urls():
        response = client.get(url, query, follow=True)
        assert_safe(response, query)


@pytest.mark.parametrize(
    "query, reason",
    [
        ({"q": ["a\x00b"]}, "NUL character"),
        ({"year_from": ["\x00"]}, "NUL character"),
        ({"q": ["x" * 4097]}, "a parameter is longer than 4096 characters"),
        ({"q": ["x"] * 1200}, "too many parameters"),
    ],
)
def test_guard_answers_400_with_a_reason(client, query, reason):
    response = client.get(reverse("mandates:resolution-list"), query)
    assert response.status_code == 400
    assert reason in text(response)


@pytest.mark.parametrize("query", [{"q": ["x" * 10 * 1024]}, {"q": ["x" * 3000] * 6}])
def test_guard_answers_414_to_an_address_too_long(client, query):
    """The same page and status gunicorn gives a request line too long (tests/test_server.py)."""
    response = client.get(reverse("mandates:resolution-list"), query)
    assert response.status_code == 414
    assert "no page takes an address of more than 8000 characters" in text(response)
    response = client.get("/fr" + reverse("mandates:resolution-list"), query)
    assert response.status_code == 414 and 'lang="fr"' in text(response)


def test_nul_in_a_posted_form_is_400(admin_client):
    response = admin_client.post(reverse("admin:auth_group_add"), {"name": "bad\x00name"})
    assert response.status_code == 400
    assert "NUL character" in text(response)


@pytest.mark.parametrize(
    "query, shown",
    [
        ({"instrument": "no-such-instrument"}, "no-such-instrument"),
        ({"partner": "no-such-partner"}, "no-such-partner"),
        ({"body": "ZZZ"}, "ZZZ"),
        ({"instrument": "<b>bold</b>"}, "&lt;b&gt;bold&lt;/b&gt;"),
        ({"year_from": "next year"}, "year_from"),
        ({"sort": "sideways"}, "sort"),
    ],
)
def test_unknown_filter_values_are_reported(client, query, shown):
    response = client.get(reverse("mandates:resolution-list"), query)
    assert response.status_code == 400
    assert shown in text(response)


@pytest.mark.parametrize("page", ["0", "99999"])
def test_page_out_of_range_is_a_clear_404(client, page):
    response = client.get(reverse("mandates:resolution-list"), {"page": page})
    assert response.status_code == 404
    assert "past the end of a list" in text(response)


# --- property-based: the list and its exports, any combination of filters -------------------------

hostile_text = st.one_of(
    st.text(max_size=40),  # any code point but surrogates, NUL included
    st.sampled_from(PAYLOADS),
    st.integers().map(str),
    st.integers(min_value=10**20).map(str),
    st.builds(lambda a, b: f"{a}{PROBE} x='{b}'>", st.text(max_size=10), st.text(max_size=10)),
    st.text(alphabet=st.characters(categories=["Lo", "Mn", "Nd", "So"]), min_size=1, max_size=30),
    st.just("y" * 10 * 1024),
)
queries = st.dictionaries(
    st.sampled_from(FILTERS), st.lists(hostile_text, min_size=1, max_size=3), max_size=5
)


@pytest.mark.parametrize(
    "url", ["/resolutions/", "/resolutions/export.json", "/resolutions/export.csv"]
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries)
def test_filters_never_fail(client, url, query):
    response = client.get(url, query)
    assert_safe(response, query)
