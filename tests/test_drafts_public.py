"""Drafts are private by construction (issue 21, item 3): no public page, export, feed, count,
facet, search, drawing or sitemap shows or counts a draft, or anything of a change waiting for
review, whatever links them to the published records.

Every URL pattern of the public namespaces (settings.PUBLIC_NAMESPACES) is taken from the
URLconf, its path converters filled from real published records, and fetched in each language
before and after a draft resolution that touches every kind of link is made (and a change to a
published record is proposed): each page must come back the same, byte for byte (the footer's
date aside: a public page entry is re-mapped to the draft, a real change, on the test's day).
A pattern the walk cannot fill, or a name that does not reverse, is a failure that names it.
"""

import re

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from config.site import SITEMAPS
from core import review
from core.models import PendingChange, Status
from instruments.models import Instrument
from mandates.exports import ResolutionExportView
from mandates.models import (
    Activity,
    Addressee,
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from partners.models import Partner

pytestmark = pytest.mark.django_db

MARK = "Zyxwv"
NUMBER = "96/175"
SYMBOL = "A/RES/96/175"
DRAFT_WORDS = (f"{MARK} draft title", f"{MARK} draft summary", f"{MARK} draft paragraph")
PENDING_WORDS = "Qwxpending summary of a waiting change"

# How to fill each public pattern's path converters, from real published records.
FILLERS = {
    "mandates:resolution-detail": lambda: [
        {"body": r.body.slug, "slug": r.slug} for r in Resolution.public.select_related("body")
    ],
    "mandates:export": lambda: [{"fmt": fmt} for fmt in ResolutionExportView.FORMATS],
    "mandates:body-detail": lambda: [{"slug": b.slug} for b in Body.public.all()],
    "mandates:expert-group-detail": lambda: [{"slug": g.slug} for g in ExpertGroup.public.all()],
    "instruments:detail": lambda: [{"slug": i.slug} for i in Instrument.public.all()],
    "partners:detail": lambda: [{"slug": p.slug} for p in Partner.public.all()],
    "site:sitemap-section": lambda: [{"section": section} for section in SITEMAPS],
}
# A record's JSON twin takes its page's address.
FILLERS["mandates:resolution-json"] = FILLERS["mandates:resolution-detail"]
FILLERS["instruments:json"] = FILLERS["instruments:detail"]
FILLERS["partners:json"] = FILLERS["partners:detail"]
# Query strings worth asking too: the filters that reach the draft's links and words.
QUERIES = {
    "mandates:resolution-list": [
        {},
        {"q": MARK},
        {"q": NUMBER},
        {"q": "draft"},
        {"body": "GA"},
        {"year_from": "2041"},
        {"partner": "interpol"},
        {"instrument": "untoc"},
        {"relevance": "unodc"},
    ],
    "mandates:export": [{}, {"q": MARK}, {"partner": "interpol"}, {"year_from": "2041"}],
    "mandates:feed": [{}, {"q": MARK}, {"body": "GA"}],
    "explore:paragraph-list": [
        {},
        {"partner": "interpol"},
        {"addressee": "unodc"},
        {"year_from": "2041"},
        {"body": "GA"},
    ],
    "explore:graph": [{}, {"body": "GA"}],
}
FEED_UPDATED = re.compile(r"<updated>[^<]*</updated>")
FOOTER_DATE = re.compile(r'<time datetime="[0-9-]+">[^<]*</time>\.\s*</p>\s*</div>\s*</footer>')


def public_patterns():
    """{view name: {converter name}} for every named URL pattern of the public namespaces."""

    def walk(patterns, namespace, converters):
        for entry in patterns:
            inner = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                name = ":".join(filter(None, (namespace, entry.namespace))) or None
                yield from walk(entry.url_patterns, name, inner)
            elif namespace in settings.PUBLIC_NAMESPACES and entry.name:
                yield f"{namespace}:{entry.name}", set(inner)

    return dict(walk(get_resolver().url_patterns, None, {}))


def public_urls():
    """(url, description) of every public page to fetch, in every language; failures named."""
    urls, problems = [], []
    for name, converters in sorted(public_patterns().items()):
        if converters and name not in FILLERS:
            problems.append(f"{name}: no way to fill {sorted(converters)}")
            continue
        for kwargs in FILLERS[name]() if converters else [{}]:
            for language, _label in settings.LANGUAGES:
                with translation.override(language):
                    try:
                        path = reverse(name, kwargs=kwargs)
                    except Exception as error:  # noqa: BLE001 - every failure is reported
                        problems.append(f"{name} {kwargs} ({language}): {error}")
                        continue
                for query in QUERIES.get(name, [{}]):
                    urls.append((path, query))
    return urls, problems


def fetch(urls):
    """{(path, query): (status, text)}, less what moves with the clock: the footer's date, and
    an empty feed's <updated> (now, as Django dates a feed without entries)."""
    client = Client()
    pages = {}
    for path, query in urls:
        response = client.get(path, query)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = FOOTER_DATE.sub("", body.decode())
        if "<feed" in text and "<entry>" not in text:
            text = FEED_UPDATED.sub("", text)
        pages[(path, tuple(sorted(query.items())))] = (response.status_code, text)
    return pages


def make_draft():
    """A draft resolution linked every way a record can be: partners (the resolution's and a
    paragraph's), an instrument, citations both ways, tagged paragraphs, an expert-group
    meeting it mandated, an entry of the UNODC page and an open question."""
    interpol = Partner.objects.get(slug="interpol")
    draft = Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number=NUMBER,
        symbol=SYMBOL,
        year=2041,
        title=DRAFT_WORDS[0],
        summary=DRAFT_WORDS[1],
        relevance=Resolution.Relevance.UNODC,
        status=Status.DRAFT,
    )
    draft.partners.add(interpol)
    ResolutionInstrument.objects.create(
        resolution=draft, instrument=Instrument.objects.get(slug="untoc"), relation="adopts"
    )
    sc_2199 = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    sc_2347 = Resolution.objects.get(body__code="SC", number="2347 (2017)")
    ResolutionCitation.objects.create(citing=draft, cited=sc_2199, relation="recalls")
    ResolutionCitation.objects.create(citing=sc_2347, cited=draft, relation="recommended-by")
    paragraph = Paragraph.objects.create(
        resolution=draft, number=1, summary=DRAFT_WORDS[2], verb="requests"
    )
    paragraph.addressees.add(Addressee.objects.get(slug="unodc"))
    paragraph.assisted_by.add(Addressee.objects.exclude(slug="unodc").first())
    paragraph.activities.add(Activity.objects.first())
    paragraph.partners.add(interpol)
    ExpertGroupMeeting.objects.order_by("number").first().mandated_by.add(draft)
    entry = PageEntry.objects.get(position=99)
    entry.resolution = draft
    entry.save()
    OpenQuestion.objects.first().resolutions.add(draft)
    return draft


