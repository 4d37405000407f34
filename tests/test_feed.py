"""The Atom feed as feed readers and the W3C feed validator read it: dates that tell the truth,
conditional requests that see edits, and the validator's rules for Atom (RFC 4287)."""

import datetime as dt
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone
from django.utils.http import http_date

from mandates.models import Resolution

pytestmark = pytest.mark.django_db

FEED = "/resolutions/feed/"
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, url=FEED, **headers):
    response = client.get(url, **headers)
    return response, response.content


def parsed(content):
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def entry_for(feed, resolution):
    url = "http://testserver" + resolution.get_absolute_url()
    return next(e for e in feed.entries if e.link == url)


def test_entries_are_updated_when_their_record_last_changed(client):
    feed = parsed(fetch(client)[1])
    assert feed.entries
    for resolution in Resolution.objects.select_related("body")[:50]:
        entry = entry_for(feed, resolution)
        assert entry.updated_parsed[:6] == resolution.updated_at.utctimetuple()[:6]


def test_published_is_the_adoption_date(client):
    resolution = Resolution.objects.select_related("body").get(
        body__code="SC", number="2199 (2015)"
    )
    entry = entry_for(parsed(fetch(client)[1]), resolution)
    assert entry.published.startswith("2015-02-12")


def test_an_entry_without_an_adoption_date_says_so_and_invents_none(client):
    undated = Resolution.objects.select_related("body").filter(adopted_on__isnull=True).first()
    assert undated is not None
    entry = entry_for(parsed(fetch(client)[1]), undated)
    assert "published" not in entry
    assert "-01-01" not in entry.updated
    assert entry.updated_parsed[:6] == undated.updated_at.utctimetuple()[:6]
    assert "exact date of adoption is not known" in entry.summary
    assert str(undated.year) in entry.summary


@pytest.fixture
def changed_last_month():
    """Every record last changed a month ago (as after a load), so an edit now is the latest."""
    last_month = timezone.now() - dt.timedelta(days=30)
    for model in (Resolution,):
        model.objects.update(updated_at=last_month)
    return last_month


def test_a_conditional_request_after_an_edit_gets_the_new_feed(client, changed_last_month):
    first, _content = fetch(client)
    assert first["Last-Modified"] == http_date(changed_last_month.timestamp())
    modified, etag = first["Last-Modified"], first["ETag"]
    assert (
        fetch(client, HTTP_IF_MODIFIED_SINCE=modified, HTTP_IF_NONE_MATCH=etag)[0].status_code
        == 304
    )
    assert fetch(client, HTTP_IF_MODIFIED_SINCE=modified)[0].status_code == 304

    time.sleep(1.05)  # Last-Modified counts whole seconds
    resolution = Resolution.objects.select_related("body").order_by(*Resolution._meta.ordering)[3]
    resolution.summary += " Edited."
    resolution.save()

    for headers in (
        {"HTTP_IF_MODIFIED_SINCE": modified, "HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_MODIFIED_SINCE": modified},
        {"HTTP_IF_NONE_MATCH": etag},
    ):
        response, content = fetch(client, **headers)
        assert response.status_code == 200, headers
    assert response["ETag"] != etag
    assert response["Last-Modified"] == http_date(
        Resolution.objects.get(pk=resolution.pk).updated_at.timestamp()
    )
    entry = entry_for(parsed(content), resolution)
    assert entry.summary.endswith("Edited.")


def test_last_modified_is_the_latest_change_among_the_entries(client):
    response, content = fetch(client, FEED + "?body=SC")
    latest = max(r.updated_at for r in Resolution.objects.filter(body__code="SC"))
    assert response["Last-Modified"] == http_date(latest.timestamp())
    feed = parsed(content)
    assert feed.feed.updated_parsed[:6] == latest.utctimetuple()[:6]


def test_feeds_may_be_kept_a_few_minutes(client):
    assert fetch(client)[0]["Cache-Control"] == "public, max-age=300"


# --- the W3C feed validator's rules for Atom ------------------------------------------------------


@pytest.mark.parametrize("url", [FEED, FEED + "?body=SC&partner=unesco", "/fr" + FEED])
def test_the_feed_meets_the_validators_rules(client, url):
    response, content = fetch(client, url)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(content)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == (
        "fr" if url.startswith("/fr/") else "en"
    )
    for required in ("id", "title", "updated", "author"):  # the feed's
        assert root.find(f"{ATOM}{required}") is not None, required
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver" + url  # "Self reference doesn't match"
    assert links["alternate"].startswith("http://testserver/")
    ids, updated = set(), []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        ids.add(entry.find(f"{ATOM}id").text)
        updated.append(entry.find(f"{ATOM}updated").text)
        published = entry.find(f"{ATOM}published")
        if published is not None:  # RFC 3339, and never after the entry's last change
            assert published.text <= updated[-1]
    assert len(ids) == len(updated)  # ids unique
    feed = parsed(content)
    assert all(e.id.startswith("http://testserver/") for e in feed.entries)
