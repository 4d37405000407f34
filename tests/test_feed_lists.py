"""The Atom feed of any filtered list: its entries, filters and limits (tests/test_feed.py: its
dates and validity)."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from mandates.models import (
    Resolution,
)

pytestmark = pytest.mark.django_db

FEED = reverse("mandates:feed")
ATOM = "{http://www.w3.org/2005/Atom}"


# --- the Atom feed --------------------------------------------------------------------------------


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_feed_is_valid_atom(client):
    feed = parse_feed(client.get(FEED))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text.strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == Resolution.objects.count()
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):  # published: where the date is known
            assert entry.find(f"{ATOM}{name}").text.strip(), name
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/resolutions/")
    newest = Resolution.objects.order_by(*Resolution._meta.ordering).first()
    assert entries[0].find(f"{ATOM}link").get("href").endswith(newest.get_absolute_url())


def test_feed_entry_dates_and_categories(client):
    feed = parse_feed(client.get(FEED, {"body": "ECOSOC"}))
    entries = {e.find(f"{ATOM}title").text.split(":")[0]: e for e in feed.findall(f"{ATOM}entry")}
    unknown = entries["ECOSOC resolution 2011/42"]
    assert unknown.find(f"{ATOM}published") is None  # no invented 1 January (tests/test_feed.py)
    assert "not known" in unknown.find(f"{ATOM}summary").text
    known = entries["ECOSOC resolution 2010/19"]
    assert known.find(f"{ATOM}published").text.startswith("2010-07-22")
    feed = parse_feed(client.get(FEED, {"body": "GA", "instrument": "untoc"}))
    (entry,) = feed.findall(f"{ATOM}entry")
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"GA", "UNTOC"}


def test_feed_respects_filters(client):
    feed = parse_feed(client.get(FEED, {"body": "SC"}))
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == Resolution.objects.filter(body__code="SC").count()
    assert all(e.find(f"{ATOM}title").text.startswith("SC ") for e in entries)
    assert "(SC)" in feed.find(f"{ATOM}title").text
    alternate = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert alternate[0].get("href") == "http://testserver/resolutions/?body=SC"


def test_feed_rejects_bad_filters(client):
    response = client.get(FEED, {"body": "NOPE"})
    assert response.status_code == 400
    assert "There is no body “NOPE”" in response.content.decode()


def test_feed_holds_the_newest_fifty(client, make_mandate):
    for _ in range(55):
        make_mandate(year=2090, paragraphs=0)
    entries = parse_feed(client.get(FEED)).findall(f"{ATOM}entry")
    assert len(entries) == 50
    for entry in entries:  # no <published> where the adoption date is unknown (test_feed.py)
        published = entry.find(f"{ATOM}published")
        assert "2090" in (published if published is not None else entry.find(f"{ATOM}summary")).text


def test_list_page_advertises_the_feed_with_its_filters(client):
    content = client.get(
        reverse("mandates:resolution-list"), {"body": "SC", "page": 1}
    ).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in content
    assert 'href="/resolutions/feed/?body=SC"' in content
    assert ">Atom feed</a>" in content
