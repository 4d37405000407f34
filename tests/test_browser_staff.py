"""The staff's desk in a real browser (Debian's Chromium through Playwright): an editor, a
publisher and a viewer sign in through the admin's login page and take each path of issue 15,
and an editor's change to a published record waits for the publisher (issue 21).

Runs like tests/test_browser.py (read its docstring): transactional tests against `live_server`,
the reference data reloaded before each test, and the reference data and staff groups put back
after the module's last test.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from core.models import PendingChange
from mandates.models import PageEntry, Resolution

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")
publishers = importlib.import_module("mandates.migrations.0013_publishers")
review_roles = importlib.import_module("core.migrations.0002_review_roles")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "a-long-browser-password-7"
DATA = Path(__file__).parent / "data"


def make_groups():
    staff_roles.create_roles(apps, None)
    publishers.create_publishers(apps, None)
    review_roles.grant(apps, None)


@pytest.fixture(scope="module")
def _reference_data_restored(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        make_groups()


@pytest.fixture(scope="module")
def browser(_reference_data_restored):
    if sync_playwright is None or not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Browser tests must run on CI: Playwright or Chromium missing")
        pytest.skip("Playwright or /usr/bin/chromium missing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def site(live_server, browser, settings, django_user_model):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The browser's Origin is the live server's http:// address; the app, behind its "proxy",
    # sees https: as CSRF_TRUSTED_ORIGINS does for a real proxy, trust the address.
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    call_command("load_reference_data", verbosity=0)
    make_groups()
    for role in ("Editors", "Publishers", "Viewers"):
        user = django_user_model.objects.create_user(role.lower(), password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    return live_server.url


def new_page(browser, site):
    context = browser.new_context(
        base_url=site,
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(browser, site, username):
    page = new_page(browser, site)
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("link", name="Log out").or_(page.locator("#logout-form"))
    ).to_have_count(1)
    return page


def open_record(page, number):
    resolution = Resolution.objects.get(number=number)
    page.goto(f"/admin/mandates/resolution/{resolution.pk}/change/")
    return resolution


def save(page):
    page.locator("input[name=_save]").click()


def test_publisher_edits_with_a_reason_sees_an_honest_history_and_restores(browser, site):
    page = sign_in(browser, site, "publishers")
    resolution = open_record(page, "2199 (2015)")
    versions = resolution.history.count()
    save(page)  # untouched: the browser sends \r\n line endings; nothing is recorded
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert resolution.history.count() == versions

    open_record(page, "2199 (2015)")
    page.locator("#id_summary").fill("An editor's new summary.")
    page.locator("#id_change_reason").fill("Summary checked against the text")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert resolution.history.count() == versions + 1

    page.goto(f"/admin/mandates/resolution/{resolution.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("Summary checked against the text")
    expect(history.locator("ins", has_text="An editor's new summary.")).to_have_count(1)
    expect(history).not_to_contain_text("Sources")  # no phantom change

    page.locator("#change-history tbody tr").nth(1).locator("a").first.click()
    page.get_by_role("button", name="Revert").click()
    page.goto(f"/admin/mandates/resolution/{resolution.pk}/history/")
    expect(page.locator("#change-history tbody tr").first).to_contain_text(
        "Restored from version of"
    )


def test_history_reads_on_a_phone(browser, site, screenshot_dir):
    """At 375 px the history stacks each version's facts and gives its changes the width."""
    page = sign_in(browser, site, "publishers")
    resolution = open_record(page, "2347 (2017)")
    page.locator("#id_summary").fill(
        "A summary long enough to wrap over several lines on a phone, so that the words removed "
        "and added can be read one after the other without scrolling sideways."
    )
    page.locator("#id_change_reason").fill("Summary rewritten after reading the text")
    save(page)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"/admin/mandates/resolution/{resolution.pk}/history/")
    page.screenshot(path=screenshot_dir / "admin-history-375.png", full_page=True)

    changes = page.locator("#change-history .history-changes").first
    expect(changes).to_contain_text("Summary")
    width = changes.evaluate("element => element.getBoundingClientRect().width")
    assert width >= 280, f"the changes get {width:.0f} px of 375"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 375, f"the page is {scroll} px wide: it scrolls sideways"
    reason = page.locator("#change-history .history-reason").first
    expect(reason).to_contain_text("Summary rewritten after reading the text")
    expect(reason).to_be_visible()


