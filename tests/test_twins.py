"""A machine-readable twin of every record (issue 23): each resolution, instrument and partner
page has a JSON twin at its address with ".json" (linked from the page with rel="alternate"),
and embeds schema.org JSON-LD, which a JSON-LD processor (pyld) expands without fetching
anything. Each twin is compared with its page; drafts have none for the public."""

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation
from pyld import jsonld

from instruments.models import Instrument
from mandates.models import Body, Resolution
from partners.models import Partner

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"


class Page(HTMLParser):
    """What a record page says: its hrefs, ids, alternate links, badges and JSON-LD blocks."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.hrefs, self.ids, self.alternates, self.classes = set(), set(), [], set()
        self.ld_blocks, self._in_ld = [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.add(attrs.get("id"))
        self.classes.update((attrs.get("class") or "").split())
        if tag == "a" and attrs.get("href"):
            self.hrefs.add(attrs["href"])
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append((attrs.get("type"), attrs.get("href")))
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.ld_blocks.append(data)
            self._in_ld = False


def no_remote_documents(url, options=None):
    raise AssertionError(f"the JSON-LD asked for a remote document: {url}")


def expand(data):
    return jsonld.expand(data, {"documentLoader": no_remote_documents})


def english_path(record):
    """The record's address without a language prefix, whatever language is active."""
    with translation.override("en"):
        return record.get_absolute_url()


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def read(client, page_url):
    response = client.get(page_url)
    assert response.status_code == 200, page_url
    html = response.content.decode()
    page = Page(html)
    json_links = [href for kind, href in page.alternates if kind == "application/json"]
    assert len(json_links) == 1, page_url
    twin_response = client.get(json_links[0])
    assert twin_response.status_code == 200
    assert twin_response["Content-Type"] == "application/json"
    assert len(page.ld_blocks) == 1, page_url
    return html, page, twin_response.json(), json.loads(page.ld_blocks[0])


def assert_common(html, page, twin, ld, page_url):
    assert path_of(twin["url"]) == page_url
    assert path_of(twin["json"]) in page.hrefs  # the visible link to it, too
    assert f"badge--{twin['verification']['status']}" in page.classes
    for source in twin["sources"]:
        assert source["url"] in page.hrefs
        assert source["kind"] in ("official", "copy", "secondary")
    text = unescape(html)
    for name in twin["verification"]["unverified_fields"]:
        assert "badge--unverified" in page.classes, name
    assert ld["@context"] == {"@vocab": SCHEMA}
    assert path_of(ld["url"]) == page_url and ld["@id"] == twin["url"] + "#record"
    expanded = expand(ld)
    assert len(expanded) == 1
    node = expanded[0]
    assert all(key.startswith(("@", SCHEMA)) for key in node), sorted(node)
    assert not [value for value in ld.values() if value in (None, "", [])], "unknowns are left out"
    return text, node


# --- every record against its page -------------------------------------------------------------
# Every record in English; in French (the same data, the interface's words and links in French)
# the first FRENCH_SAMPLE of each kind, to keep the suite fast.

FRENCH_SAMPLE = 6


def records(queryset, prefix):
    return list(queryset[:FRENCH_SAMPLE] if prefix else queryset)


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_every_resolution_twin_matches_its_page(client, prefix):
    resolutions = Resolution.objects.published().select_related("body")
    assert resolutions.count() > 30
    for resolution in records(resolutions, prefix):
        page_url = prefix + english_path(resolution)
        html, page, twin, ld = read(client, page_url)
        text, node = assert_common(html, page, twin, ld, page_url)
        assert twin["body"]["code"] == resolution.body.code
        assert (twin["number"], twin["symbol"], twin["title"]) == (
            resolution.number or None,
            resolution.symbol or None,
            resolution.title or None,
        )
        for value in (twin["number"], twin["symbol"], twin["title"], twin["citation"]):
            if value:
                assert value in text, (page_url, value)
        assert twin["adopted_on"] == (
            resolution.adopted_on.isoformat() if resolution.adopted_on else None
        )
        if twin["adopted_on"]:
            assert f'datetime="{twin["adopted_on"]}"' in html
        assert [p["url"].rsplit("#", 1)[1] for p in twin["paragraphs"]] == [
            p.anchor for p in resolution.paragraphs.order_by("position")
        ]
        for p in twin["paragraphs"]:
            assert p["url"].rsplit("#", 1)[1] in page.ids
            assert p["citation"] in text
            assert (p["summary"] or "") in text
        linked = [link["instrument"] for link in twin["instruments"]] + twin["partners"]
        linked += [link["resolution"] for link in twin["cites"] + twin["cited_by"]]
        for record in linked:
            assert path_of(record["url"]) in page.hrefs, (page_url, record["url"])
        # The JSON-LD says the same as the twin.
        assert node["@type"] == [SCHEMA + "Legislation"]
        identifier = twin["symbol"] or twin["number"]
        if identifier:
            assert node[SCHEMA + "legislationIdentifier"] == [{"@value": identifier}]
        else:
            assert SCHEMA + "legislationIdentifier" not in node
        if twin["adopted_on"]:
            assert node[SCHEMA + "legislationDate"] == [{"@value": twin["adopted_on"]}]
        else:
            assert SCHEMA + "legislationDate" not in node
        passed_by = node[SCHEMA + "legislationPassedBy"][0]
        assert path_of(passed_by[SCHEMA + "url"][0]["@value"]) == path_of(twin["body"]["url"])
        cited = {item["@id"] for item in node.get(SCHEMA + "citation", [])}
        assert cited == {
            ref["url"] + "#record"
            for ref in [link["resolution"] for link in twin["cites"]]
            + [link["instrument"] for link in twin["instruments"]]
        }
        parts = {item["@id"] for item in node.get(SCHEMA + "hasPart", [])}
        assert parts == {p["url"] for p in twin["paragraphs"]}
        if twin["contained_in"] and not twin["symbol"]:
            part_of = node[SCHEMA + "isPartOf"][0]
            assert part_of[SCHEMA + "identifier"] == [{"@value": twin["contained_in"]["symbol"]}]


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_every_instrument_twin_matches_its_page(client, prefix):
    for instrument in records(Instrument.objects.all(), prefix):
        page_url = prefix + english_path(instrument)
        html, page, twin, ld = read(client, page_url)
        text, node = assert_common(html, page, twin, ld, page_url)
        assert (twin["slug"], twin["short_name"]) == (instrument.slug, instrument.short_name)
        assert twin["title"] in text and twin["short_name"] in text
        for link in twin["resolutions"]:
            assert path_of(link["resolution"]["url"]) in page.hrefs
        for record in twin["partners"] + twin["protocols"]:
            assert path_of(record["url"]) in page.hrefs
        assert node["@type"] == [SCHEMA + "Legislation"]
        assert node[SCHEMA + "name"] == [{"@value": twin["title"]}]
        if twin["adopted_on"]:
            assert node[SCHEMA + "legislationDate"] == [{"@value": twin["adopted_on"]}]
        if twin["protocol_to"]:
            assert node[SCHEMA + "isPartOf"][0]["@id"] == twin["protocol_to"]["url"] + "#record"


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_every_partner_twin_matches_its_page(client, prefix):
    for partner in records(Partner.objects.all(), prefix):
        page_url = prefix + english_path(partner)
        html, page, twin, ld = read(client, page_url)
        text, node = assert_common(html, page, twin, ld, page_url)
        assert twin["acronym"] == partner.acronym and twin["name"] in text
        for record in twin["resolutions"] + twin["instruments"]:
            assert path_of(record["url"]) in page.hrefs
        assert {path_of(p["url"]) for p in twin["paragraphs"]} <= page.hrefs
        assert node["@type"] == [SCHEMA + "Organization"]
        assert node[SCHEMA + "alternateName"] == [{"@value": partner.acronym}]
        if twin["website"]:
            assert node[SCHEMA + "sameAs"] == [{"@value": twin["website"]}]
        if twin["founded"]:
            assert node[SCHEMA + "foundingDate"] == [{"@value": str(twin["founded"])}]
        subjects = {item["@id"] for item in node.get(SCHEMA + "subjectOf", [])}
        assert subjects == {r["url"] + "#record" for r in twin["resolutions"]}


