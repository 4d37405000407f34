"""The site in a real browser: Debian's Chromium driven by Playwright against `live_server`.

A researcher's path through the filter form, a keyboard-only pass, layouts at phone and desktop
widths, screenshots for review (test-artifacts/screenshots/, or $SCREENSHOT_DIR) and a few
accessibility smoke checks. Run only these with `pytest -m browser`.

Reference data and the live server
----------------------------------
`live_server` serves from another thread, so these tests run as `TransactionTestCase`s: what the
server reads must be committed, and pytest-django flushes every table after each such test. The
flush wipes what tests/conftest.py loads once per session (the reference data) and what the
migrations made (the staff groups of mandates/migrations/0002_staff_roles.py). pytest-django runs
transactional tests after the other database tests, but other transactional tests follow ours,
and with --reuse-db a PostgreSQL test database keeps what we leave for the next run. So:

* each test reloads the reference data first (`site`; `load_reference_data` is idempotent and
  takes ~0.3 s), and
* after the module's last test and its flush, `_reference_data_restored` reloads it and
  re-creates the staff groups, leaving the database as the session found it.

These are plain committed writes plus Django's own flush, so they behave the same on SQLite (the
server thread shares the in-memory connection) and on PostgreSQL (it has its own connection).
`serialized_rollback` would not do: Django serializes the test database when it creates it,
before the session fixture loads the reference data, so it would "restore" empty tables.

Playwright's sync API keeps an asyncio loop running in the main thread, which makes Django refuse
ORM calls there (SynchronousOnlyOperation) although nothing is async: DJANGO_ALLOW_ASYNC_UNSAFE is
set while the browser is open, for this module only.
"""

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mandates.models import Body, Resolution
from tests.browsing import DESKTOP, PHONE, assert_styled

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixtures (browser, site, context, page) are in tests/conftest.py, shared with the other
# browser tests; what this docstring says of the reference data holds for them.

SC_2015_2017 = {
    "SC 2199 (2015)",
    "SC 2253 (2015)",
    "SC 2322 (2016)",
    "SC 2347 (2017)",
    "SC 2368 (2017)",
}

RECORD_PAGES = {
    "home": "/",
    "list": "/resolutions/",
    "resolution": "/resolutions/sc/2199-2015/",
    "instrument": "/instruments/untoc/",
    "partner": "/partners/unesco/",
    "body": "/bodies/sc/",
    "expert-group": "/expert-group/",
    "about": "/about/",
}

# The element that has focus, described for assertions and failure messages.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    type: el.type || "",
    name: el.name || "",
    value: el.value || "",
    checked: !!el.checked,
    text: (el.innerText || "").trim().slice(0, 60),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def result_links(page):
    return page.locator("table.results tbody tr td:first-child a").all_inner_texts()


def query(page):
    return parse_qs(urlsplit(page.url).query)


# --- 1. a researcher's path -----------------------------------------------------------------------


def test_researcher_filters_reads_follows_links_and_exports(page):
    page.goto("/resolutions/")
    assert_styled(page)
    form = page.locator("form.filters")
    form.get_by_role("group", name="Body").get_by_label("SC", exact=True).check()
    form.get_by_label("From", exact=True).fill("2015")
    form.get_by_label("To", exact=True).fill("2017")
    form.get_by_role("button", name="Apply filters").click()

    page.wait_for_url("**/resolutions/?*")
    assert "body=SC&year_from=2015&year_to=2017" in page.url
    filtered_url = page.url
    assert sorted(result_links(page)) == sorted(SC_2015_2017)
    expect(page.get_by_role("heading", name=f"{len(SC_2015_2017)} resolutions")).to_be_visible()

    page.get_by_role("link", name="SC 2199 (2015)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SC resolution 2199 (2015)")
    expect(page.locator("main")).to_contain_text("para. 17")

    page.go_back()
    assert page.url == filtered_url
    page.get_by_role("link", name="SC 2347 (2017)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SC resolution 2347 (2017)")
    page.locator("main").get_by_role("link", name="UNESCO", exact=True).first.click()
    page.wait_for_url("**/partners/unesco/")
    expect(page.get_by_role("heading", level=1)).to_have_text("UNESCO")

    page.go_back()
    page.go_back()
    assert page.url == filtered_url
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "resolutions-sc-2015-2017.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(f"{row['body']} {row['number']}" for row in rows) == sorted(SC_2015_2017)
    assert {urlsplit(row["url"]).path for row in rows} == {
        "/resolutions/sc/" + name.split(" ", 1)[1].replace(" (", "-").rstrip(")") + "/"
        for name in SC_2015_2017
    }
    assert page.problems == []


