"""What clients nobody here wrote ask of the site: methods it does not take, compressed pages,
robots.txt and the sitemap, canonical links, security.txt and favicon.ico."""

import gzip
import re
import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from instruments.models import Instrument
from mandates.models import Resolution
from partners.models import Partner

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- methods ----------------------------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/resolutions/",
    "/fr/resolutions/sc/2199-2015/",
    "/instruments/",
    "/about/",
    "/robots.txt",
]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_answer_405_with_allow_and_a_styled_page(client, url, method):
    client.handler.enforce_csrf_checks = True  # as a browser or a scanner meets the site
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    page = response.content.decode()
    french = url.startswith("/fr/")
    heading = "Cette page peut seulement être lue" if french else "This page can only be read"
    assert 'class="site-header"' in page and heading in page
    assert method.upper() in page


def test_options_names_the_same_methods(client):
    response = client.options("/resolutions/")
    assert response.status_code == 200
    assert {m.strip() for m in response["Allow"].split(",")} >= {"GET", "HEAD", "OPTIONS"}


def test_the_admin_forms_still_post(admin_client):
    response = admin_client.post(reverse("admin:auth_group_add"), {"name": "Reviewers"})
    assert response.status_code == 302
    client = admin_client
    client.handler.enforce_csrf_checks = True
    assert client.post(reverse("admin:auth_group_add"), {"name": "x"}).status_code == 403


# --- compression ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/resolutions/", "/resolutions/export.csv"])
def test_answers_are_gzipped_for_clients_that_accept_it(client, url):
    plain = body_of(client.get(url))
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    packed = body_of(response)
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2


def test_no_compression_for_clients_that_do_not_ask(client):
    assert not client.get("/resolutions/").has_header("Content-Encoding")


# --- robots.txt and the sitemap ----------------------------------------------------------------


@pytest.fixture
def robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def disallowed(robots, path):
    """Whether the rules keep a crawler out of `path`, with the `*` wildcard (RFC 9309), which
    the standard library's parser does not read: the longest matching rule wins."""
    best = None
    for line in robots.splitlines():
        kind, _, rule = line.partition(":")
        rule = rule.strip()
        if kind.strip().lower() not in ("allow", "disallow") or not rule:
            continue
        pattern = "^" + ".*".join(re.escape(part) for part in rule.split("*"))
        if re.match(pattern, path) and (best is None or len(rule) > len(best[1])):
            best = (kind.strip().lower(), rule)
    return best is not None and best[0] == "disallow"


@pytest.mark.parametrize(
    "path",
    [
        "/resolutions/export.csv?body=SC",
        "/resolutions/export.bib",
        "/fr/resolutions/export.ris",
        "/resolutions/feed/",
        "/fr/resolutions/feed/?partner=unesco",
        "/resolutions/?body=SC&partner=unesco",
        "/resolutions/?body=SC&page=2",
        "/resolutions/?sort=oldest",
        "/fr/paragraphs/?activity=training&body=GA",
        "/admin/",
    ],
)
def test_robots_keeps_crawlers_out_of_exports_feeds_and_combinations(robots, path):
    assert disallowed(robots, path)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/resolutions/",
        "/resolutions/?page=2",
        "/resolutions/?body=SC",
        "/fr/resolutions/?instrument=untoc",
        "/resolutions/sc/2199-2015/",
        "/fr/resolutions/sc/2199-2015/",
        "/instruments/untoc/",
        "/sitemap.xml",
    ],
)
def test_robots_leaves_pages_and_records_open(robots, path):
    assert not disallowed(robots, path)


def test_robots_names_the_sitemap(robots):
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots.splitlines())
    assert parser.site_maps() == ["http://testserver/sitemap.xml"]