# --- unknown values, drafts, escaping, the processor -------------------------------------------


def test_unknown_values_are_null_never_invented(client):
    body = Body.objects.get(code="GA")
    resolution = Resolution.objects.create(
        body=body, slug="2041-unknown", year=2041, sources="secondary https://example.org/x"
    )
    twin = client.get(resolution.get_json_url()).json()
    assert twin["number"] is None and twin["symbol"] is None and twin["title"] is None
    assert twin["adopted_on"] is None and twin["official_text"] is None
    assert twin["year"] == 2041
    assert twin["verification"]["status"] == "corroborated"
    assert twin["sources"] == [
        {"kind": "secondary", "url": "https://example.org/x", "host": "example.org"}
    ]
    ld = json.loads(Page(client.get(resolution.get_absolute_url()).content.decode()).ld_blocks[0])
    for key in ("legislationIdentifier", "legislationDate", "workExample", "inLanguage"):
        assert key not in ld
    assert ld["name"] == resolution.citation  # no title: its citation names it


def test_drafts_have_no_public_twin(client, django_user_model):
    draft = Resolution.objects.create(
        body=Body.objects.get(code="SC"), number="9990 (2041)", year=2041, status="draft"
    )
    assert client.get(draft.get_json_url()).status_code == 404
    assert client.get("/fr" + draft.get_json_url()).status_code == 404
    staff = django_user_model.objects.create_user("previewer", is_staff=True)
    client.force_login(staff)
    assert client.get(draft.get_json_url()).json()["publication"] == "draft"


def test_unknown_records_have_no_twin(client):
    assert client.get("/resolutions/sc/0000-2041.json").status_code == 404
    assert client.get("/instruments/no-such.json").status_code == 404
    assert client.get("/partners/no-such.json").status_code == 404


def test_json_ld_cannot_end_its_script_block(client):
    resolution = Resolution.objects.get(body__code="SC", slug="2199-2015")
    resolution.title = "</script><script>alert(1)</script> & <!-- x"
    resolution.save()
    html = client.get(resolution.get_absolute_url()).content.decode()
    block = Page(html).ld_blocks[0]
    assert "</script" not in block and "<!--" not in block
    assert json.loads(block)["name"] == resolution.title  # the escapes read back as the text
    assert client.get(resolution.get_json_url()).json()["title"] == resolution.title


def test_a_remote_context_would_be_noticed():
    """The loader really refuses: a document with a remote context fails to expand."""
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://schema.org/", "name": "x"})


def test_twin_query_counts_do_not_grow_with_links(
    client, make_mandate, django_assert_max_num_queries
):
    few = make_mandate(paragraphs=1)
    make_mandate(paragraphs=1)
    many = make_mandate(paragraphs=30)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few_queries:
        client.get(few.get_json_url())
    with django_assert_max_num_queries(len(few_queries)):
        assert len(client.get(many.get_json_url()).json()["paragraphs"]) == 30
    for url in (
        reverse("instruments:json", args=["untoc"]),
        reverse("partners:json", args=["unesco"]),
    ):
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for _ in range(5):
            make_mandate(paragraphs=2)
        with django_assert_max_num_queries(len(before)):
            client.get(url)