# --- 2. keyboard only -----------------------------------------------------------------------------


def test_filter_form_keyboard_only(page):
    page.goto("/resolutions/")
    unmarked = []

    def tab(times=1):
        for _ in range(times):
            page.keyboard.press("Tab")
        el = page.evaluate(FOCUSED_JS)
        if not (el["outline"] or el["shadow"]):
            unmarked.append(el)
        return el

    def tab_until(predicate, limit, what):
        seen = []
        for _ in range(limit):
            el = tab()
            if predicate(el):
                return el
            seen.append(el["id"] or el["text"] or el["tag"])
        pytest.fail(f"{what} not reached by Tab; focus went through {seen}")

    skip = tab()
    assert skip["text"] == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= DESKTOP["width"]
    assert box["y"] + box["height"] <= DESKTOP["height"]

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # (At this width the form's own "Skip to the results" link is hidden: the results sit beside.)
    assert tab()["id"] == "id_q", "after the skip link, Tab goes to the keywords field"
    first_body = tab()
    assert (first_body["type"], first_body["name"]) == ("checkbox", "body")
    sc = first_body
    if sc["value"] != "SC":
        sc = tab_until(lambda el: el["name"] == "body" and el["value"] == "SC", 10, "SC box")
    assert sc["outline"] or sc["shadow"], "a focused checkbox shows where focus is"
    page.keyboard.press("Space")
    assert page.evaluate(FOCUSED_JS)["checked"]

    tab_until(lambda el: el["id"] == "id_year_from", 10, "From year")
    page.keyboard.type("2015")
    assert tab()["id"] == "id_year_to"
    page.keyboard.type("2017")
    button = tab_until(lambda el: el["text"] == "Apply filters", 80, "Apply filters button")
    assert button["tag"] == "button"
    assert button["outline"] or button["shadow"], "the focused button shows where focus is"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    params = query(page)
    assert params.get("q", [""]) == [""]
    assert params["body"] == ["SC"]
    assert (params["year_from"], params["year_to"]) == (["2015"], ["2017"])
    assert unmarked == [], "every focused element shows a focus indicator"
    assert sorted(result_links(page)) == sorted(SC_2015_2017)


# --- 3. layout: no sideways scrolling -----------------------------------------------------------


