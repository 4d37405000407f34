"""Not one link leads to an error (issue 23): a crawl of every internal link reachable from / and
/fr/ with the test client, in both languages.

Followed: <a href> (in HTML and SVG), <link href> (alternates, canonical, feeds), <form action>
(GET forms, without their fields) and the Location of redirects; same site only, GET only. Not
followed: the admin (staff only) and other sites. Static files (<link rel=stylesheet>, <script
src>, icons) are not fetched but must exist among the static files. A link's #fragment must name
an element of the page it leads to.

Bounded, to stay fast: the lists' facets make endless combinations of filters, so an address
with a query string is fetched only if it holds a parameter value not yet fetched at its path
(every value any link gives a parameter is tried at least once: ?body=SC, ?body=GA, ...,
?year_from=2015, ...), and the crawl stops at MAX_PAGES (the test then fails, rather than
checking less than it says).
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import Client

pytestmark = pytest.mark.django_db

START = ["/", "/fr/"]
MAX_PAGES = 2000
SKIP = ("/admin/",)
HOSTS = ("testserver", "")


class Links(HTMLParser):
    """The links of a page: (kind, address), and the ids its elements carry."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(("page", attrs["href"]))
        elif tag == "link" and attrs.get("href"):
            rel = set((attrs.get("rel") or "").split())
            kind = "static" if rel & {"stylesheet", "icon", "preload"} else "page"
            self.links.append((kind, attrs["href"]))
        elif tag in ("script", "img") and attrs.get("src"):
            self.links.append(("static", attrs["src"]))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(("page", attrs.get("action") or ""))

    handle_startendtag = handle_starttag


def internal(url):
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and (parts.hostname or "") in HOSTS


def crawl(client, start=START):
    """{url: status}, [(referrer, url, problem)] for every page reached from `start`."""
    seen, tried, statuses, problems = set(), set(), {}, []
    anchors = []  # (referrer, url, fragment): checked once every page is read
    ids = {}
    queue = deque((None, url) for url in start)
    while queue:
        referrer, url = queue.popleft()
        if url in seen:
            continue
        parts = urlsplit(url)
        values = {(parts.path, name, value) for name, value in parse_qsl(parts.query)}
        if values and values <= tried:
            continue
        seen.add(url)
        tried |= values
        assert len(seen) <= MAX_PAGES, "the crawl reached MAX_PAGES: raise it, or bound it better"
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code >= 400:
            problems.append((referrer, url, response.status_code))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            location = urljoin(url, response["Location"])
            if internal(location):
                parts = urlsplit(location)
                queue.append((url, parts.path + (f"?{parts.query}" if parts.query else "")))
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        page = Links()
        page.feed(response.content.decode())
        ids[url] = page.ids
        for kind, href in page.links:
            target = urljoin(url, href)
            if not internal(target):
                continue
            parts = urlsplit(target)
            if parts.path.startswith(SKIP):
                continue
            address = parts.path + (f"?{parts.query}" if parts.query else "")
            if kind == "static":
                name = parts.path.removeprefix("/static/")
                if not parts.path.startswith("/static/") or not finders.find(name):
                    problems.append((url, target, "missing static file"))
                continue
            if parts.fragment:
                anchors.append((url, address, parts.fragment))
            queue.append((url, address))
    for referrer, address, fragment in anchors:
        if address in ids and fragment not in ids[address]:
            problems.append((referrer, f"{address}#{fragment}", "no element with this id"))
    return statuses, problems


def test_no_link_leads_to_an_error(client):
    statuses, problems = crawl(client)
    assert problems == [], "\n".join(f"{r} -> {u}: {p}" for r, u, p in problems[:30])
    # The crawl reached every kind of page, in both languages.
    reached = set(statuses)
    for expected in (
        "/resolutions/sc/2199-2015/",
        "/fr/resolutions/sc/2199-2015/",
        "/fr/instruments/untoc/",
        "/fr/partners/unesco/",
        "/fr/bodies/sc/",
        "/fr/matrix/",
        "/fr/timeline/",
        "/fr/graph/",
        "/fr/paragraphs/",
        "/fr/expert-group/",
        "/fr/about/",
    ):
        assert expected in reached, expected
    assert any(url.startswith("/fr/resolutions/?body=") for url in reached)
    assert any(url.startswith("/fr/resolutions/export.") for url in reached)


def test_the_crawl_sees_a_broken_link():
    """A page linking to an address that fails is reported (so the crawl can fail)."""

    class OnePageClient(Client):
        def get(self, path, *args, **kwargs):
            if path == "/start/":
                return HttpResponse(
                    '<a href="/resolutions/?body=XX">x</a> <a href="/start/#nowhere">y</a>'
                    '<link rel="stylesheet" href="/static/css/none.css">'
                )
            return super().get(path, *args, **kwargs)

    _statuses, problems = crawl(OnePageClient(), start=["/start/"])
    assert set(problems) == {
        ("/start/", "/resolutions/?body=XX", 400),
        ("/start/", "/start/#nowhere", "no element with this id"),
        ("/start/", "/static/css/none.css", "missing static file"),
    }


@pytest.mark.parametrize(
    "url, location",
    [
        ("/fr/resolutions/?body=AG", "/fr/resolutions/?body=GA"),
        ("/fr/resolutions/?body=cs&year_from=2015", "/fr/resolutions/?body=SC&year_from=2015"),
        ("/resolutions/?body=Congr%C3%A8s", "/resolutions/?body=CONGRESS"),
        ("/fr/paragraphs/?body=CS", "/fr/paragraphs/?body=SC"),
        ("/fr/graph/?body=AG&body=SC", "/fr/graph/?body=GA&body=SC"),
    ],
)
def test_a_french_body_code_is_the_same_body(client, url, location):
    """A code typed the French way leads to the list of the same body, under the address
    with its canonical code (so every link on that page carries it too)."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == location
    assert client.get(location).status_code == 200


def test_french_codes_in_exports_and_the_feed(client):
    english = client.get("/resolutions/export.json?body=SC").json()["results"]
    french = client.get("/fr/resolutions/export.json?body=CS").json()["results"]
    assert [row["symbol"] for row in french] == [row["symbol"] for row in english]
    assert english and {row["body"] for row in french} == {"SC"}
    feed = client.get("/fr/resolutions/feed/?body=AG")
    assert feed.status_code == 200 and b"<entry>" in feed.content


def test_canonical_codes_cost_no_query_more(client, django_assert_max_num_queries):
    """Aliases are looked up only when a value is not a code."""
    client.get("/resolutions/?body=SC")
    with django_assert_max_num_queries(16):
        assert client.get("/resolutions/?body=SC&year_from=2015&year_to=2017").status_code == 200


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_links_to_body_lists_carry_canonical_codes(client, prefix):
    for url in ("/bodies/", "/bodies/ga/", "/bodies/sc/", "/matrix/"):
        content = client.get(prefix + url).content.decode()
        assert "body=AG" not in content and "body=CS" not in content, url
    assert "?body=SC" in client.get(prefix + "/bodies/").content.decode()