def propose_a_change():
    """A change waiting for review on a published record, as the admin keeps one: made in a
    savepoint that is rolled back, its snapshot kept (tests/test_pending_changes.py takes the
    admin's own path)."""
    record = Resolution.objects.get(body__code="SC", number="2322 (2016)")
    base = review.snapshot(record)
    with transaction.atomic():
        record.summary = PENDING_WORDS
        record.save()
        paragraph = record.paragraphs.first()
        paragraph.summary = PENDING_WORDS + " (paragraph)"
        paragraph.save()
        data = review.snapshot(record)
        transaction.set_rollback(True)
    return PendingChange.objects.create(
        content_type=ContentType.objects.get_for_model(Resolution),
        object_id=record.pk,
        label=str(record),
        data=data,
        base=base,
    )


@pytest.fixture
def unmapped_entry():
    """An entry of the UNODC page not yet mapped: the draft will be mapped to it."""
    return PageEntry.objects.create(
        position=99, title="A title the old page lists", mapping_confidence="unresolved"
    )


def test_every_public_url_pattern_is_filled_and_reverses():
    urls, problems = public_urls()
    assert not problems, "public URL patterns the walk cannot fetch:\n" + "\n".join(problems)
    names = {name.split(":")[0] for name in public_patterns()}
    assert names == set(settings.PUBLIC_NAMESPACES)
    assert len(urls) > 100


def test_no_public_page_shows_or_counts_a_draft_or_a_waiting_change(unmapped_entry):
    urls, problems = public_urls()
    assert not problems, "\n".join(problems)
    before = fetch(urls)
    draft = make_draft()
    propose_a_change()
    after = fetch(urls)

    leaks = []
    for key, (status, text) in after.items():
        shown = [w for w in (*DRAFT_WORDS, SYMBOL, PENDING_WORDS) if w in text]
        if shown:
            leaks.append(f"{key}: shows {shown}")
        if (status, text) != before[key]:
            leaks.append(f"{key}: differs with a draft present ({before[key][0]} -> {status})")
    assert not leaks, "\n".join(leaks)
    assert any(status == 200 for status, _text in after.values())
    # And the draft is there for staff, with everything it links to.
    assert draft.paragraphs.get().partners.filter(slug="interpol").exists()


def test_the_drafts_own_page_is_not_public_but_staff_preview_it(client, admin_client):
    draft = make_draft_alone()
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            url = draft.get_absolute_url()
        assert client.get(url).status_code == 404
        assert client.get(url.removesuffix("/") + ".json").status_code == 404  # nor its twin
        page = admin_client.get(url)
        assert page.status_code == 200
        assert DRAFT_WORDS[1] in page.content.decode()
    with translation.override("en"):
        preview = admin_client.get(draft.get_absolute_url()).content.decode()
    assert "Draft preview: only staff see this page." in preview


def make_draft_alone():
    return Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number=NUMBER,
        symbol=SYMBOL,
        year=2041,
        title=DRAFT_WORDS[0],
        summary=DRAFT_WORDS[1],
        status=Status.DRAFT,
    )


def test_the_sitemap_and_the_feed_leave_the_draft_out(client):
    draft = make_draft_alone()
    sitemap = client.get("/sitemap-resolutions.xml").content.decode()
    assert "/resolutions/sc/2199-2015/" in sitemap and draft.get_absolute_url() not in sitemap
    feed = client.get(reverse("mandates:feed"), {"body": "GA"}).content.decode()
    assert MARK not in feed and NUMBER not in feed


def test_a_cached_page_never_serves_a_draft_and_publishing_shows_it(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    draft = make_draft_alone()
    url = reverse("mandates:resolution-list")
    assert MARK not in client.get(url).content.decode()  # stored in the cache
    assert MARK not in client.get(url).content.decode()  # served from it
    draft.status = Status.PUBLISHED
    draft.save()  # a save moves the data version on: the cached page is not served again
    assert MARK in client.get(url).content.decode()
    draft.status = Status.DRAFT
    draft.save()
    assert MARK not in client.get(url).content.decode()


def test_staff_previews_are_not_cached_for_the_public(client, admin_client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    draft = make_draft_alone()
    admin_client.get(draft.get_absolute_url())
    admin_client.get(reverse("mandates:resolution-list"))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert MARK not in client.get(reverse("mandates:resolution-list")).content.decode()