@pytest.mark.parametrize("width", [320, 1280])
def test_no_horizontal_scrolling(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    overflowing = {}
    for name, url in RECORD_PAGES.items():
        page.goto(url)
        assert_styled(page)
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            overflowing[name] = (scroll_width, widest_elements(page))
    assert overflowing == {}, f"pages wider than {width} px: {overflowing}"
    assert page.problems == []


def widest_elements(page):
    """The innermost elements sticking out on the right (outside any scroll box): what to fix."""
    return page.evaluate(
        """() => {
          const out = el => el.getBoundingClientRect().right > window.innerWidth + 0.5;
          const inScrollBox = el => {
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
              if (getComputedStyle(p).overflowX !== "visible") return true;
            }
            return false;
          };
          return [...document.querySelectorAll("body *")]
            .filter(el => out(el) && !inScrollBox(el) && ![...el.children].some(out))
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
                       + `${el.className ? "." + String(el.className).split(" ").join(".") : ""}`
                       + ` right=${Math.round(el.getBoundingClientRect().right)}px`);
        }"""
    )


# --- 4. screenshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["desktop", "phone"])
def test_screenshots(page, screenshot_dir, label):
    pages = {**RECORD_PAGES, "list": "/resolutions/?body=SC"}
    page.set_viewport_size({"desktop": DESKTOP, "phone": PHONE}[label])
    written = []
    for name, url in pages.items():
        page.goto(url)
        assert_styled(page)
        path = screenshot_dir / f"{name}-{label}.png"
        page.screenshot(path=path, full_page=True)
        written.append(path)
    print(f"\nScreenshots ({label}): {screenshot_dir}")
    assert all(p.stat().st_size > 10_000 for p in written)
    assert page.problems == []


# --- 5. accessibility smoke checks ----------------------------------------------------------------


def test_form_controls_have_labels(page):
    page.goto("/resolutions/")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
             .filter(el => el.type !== "hidden")
             .filter(el => !(el.labels && el.labels.length)
                           && !el.getAttribute("aria-label")
                           && !el.getAttribute("aria-labelledby"))
             .map(el => el.outerHTML)"""
    )
    assert unlabelled == []
    assert page.locator("form.filters input[type=checkbox]").count() > 5


def test_tables_have_captions(page):
    for url in ["/", "/resolutions/", "/partners/unesco/", "/bodies/sc/"]:
        page.goto(url)
        captions = page.evaluate(
            """() => [...document.querySelectorAll("table")]
                 .map(t => t.caption ? t.caption.innerText.trim() : "")"""
        )
        assert captions, f"{url} shows a table"
        assert all(captions), f"every table on {url} has a caption: {captions}"


@pytest.fixture
def thirty_more_resolutions(site):
    """30 synthetic resolutions (committed, so the server sees them): the list has two pages."""
    ga = Body.objects.get(code="GA")
    made = [
        Resolution.objects.create(
            body=ga,
            number=f"86/{800 + n}",
            symbol=f"A/RES/86/{800 + n}",
            title="Synthetic resolution for pagination",
            year=2031,
            is_synthetic=True,
        )
        for n in range(30)
    ]
    yield made
    Resolution.objects.filter(pk__in=[r.pk for r in made]).delete()


def test_pagination_marks_the_current_page(page, thirty_more_resolutions):
    assert Resolution.objects.count() > 25, "at least two pages of 25"
    page.goto("/resolutions/")
    pagination = page.get_by_role("navigation", name="Pages of results")
    current = pagination.locator("[aria-current]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("aria-current", "page")
    expect(current).to_have_text("Page 1")

    pagination.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/resolutions/?page=2")
    expect(current).to_have_count(1)
    expect(current).to_have_text("Page 2")
    expect(pagination.get_by_role("link", name="Page 1", exact=True)).not_to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("table.results tbody tr")).to_have_count(
        min(25, Resolution.objects.count() - 25)
    )


# --- issue 16: phone first, search that shows why, no dead ends (both widths, both languages) -----

FILTERS_SUMMARY = {"en": "Filters", "fr": "Filtres"}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_filters_disclosure_results_first_and_apply_lands_on_results(page, viewport, lang):
    prefix = "/fr" if lang == "fr" else ""
    page.set_viewport_size(viewport)
    page.goto(f"{prefix}/resolutions/?body=SC")
    summary = page.locator(".filters-disclosure > summary")
    form = page.locator("form.filters")
    results_top = page.evaluate("document.getElementById('results').getBoundingClientRect().top")
    if viewport is PHONE:
        assert summary.is_visible() and not form.is_visible()
        assert summary.inner_text() == f"{FILTERS_SUMMARY[lang]} (1)"
        assert results_top < viewport["height"]  # the results start on the first screen
        summary.click()
        assert form.is_visible()
    else:
        assert form.is_visible() and not summary.is_visible()
    form.locator("input[name=year_from]").fill("2015")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**year_from=2015**")
    assert urlsplit(page.url).fragment == "results"
    assert page.evaluate("document.getElementById('results').getBoundingClientRect().top") < 50
    assert not page.problems


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_search_shows_why_and_keeps_the_query(page, viewport, lang):
    prefix = "/fr" if lang == "fr" else ""
    page.set_viewport_size(viewport)
    page.goto(f"{prefix}/resolutions/")
    page.locator("#site-search-q").fill("Iraqi")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**q=Iraqi**")
    assert page.locator("#site-search-q").input_value() == "Iraqi"
    marks = page.locator("table.results mark")
    assert marks.count() >= 3 and marks.first.is_visible()
    assert set(marks.all_inner_texts()) == {"Iraqi"}
    sort = page.locator("select[name=sort]")
    assert sort.evaluate("s => s.options[s.selectedIndex].value") == "relevance"
    assert not page.problems


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_no_facet_choice_leads_nowhere(page, viewport, lang):
    prefix = "/fr" if lang == "fr" else ""
    page.set_viewport_size(viewport)
    page.goto(f"{prefix}/resolutions/?body=SC")
    if viewport is PHONE:
        page.locator(".filters-disclosure > summary").click()
    form = page.locator("form.filters")
    for box in form.locator("input[type=checkbox]:not([disabled])").all():
        count = box.locator("xpath=ancestor::li//span[@class='count']")
        assert count.count() == 0 or int(count.inner_text()) > 0 or box.is_checked()
    assert form.locator("input[type=checkbox][disabled]").count() > 0
    for link in page.locator(".year-facets a").all():
        assert int(link.locator("xpath=../span[@class='count']").inner_text()) > 0
    assert not page.problems
