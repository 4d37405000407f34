"""Issue 23 in a real browser (Chromium through Playwright, fixtures in tests/conftest.py): every
kind of public page free of axe-core findings in both languages at phone and desktop widths, the
JSON-LD block never run as script, copy buttons that say they copied, and a phone's first
screen: the first result of a filtered list, drawings and tables that fit or say they scroll,
the timeline open on its most recent years.

axe-core is vendored for the tests only (tests/data/axe.min.js, from the npm package axe-core,
MPL-2.0: tests/data/axe-core.LICENSE); it is injected into each page, never served by the site.
"""

from pathlib import Path

import pytest

from tests.browsing import DESKTOP, PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs it
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).with_name("data") / "axe.min.js"

# Every kind of public page: (address, status).
PAGES = [
    ("/", 200),
    ("/resolutions/", 200),
    ("/resolutions/?body=SC&year_from=2015&year_to=2017", 200),
    ("/resolutions/?year_from=abc", 400),
    ("/resolutions/sc/2199-2015/", 200),
    ("/resolutions/ga/66-180/", 200),
    ("/paragraphs/?body=SC", 200),
    ("/instruments/", 200),
    ("/instruments/untoc/", 200),
    ("/partners/", 200),
    ("/partners/unesco/", 200),
    ("/bodies/", 200),
    ("/bodies/sc/", 200),
    ("/expert-group/", 200),
    ("/about/", 200),
    ("/explore/", 200),
    ("/graph/", 200),
    ("/timeline/", 200),
    ("/matrix/", 200),
    ("/no-such-page/", 404),
]


def axe_violations(page):
    """axe-core's violations on the page, as "rule (impact): target" lines. The script is run
    through the browser's debugging protocol, which the page's CSP does not govern (the site's
    CSP would refuse it as a <script> tag, rightly)."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in results["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_every_kind_of_page_has_no_axe_finding(page, viewport, lang):
    prefix = "/fr" if lang == "fr" else ""
    page.set_viewport_size(viewport)
    csp_violations = []
    page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security" in m.text else 0
    )
    findings = {}
    for path, status in PAGES:
        response = page.goto(prefix + path)
        assert response.status == status, prefix + path
        found = axe_violations(page)
        if found:
            findings[prefix + path] = found
    assert findings == {}
    assert csp_violations == []  # the JSON-LD blocks are data, not script: nothing was refused


def test_the_axe_check_can_fail(page):
    """The same check finds a problem once one is put in the page."""
    page.goto("/about/")
    page.evaluate("document.querySelector('h1').remove(); document.body.append(new Image())")
    assert any(line.startswith("image-alt") for line in axe_violations(page))


def test_json_ld_is_read_as_data_not_run(page):
    page.goto("/resolutions/sc/2199-2015/")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "Legislation" and data["legislationIdentifier"] == "S/RES/2199 (2015)"
    assert page.problems == []


# --- copying that shows it worked -------------------------------------------------------------

COPIED = {"en": ("Copied", "Citation copied"), "fr": ("Copié", "Citation copiée")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_copy_buttons_say_they_copied(context, page, site, lang):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    prefix = "/fr" if lang == "fr" else ""
    shown, announced = COPIED[lang]
    for path in ("/resolutions/sc/2347-2017/", "/paragraphs/?body=SC"):
        page.goto(prefix + path)
        citation = page.locator("[data-copy]").first
        expected = citation.get_attribute("data-copy")
        assert f"https://undocs.org/{lang}/" in expected
        button = page.locator("button.copy-citation").first
        done = page.locator(".copy-done").first
        expect(done).to_be_hidden()
        button.click()
        expect(done).to_be_visible()
        expect(done).to_have_text(shown)
        box, button_box = done.bounding_box(), button.bounding_box()
        assert abs(box["y"] - button_box["y"]) < button_box["height"], path  # beside it
        assert box["x"] > button_box["x"] + button_box["width"] - 1, path
        expect(page.locator("p[role=status]")).to_have_text(announced)
        assert page.evaluate("navigator.clipboard.readText()") == expected
    expect(done).to_be_hidden(timeout=6000)  # a few seconds, then gone
    assert page.problems == []


def test_citations_can_be_read_and_selected_without_javascript(browser, site):
    context = browser.new_context(
        base_url=site, java_script_enabled=False, extra_http_headers={"X-Forwarded-Proto": "https"}
    )
    try:
        page = context.new_page()
        for path in ("/resolutions/sc/2347-2017/", "/paragraphs/?body=SC"):
            page.goto(path)
            citation = page.locator("code.citation").first
            expect(citation).to_be_visible()
            assert citation.evaluate("el => getComputedStyle(el).userSelect") == "all"
            assert page.locator("button.copy-citation").count() == 0  # no button without script
    finally:
        context.close()


# --- phone first ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_phone_first(page, viewport, lang):
    """At 375 x 800 and at 1280 px: a filtered list's first result on the first screen, the
    matrix's tables fitting or saying that they scroll, the timeline open on its most recent
    years, the record page's small graph fitting; no page wider than the screen."""
    prefix = "/fr" if lang == "fr" else ""
    page.set_viewport_size(viewport)
    for check in (first_result, wide_tables, timeline, small_graph):
        check(page, viewport, prefix)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], check
    assert page.problems == []


def first_result(page, viewport, prefix):
    for path, first in (
        ("/resolutions/?body=SC", "table.results tbody tr td:first-child a"),
        ("/paragraphs/?body=SC", ".paragraph-list > li .paragraph-item__heading a"),
    ):
        page.goto(prefix + path)
        box = page.locator(first).first.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (path, box)


def wide_tables(page, viewport, prefix):
    page.goto(prefix + "/matrix/")
    boxes = page.locator(".table-scroll")
    assert boxes.count() == 3
    for index in range(3):
        box = boxes.nth(index)
        box.scroll_into_view_if_needed()
        scroll, client = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
        caption = box.locator("caption").bounding_box()
        assert caption["x"] >= 0 and caption["x"] + caption["width"] <= viewport["width"]
        if scroll > client:  # it scrolls: it says so, above it, in words
            cue = box.locator("xpath=preceding-sibling::p[@class='scroll-cue'][1]")
            expect(cue).to_be_visible()
            assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"


def timeline(page, viewport, prefix):
    page.goto(prefix + "/timeline/")
    scroller = page.locator(".figure-scroll--end")
    scroller.scroll_into_view_if_needed()
    view = scroller.bounding_box()
    years = page.locator(".timeline-axis text")
    last = years.nth(years.count() - 1).bounding_box()
    first = years.first.bounding_box()
    assert view["x"] <= last["x"] and last["x"] + last["width"] <= view["x"] + view["width"]
    if viewport is PHONE:  # the earliest years are off to the left, and a cue says so
        assert first["x"] + first["width"] < view["x"]
        expect(page.locator("p.scroll-cue")).to_be_visible()
        row_names = page.locator(".timeline-row text[aria-hidden=true]").first.bounding_box()
        assert view["x"] <= row_names["x"] <= view["x"] + view["width"]  # rows named here too


def small_graph(page, viewport, prefix):
    for path in ("/resolutions/ga/66-180/", "/resolutions/sc/2199-2015/"):
        page.goto(prefix + path)
        svg = page.locator("svg.graph-svg--small")
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        frame = page.locator(".figure-fit").bounding_box()
        assert box["x"] >= frame["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
        assert box["x"] + box["width"] <= viewport["width"]
        natural = int(svg.get_attribute("width"))
        assert box["width"] >= min(natural, frame["width"]) - 1  # never shrunk more than needed