def sitemap_urls(client):
    """Every <loc> of every section of the sitemap index, and their hreflang alternates."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls, alternates = set(), {}
    for loc in index.iter(f"{SITEMAP}loc"):
        section = client.get(loc.text.removeprefix("http://testserver"))
        assert section.status_code == 200
        for url in ET.fromstring(section.content).iter(f"{SITEMAP}url"):
            here = url.find(f"{SITEMAP}loc").text.removeprefix("http://testserver")
            urls.add(here)
            alternates[here] = {
                link.get("hreflang"): link.get("href").removeprefix("http://testserver")
                for link in url.iter(f"{XHTML}link")
            }
    return urls, alternates


def test_the_sitemap_lists_every_record_in_both_languages(client):
    urls, alternates = sitemap_urls(client)
    records = [
        *Resolution.objects.real().select_related("body"),
        *Instrument.objects.all(),
        *Partner.objects.all(),
    ]
    assert records
    for record in records:
        english = record.get_absolute_url()
        assert english in urls and "/fr" + english in urls
        assert alternates["/fr" + english] == {
            "en": english,
            "fr": "/fr" + english,
            "x-default": english,
        }
    assert {"/", "/fr/", "/resolutions/", "/fr/about/"} <= urls


def test_every_sitemap_address_answers_200(client):
    urls, _alternates = sitemap_urls(client)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_sitemap_leaves_synthetic_records_out(client):
    resolution = Resolution.objects.real().select_related("body").first()
    Resolution.objects.filter(pk=resolution.pk).update(is_synthetic=True)
    urls, _alternates = sitemap_urls(client)
    assert resolution.get_absolute_url() not in urls


# --- canonical links ---------------------------------------------------------------------------


def canonical(client, url):
    links = re.findall(r'<link rel="canonical" href="([^"]*)">', client.get(url).content.decode())
    assert len(links) == 1, links
    return links[0].replace("&amp;", "&").removeprefix("http://testserver")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/resolutions/", "/resolutions/"),
        ("/resolutions/?page=2", "/resolutions/?page=2"),  # each page of a list is its own
        ("/resolutions/?page=2&sort=oldest&body=GA", "/resolutions/?body=GA&page=2"),
        ("/fr/paragraphs/?page=2", "/fr/paragraphs/?page=2"),
        ("/resolutions/?sort=oldest&body=SC&q=", "/resolutions/?body=SC"),
        ("/resolutions/?partner=unesco&body=SC&page=1", "/resolutions/?body=SC&partner=unesco"),
        ("/fr/resolutions/?body=GA&sort=symbol", "/fr/resolutions/?body=GA"),
        ("/resolutions/sc/2199-2015/?utm_source=x", "/resolutions/sc/2199-2015/"),
        ("/fr/instruments/", "/fr/instruments/"),
        ("/", "/"),
    ],
)
def test_canonical_link_leaves_out_sort_and_the_first_page(client, url, expected):
    assert canonical(client, url) == expected


# --- security.txt and favicon.ico --------------------------------------------------------------


def test_security_txt_follows_rfc_9116(client, settings):
    settings.SECURITY_CONTACTS = ["mailto:security@example.org"]
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(
        line.split(": ", 1) for line in response.content.decode().splitlines() if line.strip()
    )
    assert fields["Contact"] == "mailto:security@example.org"
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"
    import datetime as dt

    expires = dt.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ")
    assert dt.timedelta(days=30) < expires - dt.datetime.utcnow() < dt.timedelta(days=365)


def test_no_security_txt_without_a_contact(client, settings):
    settings.SECURITY_CONTACTS = []
    assert client.get("/.well-known/security.txt").status_code == 404


def test_favicon_ico_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert body_of(response)[:4] == b"\x00\x00\x01\x00"  # the ICO header


# --- the header's links ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_every_header_link_answers_200_without_a_redirect(client, prefix):
    page = client.get(prefix + "/").content.decode()
    header = page[page.index('class="site-header"') : page.index("</header>")]
    links = set(re.findall(r'href="(/[^"]*)"', header))
    assert len(links) >= 9
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_the_expert_group_link_shows_the_group_with_its_canonical_address(client):
    response = client.get("/expert-group/")
    assert response.status_code == 200
    assert canonical(client, "/expert-group/") == "/expert-group/cultural-property-expert-group/"
    own = client.get("/expert-group/cultural-property-expert-group/").content.decode()
    assert "<h1" in own and own.split("<h1", 1)[1].split("</h1>")[0] in response.content.decode()


def test_the_sitemap_dates_each_record_by_its_last_change(client):
    resolution = Resolution.objects.real().select_related("body").first()
    content = client.get("/sitemap-resolutions.xml").content
    for url in ET.fromstring(content).iter(f"{SITEMAP}url"):
        if url.find(f"{SITEMAP}loc").text.endswith(resolution.get_absolute_url()):
            lastmod = url.find(f"{SITEMAP}lastmod").text
            assert lastmod == resolution.updated_at.date().isoformat()
            break
    else:
        raise AssertionError("not in the sitemap")
