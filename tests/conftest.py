import datetime as dt
import importlib
import itertools
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None


def pytest_configure(config):
    """response.context and assertTemplateUsed for the Jinja2 pages as for Django's templates.

    Django's test client records what a template drew from the template_rendered signal, which
    only Django's engine sends. Django's Jinja2 backend hands its Jinja2 template the whole
    context (the view's, the request and the context processors' values): that template's
    render() sends the signal here too, with the template (its name as the view gave it:
    "mandates/resolution_list.html") and that context.
    """
    import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def render_and_tell(self, *args, **kwargs):
        template_rendered.send(sender=self, template=self, context=dict(*args, **kwargs))
        return render(self, *args, **kwargs)

    jinja2.Template.render = render_and_tell


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the reference data loaded once; tests roll back on top."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


# --- browser screenshots (tests/test_browser.py) ------------------------------------------------

SCREENSHOTS = pytest.StashKey()


@pytest.fixture(scope="session")
def screenshot_dir(request):
    """Where browser tests write screenshots: $SCREENSHOT_DIR, else test-artifacts/screenshots/."""
    import os
    import time
    from pathlib import Path

    from django.conf import settings

    default = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    path = Path(os.environ.get("SCREENSHOT_DIR") or default).resolve()
    path.mkdir(parents=True, exist_ok=True)
    request.config.stash[SCREENSHOTS] = (path, time.time())
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say where this run's screenshots went, if it wrote any."""
    path, since = config.stash.get(SCREENSHOTS, (None, 0))
    if path is not None and any(f.stat().st_mtime >= since for f in path.iterdir()):
        terminalreporter.write_line(f"Screenshots: {path}")


@pytest.fixture(autouse=True)
def _no_ssl_redirect(settings):
    """DEBUG is off under pytest, which turns the HTTPS redirect on; the test client speaks HTTP."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Pages are rendered afresh in every test unless it switches the page cache on itself
    (tests/test_page_cache.py). Test transactions roll back, so a data version seen in one test
    comes back in the next, where a queryset.update() (which sends no signal) or a changed
    setting could otherwise be hidden behind a page cached by an earlier test."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request for a French page leaves French
    active in the test's thread, where the next test's reverse() would give /fr/ addresses."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Staff users made by tests are hashed with MD5: PBKDF2's deliberate slowness is for
    production, and cost the admin tests seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_serial = itertools.count(1)


@pytest.fixture
def make_mandate():
    """Plain-ORM factory: a GA resolution with links of every kind, real unless asked otherwise.

    Each new one recalls the one made before it and was adopted on its recommendation, names
    partners, links to instruments, has tagged paragraphs and mandates an expert group meeting.
    """
    from instruments.models import Instrument
    from mandates.models import (
        Activity,
        Addressee,
        Body,
        ExpertGroup,
        ExpertGroupMeeting,
        Paragraph,
        Resolution,
        ResolutionCitation,
        ResolutionInstrument,
    )
    from partners.models import Partner

    made = []

    def make(year=None, synthetic=False, paragraphs=2, tagged=True):
        n = next(_serial)
        year = year or 1991 + n % 35
        resolution = Resolution.objects.create(
            body=Body.objects.get(code="GA"),
            number=f"{year - 1945}/{5000 + n}",
            symbol=f"A/RES/{year - 1945}/{5000 + n}",
            title=f"Generated mandate {n}",
            year=year,
            is_synthetic=synthetic,
        )
        for slug, relation in (("untoc", "implements"), ("guidelines", "refers-to")):
            ResolutionInstrument.objects.create(
                resolution=resolution,
                instrument=Instrument.objects.get(slug=slug),
                relation=relation,
            )
        resolution.partners.set(Partner.objects.filter(slug__in=["unesco", "icom"]))
        if made:
            for relation in ("recalls", "recommended-by"):
                ResolutionCitation.objects.create(
                    citing=resolution, cited=made[-1], relation=relation
                )
        for number in range(1, paragraphs + 1):
            paragraph = Paragraph.objects.create(
                resolution=resolution,
                number=number,
                summary="Requests UNODC to help." if tagged else "",
                verb="requests" if tagged else "",
            )
            if tagged:
                paragraph.addressees.set(Addressee.objects.filter(slug="unodc"))
                paragraph.activities.set(Activity.objects.filter(slug="technical-assistance"))
                paragraph.partners.set(Partner.objects.filter(slug="unesco"))
        group = ExpertGroup.objects.first()
        meeting = ExpertGroupMeeting.objects.create(
            group=group,
            number=100 + n,
            starts_on=dt.date(year, 6, 1),
            ends_on=dt.date(year, 6, 3),
            place="Vienna",
        )
        meeting.mandated_by.add(resolution)
        made.append(resolution)
        return resolution

    return make


# --- the browser tests (tests/test_browser.py explains the reference data and live server) -----

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")


@pytest.fixture(scope="module")
def _reference_data_restored(django_db_setup, django_db_blocker):
    """After the last browser test's flush, put back the reference data and the staff groups."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        staff_roles.create_roles(apps, None)


@pytest.fixture(scope="module")
def browser(_reference_data_restored):
    """One Chromium for the module (torn down before the data is restored, see above)."""
    ci = os.environ.get("CI", "").lower() == "true"
    missing = None
    if sync_playwright is None:
        missing = "the playwright package is not installed (pip install -e '.[dev]')"
    elif not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    if missing:
        if ci:
            pytest.fail(f"Browser tests must run on CI: {missing}", pytrace=False)
        pytest.skip(missing)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def site(live_server, browser, settings):
    """The live server's URL, with the reference data (re)loaded and committed.

    The live server speaks plain HTTP, as the app does behind its TLS-terminating proxy; with
    DEBUG off, SECURE_SSL_REDIRECT would send the browser to https://. So, as in production, the
    browser's requests carry the proxy's header (`context` below) and the app trusts it. (The
    setting is read per request; SECURE_SSL_REDIRECT is read once, when the server starts.)
    """
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    call_command("load_reference_data", verbosity=0)
    return live_server.url


@pytest.fixture
def context(browser, site):
    context = browser.new_context(
        base_url=site, viewport=DESKTOP, extra_http_headers={"X-Forwarded-Proto": "https"}
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context, site):
    """A tab that records failed same-origin requests and script errors in `page.problems`."""
    page = context.new_page()
    page.problems = []
    page.on(
        "response",
        lambda r: (
            page.problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(site)
            else None
        ),
    )
    page.on("pageerror", lambda exc: page.problems.append(f"script error: {exc}"))
    return page