def test_editor_gets_every_error_at_once_and_makes_a_draft(browser, site):
    page = sign_in(browser, site, "editors")
    page.goto("/admin/mandates/resolution/add/")
    page.locator("#id_body + .select2").click()  # an autocomplete (select2)
    page.locator(".select2-container--open .select2-search__field").fill("GA")
    page.locator(".select2-results__option", has_text="General Assembly").first.click()
    page.locator("#id_number").fill("99/999")
    page.locator("#id_year").fill("2024")
    page.locator("#id_session").fill("99th session of the General Assembly")
    page.locator("#id_sources").fill("official https://example.org/ga-99-999")
    save(page)
    errors = page.locator(".errorlist")
    expect(errors.filter(has_text="falls in 2044–2045, not in 2024")).to_have_count(1)
    expect(errors.filter(has_text="example.org is not a site of the UN system")).to_have_count(1)
    assert not Resolution.objects.filter(number="99/999").exists()

    page.locator("#id_number").fill("79/999")
    page.locator("#id_session").fill("79th session of the General Assembly")
    page.locator("#id_sources").fill("")
    page.locator("input[name=unverified_fields][value=title]").check()
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    created = Resolution.objects.get(number="79/999")
    assert created.is_draft and created.unverified_fields == ["title"]


def test_two_editors_on_one_record(browser, site, django_user_model):
    second = django_user_model.objects.create_user("second", password=PASSWORD, is_staff=True)
    second.groups.add(Group.objects.get(name="Editors"))
    first_page, second_page = sign_in(browser, site, "editors"), sign_in(browser, site, "second")
    resolution = open_record(first_page, "2322 (2016)")
    open_record(second_page, "2322 (2016)")

    published_summary = resolution.summary
    first_page.locator("#id_summary").fill("First editor's summary.")
    save(first_page)
    expect(first_page.locator(".messagelist")).to_contain_text("waits for review")
    second_page.locator("#id_summary").fill("Second editor's summary.")
    save(second_page)

    expect(second_page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(second_page.locator("body")).to_contain_text("editors saved this record after you")
    table = second_page.locator("table.conflict-table").first  # the fields that differ
    expect(table).to_contain_text("First editor's summary.")
    expect(table).to_contain_text("Second editor's summary.")
    pending = PendingChange.objects.get()
    assert pending.data["root"]["fields"]["summary"] == "First editor's summary."

    save(second_page)  # having compared, the second editor saves knowingly
    expect(second_page.locator(".messagelist")).to_contain_text("waits for review")
    pending.refresh_from_db()
    assert pending.data["root"]["fields"]["summary"] == "Second editor's summary."
    resolution.refresh_from_db()
    assert resolution.summary == published_summary  # the public record waits for a publisher


def test_publisher_imports_from_the_digital_library_and_publishes(browser, site):
    sc_1483 = Resolution.objects.get(number="1483 (2003)")
    PageEntry.objects.filter(resolution=sc_1483).update(resolution=None)
    sc_1483.delete()
    page = sign_in(browser, site, "publishers")
    page.goto("/admin/mandates/resolution/")
    page.get_by_role("link", name="Import from the UN Digital Library").click()

    page.get_by_label("MARC21 XML file").set_input_files(str(DATA / "undl-broken.xml"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".errorlist")).to_contain_text("This is not well-formed XML")

    page.get_by_label("MARC21 XML file").set_input_files(str(DATA / "undl-mixed.xml"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("table.import-preview")).to_contain_text("S/RES/1483 (2003)")
    expect(page.locator("table.import-skipped")).to_contain_text("Already recorded")
    assert not Resolution.objects.filter(number="1483 (2003)").exists()
    page.get_by_role("button", name="Create 1 draft").click()
    expect(page.locator(".messagelist")).to_contain_text("1 draft resolution created")
    created = Resolution.objects.get(number="1483 (2003)")
    assert created.is_draft

    page.goto(f"/admin/mandates/resolution/{created.pk}/change/")
    expect(page.locator(".draft-banner")).to_be_visible()
    page.locator("#id_status").select_option("published")
    save(page)
    created.refresh_from_db()
    assert not created.is_draft


def test_an_editors_change_waits_while_the_public_page_stays_then_a_publisher_publishes_it(
    browser, site, screenshot_dir
):
    editor = sign_in(browser, site, "editors")
    resolution = open_record(editor, "2347 (2017)")
    published_summary = resolution.summary
    editor.locator("#id_summary").fill("A summary the editor checked against the text.")
    editor.locator("#id_change_reason").fill("Summary checked")
    save(editor)
    expect(editor.locator(".messagelist")).to_contain_text(
        "Your change to “SC 2347 (2017)” waits for review; the public site shows the "
        "published version until a publisher publishes it."
    )

    visitor = new_page(browser, site)  # no session: what the public sees
    visitor.goto(resolution.get_absolute_url())
    expect(visitor.locator("#summary-heading + p")).to_contain_text(published_summary[:40])
    expect(visitor.locator("body")).not_to_contain_text("the editor checked")
    editor.goto(resolution.get_absolute_url())  # staff: the same page, with a banner
    banner = editor.locator(".draft-banner")
    expect(banner).to_contain_text("A change to this record waits for review")

    publisher = sign_in(browser, site, "publishers")
    publisher.goto("/admin/")
    publisher.get_by_role("link", name="Changes awaiting review").first.click()
    publisher.get_by_role("link", name="SC 2347 (2017)").click()
    review = publisher.locator("#content-main")
    expect(review.locator(".review-table")).to_contain_text(
        "A summary the editor checked against the text."  # rewritten: shown whole
    )
    expect(review).to_contain_text("Proposed by editors")
    publisher.screenshot(path=str(screenshot_dir / "review-desktop.png"), full_page=True)
    publisher.get_by_role("button", name="Publish").click()
    expect(publisher.locator(".messagelist")).to_contain_text("Published: “SC 2347 (2017)”")

    visitor.reload()
    expect(visitor.locator("#summary-heading + p")).to_contain_text(
        "A summary the editor checked against the text."
    )
    latest = Resolution.objects.get(pk=resolution.pk).history.first()
    assert latest.history_user.get_username() == "publishers"
    assert latest.history_change_reason.endswith("(Summary checked); published by publishers")
    assert not PendingChange.objects.exists()


def test_viewer_reads_but_cannot_change_or_import(browser, site):
    page = sign_in(browser, site, "viewers")
    open_record(page, "2199 (2015)")
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator("#id_change_reason")).to_have_count(0)
    page.goto("/admin/mandates/resolution/")
    expect(page.get_by_role("link", name="Import from the UN Digital Library")).to_have_count(0)
    response = page.goto("/admin/mandates/resolution/import/")
    assert response.status == 403


def test_the_login_page_warns_before_the_lockout(browser, site):
    page = new_page(browser, site)
    page.goto("/admin/login/?next=/admin/")
    for attempt in range(1, 5):
        page.get_by_label("Username").fill("editors")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        warning = page.locator(".errornote, .errorlist").filter(has_text="attempt")
        if attempt < 3:
            expect(warning).to_have_count(0)
    expect(page.locator("body")).to_contain_text(
        "1 attempt remains before signing in with this username from this address is paused "
        "for 15 minutes."
    )
    page.get_by_label("Username").fill("editors")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_contain_text("Sign-in paused")
