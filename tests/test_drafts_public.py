"""Drafts are never public: not on any page, export, feed, count, search result, sitemap or
cached page; staff previewing a draft's page see it with a banner. (helper C, issue 15)

The public querysets use ResolutionQuerySet.published() (the record page .visible_to(user)), and
resolution_detail.html includes templates/includes/draft_banner.html.
The draft is made with the ORM; its words ("Zyxwv", "A/RES/96/175") appear nowhere else.
"""

import pytest
from django.urls import NoReverseMatch, reverse

from core.models import Status
from mandates.models import Body, Paragraph, Resolution

pytestmark = pytest.mark.django_db

MARK = "Zyxwv"
SYMBOL = "A/RES/96/175"

PAGES = [
    ("mandates:home", {}),
    ("mandates:resolution-list", {}),
    ("mandates:resolution-list", {"q": MARK}),
    ("mandates:resolution-list", {"q": "96/175"}),
    ("mandates:resolution-list", {"body": "GA", "year_from": "2041"}),
    ("mandates:body-list", {}),
    ("mandates:paragraph-list", {}),
    ("mandates:explore", {}),
    ("mandates:graph", {}),
    ("mandates:timeline", {}),
    ("mandates:matrix", {}),
    ("mandates:feed", {}),
]
EXPORTS = ["csv", "json", "bib", "ris"]


@pytest.fixture
def draft():
    ga = Body.objects.get(code="GA")
    citing = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    resolution = Resolution.objects.create(
        body=ga,
        number="96/175",
        symbol=SYMBOL,
        year=2041,
        title=f"{MARK} draft title",
        summary=f"{MARK} draft summary",
        status=Status.DRAFT,
    )
    resolution.partners.add(*citing.partners.all()[:1])
    Paragraph.objects.create(
        resolution=resolution, number=1, position=1, summary=f"{MARK} draft paragraph"
    )
    return resolution


def get(client, name, params=None, **kwargs):
    try:
        url = reverse(name, **kwargs)
    except NoReverseMatch:
        pytest.skip(f"no page named {name}")
    return client.get(url, params or {})


@pytest.mark.parametrize(("name", "params"), PAGES, ids=lambda v: str(v))
def test_no_public_page_shows_a_draft(client, draft, name, params):
    response = get(client, name, params)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    # The draft's own words (a search echoes the query, so the query alone proves nothing).
    for words in (f"{MARK} draft title", f"{MARK} draft summary", f"{MARK} draft paragraph"):
        assert words not in body
    if not params.get("q"):
        assert SYMBOL not in body and "96/175" not in body


@pytest.mark.parametrize("fmt", EXPORTS)
def test_no_export_contains_a_draft(client, draft, fmt):
    response = get(client, "mandates:export", kwargs={"fmt": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert MARK.encode() not in body and b"96/175" not in body


def test_counts_leave_drafts_out(client, draft):
    published = Resolution.objects.published().count()
    response = get(client, "mandates:resolution-list")
    assert response.context["page_obj"].paginator.count == published
    export = get(client, "mandates:export", kwargs={"fmt": "json"}).json()
    assert export["count"] == published
    body = get(client, "mandates:body-detail", kwargs={"slug": "ga"})
    assert MARK not in body.content.decode()


def test_the_drafts_own_page_is_not_public(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_preview_a_draft_with_a_banner(admin_client, draft):
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert MARK in page
    assert "Draft preview: only staff see this page." in page


def test_the_sitemap_leaves_drafts_out(client, draft):
    response = client.get("/sitemap.xml")
    if response.status_code == 404:
        pytest.skip("no sitemap")
    assert draft.get_absolute_url() not in response.content.decode()


def test_a_cached_page_never_serves_a_draft_and_publishing_shows_it(client, draft, settings):
    settings.PAGE_CACHE_SECONDS = 300
    url = reverse("mandates:resolution-list")
    assert MARK not in client.get(url).content.decode()  # stored in the cache
    assert MARK not in client.get(url).content.decode()  # served from it
    draft.status = Status.PUBLISHED
    draft.save()  # a save moves the data version on: the cached page is not served again
    assert MARK in client.get(url).content.decode()
    draft.status = Status.DRAFT
    draft.save()
    assert MARK not in client.get(url).content.decode()


def test_staff_previews_are_not_cached_for_the_public(client, admin_client, draft, settings):
    settings.PAGE_CACHE_SECONDS = 300
    admin_client.get(draft.get_absolute_url())
    admin_client.get(reverse("mandates:resolution-list"))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert MARK not in client.get(reverse("mandates:resolution-list")).content.decode()
