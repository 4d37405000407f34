"""French all the way (issues 16 and 23): no English interface word on the French pages this
checks, every record page and every error page included.

Each page's visible text is read (no <head>, scripts, styles or elements marked with another
language, such as the link to the English page), the records' own data (titles, summaries,
names of instruments and partners, notes: English as recorded) is taken out, and what remains
must hold none of the English interface words below. Bodies, addressees, activities and
meetings are interface here, not data: they have French names."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

pytestmark = pytest.mark.django_db

PAGES = [
    "/fr/resolutions/",
    "/fr/resolutions/?body=SC&year_from=2015&year_to=2017",
    "/fr/resolutions/?q=Iraqi",
    "/fr/resolutions/?instrument=untoc&sort=oldest",
    "/fr/paragraphs/",
    "/fr/graph/",
    "/fr/timeline/",
    "/fr/matrix/",
    "/fr/explore/",
    "/fr/instruments/",
    "/fr/instruments/untoc/",
    "/fr/partners/",
    "/fr/partners/unesco/",
    "/fr/bodies/",
    "/fr/bodies/sc/",
    "/fr/bodies/ga/",
    "/fr/expert-group/",
    "/fr/about/",
    "/fr/paragraphs/?addressee=member-states",
    "/fr/resolutions/?q=Iraqi&body=SC",
]

# Every record page (resolutions, instruments, partners, bodies), found at run time.
RECORD_PAGES = "every record page"

# Error pages: (address, status).
ERROR_PAGES = [
    ("/fr/resolutions/?year_from=abc&body=XX", 400),
    ("/fr/paragraphs/?body=XX&year_to=soon", 400),
    ("/fr/graph/?body=XX", 400),
    ("/fr/resolutions/?page=abc", 400),
    ("/fr/resolutions/?q=" + "x" * 8100, 414),
    ("/fr/no-such-page/", 404),
    ("/fr/resolutions/?page=999", 404),
]

ENGLISH = [
    *("Resolution", "Resolutions", "resolution", "Security Council", "General Assembly"),
    *("Economic and Social Council", "Commission on Crime", "Conference of the Parties"),
    *("meeting", "Meeting", "paragraph", "Paragraph", "para.", "Filters"),
    *("Newest", "Oldest", "Relevance", "Adopted", "adopted", "Search", "Previous", "Next"),
    *("Export", "Links", "Skip", "Clear", "Apply", "Year", "Confirmed", "Unverified"),
    *("unknown", "sorted by", "Bodies", "Expert group", "About", "Last updated", "Title"),
    *("Operative", "Addressed", "Activities", "Member States", "Requests", "Urges", "Calls upon"),
    *("States", "Secretary-General", "recalls", "Recalls", "refers to", "Cites", "cited"),
    *("January", "February", "March", "April", "June", "July", "August", "September"),
    *("October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug"),
    *("Sep", "Oct", "Nov", "Dec"),
]
WORDS = re.compile(
    r"(?<![\w’'-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w’'-])"
    r"|\b\d+(?:st|nd|rd|th)\b"  # English ordinals: "7379th meeting"
)

# Fields that are interface, not data, though stored: French names exist for them.
INTERFACE = {("mandates", "body"), ("mandates", "addressee"), ("mandates", "activity")}
INTERFACE_FIELDS = {"meeting", "slug", "code", "verb", "relation", "kind", "status"}


class VisibleText(HTMLParser):
    SKIP = {"head", "script", "style", "template"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        hidden = tag in self.SKIP or (attrs.get("lang") or "fr")[:2] != "fr"
        self.stack.append((tag, bool(hidden or (self.stack and self.stack[-1][1]))))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def recorded_texts():
    """Every text value the records hold, longest first (so a title goes before its words)."""
    texts = set()
    for app in ("core", "mandates", "instruments", "partners"):
        for model in apps.get_app_config(app).get_models():
            if (
                (app, model._meta.model_name) in INTERFACE
                or model._meta.model_name.startswith("historical")
                or not model._meta.managed  # SQLite's search index: the records' own words
            ):
                continue
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not f.name.endswith("_fr")
                and f.name not in INTERFACE_FIELDS
            ]
            for row in model.objects.values_list(*fields):
                texts.update(" ".join(str(v).split()) for v in row if v)
    return sorted(texts, key=len, reverse=True)


def without_truncated(text, value):
    """`text` without the starts of `value` it holds (a title cut to fit, then "…")."""
    head, start = value[:30], 0
    while (start := text.find(head, start)) >= 0:
        end = start + len(head)
        while end < len(text) and end - start < len(value) and text[end] == value[end - start]:
            end += 1
        if text[end : end + 2].lstrip().startswith("…"):
            text = text[:start] + " " + text[end:]
        else:
            start = end
    return text


@pytest.fixture(scope="module")
def data_texts(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return recorded_texts()


def english_words(html, data_texts):
    """The English interface words left in a page's visible text once its data is taken out:
    ([words], [each in its context])."""
    text = VisibleText.of(html)
    text = re.sub(r"https?://\S+", " ", text)  # addresses of sources are data
    for value in data_texts:
        if len(value) > 2:
            text = text.replace(value, " ")
        if len(value) > 30:
            text = without_truncated(text, value)
    found = sorted({m.group() for m in WORDS.finditer(text)})
    context = [text[max(0, m.start() - 40) : m.end() + 40] for m in WORDS.finditer(text)][:8]
    return found, context


@pytest.mark.parametrize("url", PAGES)
def test_no_english_interface_word_on_a_french_page(client, data_texts, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    found, context = english_words(response.content.decode(), data_texts)
    assert not found, f"{url}: {found}\n" + "\n".join(context)


def test_no_english_interface_word_on_any_french_record_page(client, data_texts):
    from instruments.models import Instrument
    from mandates.models import Body, Resolution
    from partners.models import Partner

    records = [
        *Resolution.objects.published().select_related("body"),
        *Instrument.objects.all(),
        *Partner.objects.all(),
        *Body.objects.all(),
    ]
    problems = {}
    for record in records:
        with translation.override("en"):
            url = "/fr" + record.get_absolute_url()
        response = client.get(url)
        assert response.status_code == 200, url
        found, context = english_words(response.content.decode(), data_texts)
        if found:
            problems[url] = (found, context[:3])
    assert problems == {}, "\n".join(f"{u}: {f} {c}" for u, (f, c) in problems.items())


@pytest.mark.parametrize("url, status", ERROR_PAGES)
def test_no_english_interface_word_on_a_french_error_page(client, data_texts, url, status):
    response = client.get(url)
    assert response.status_code == status
    content = response.content.decode()
    assert '<html lang="fr">' in content
    found, context = english_words(content, data_texts)
    assert not found, f"{url}: {found}\n" + "\n".join(context)


def test_french_405_500_and_503_pages(client, data_texts):
    from unittest import mock

    from django.db import OperationalError
    from django.test import Client

    response = client.post("/fr/resolutions/")
    assert response.status_code == 405
    pages = [response.content.decode()]
    lenient = Client(raise_request_exception=False)
    with mock.patch("mandates.views.AboutView.get_context_data", side_effect=RuntimeError("x")):
        response = lenient.get("/fr/about/")
    assert response.status_code == 500
    pages.append(response.content.decode())
    with mock.patch(
        "mandates.views.AboutView.get_context_data", side_effect=OperationalError("down")
    ):
        response = lenient.get("/fr/about/")
    assert response.status_code == 503
    pages.append(response.content.decode())
    for content in pages:
        assert '<html lang="fr">' in content
        found, context = english_words(content, data_texts)
        assert not found, f"{found}\n" + "\n".join(context)


def test_the_check_sees_english(client, data_texts):
    """The English page fails the same check (so the check can fail)."""
    html = client.get("/resolutions/").content.decode().replace('lang="en"', 'lang="fr"', 1)
    text = VisibleText.of(html)
    assert {"Resolutions", "Filters", "Newest"} <= {m.group() for m in WORDS.finditer(text)}


# --- issue 23: each French name, quote, link and note where it shows ---------------------------


def visible(client, url):
    """(visible text, its no-break spaces as spaces; the page's HTML)."""
    response = client.get(url)
    assert response.status_code in (200, 400), url
    return VisibleText.of(response.content.decode()), response.content.decode()


def test_addressees_and_activities_in_french_on_record_pages(client):
    text, _html = visible(client, "/fr/resolutions/sc/2347-2017/")
    assert "Destinataires : États Membres." in text
    assert "Destinataires : Secrétaire général." in text
    assert "Activités : Prévention du commerce et contrôles aux frontières." in text


def test_bodies_in_french_in_drawings_and_tables(client):
    _text, html = visible(client, "/fr/graph/")
    columns = re.findall(r'font-size="13" font-weight="700" fill="#1b2430">([^<]*)<', html)
    assert {"AG", "CS"} <= set(columns) and not {"GA", "SC"} & set(columns)
    _text, html = visible(client, "/fr/resolutions/ccpcj/27-5/")
    assert '(rend compte à <a href="/fr/bodies/ecosoc/">ECOSOC</a>)' in html
    for url in ("/fr/matrix/", "/fr/timeline/", "/fr/about/", "/fr/bodies/"):
        text, _html = visible(client, url)
        assert not re.search(r"\b(GA|SC) \d", text), url  # "AG 70/76", "CS 2199 (2015)"


def test_filter_errors_and_chips_in_french(client):
    _text, html = visible(client, "/fr/resolutions/?body=XX&year_from=abc")
    organe = "<strong>Organe</strong> (<code>body</code>)\u00a0: "
    assert organe + "Il n’existe pas d’organe «\u00a0XX\u00a0»." in html
    assert "«\u00a0abc\u00a0» n’est pas une année" in html
    assert "<strong>body</strong>" not in html
    text, html = visible(client, "/fr/resolutions/?q=Iraqi")
    assert ">«\u00a0Iraqi\u00a0»</a>" in html and "“Iraqi”" not in text
    _text, html = visible(client, "/fr/graph/?body=XX")
    assert organe in html


def test_french_citations_link_the_french_official_text(client):
    for url in ("/fr/resolutions/sc/2347-2017/", "/fr/paragraphs/?body=SC"):
        _text, html = visible(client, url)
        copies = re.findall(r'data-copy="([^"]*)"', html)
        assert copies and all("https://undocs.org/fr/" in copy for copy in copies), url
        assert "undocs.org/en/" not in " ".join(copies)
    _text, html = visible(client, "/resolutions/sc/2347-2017/")
    english = re.findall(r'data-copy="([^"]*)"', html)[0]
    assert "https://undocs.org/en/S/RES/2347%20(2017)" in english


def test_french_exports_link_the_french_text_and_say_so_in_french(client):
    rows = client.get("/fr/resolutions/export.json?body=SC").json()["results"]
    assert rows and all(row["official_text"].startswith("https://undocs.org/fr/") for row in rows)
    bib = b"".join(client.get("/fr/resolutions/export.bib?body=SC").streaming_content).decode()
    assert "Référentiel des mandats\u00a0: http://testserver/fr/resolutions/sc/" in bib
    assert "Mandate Reference" not in bib and "undocs.org/en/" not in bib
    assert "author = {{Conseil de sécurité}}" in bib
    ris = b"".join(client.get("/fr/resolutions/export.ris?body=SC").streaming_content).decode()
    assert "AU  - Conseil de sécurité" in ris
    csv = b"".join(client.get("/fr/resolutions/export.csv?body=SC").streaming_content).decode()
    assert "https://undocs.org/fr/" in csv and "undocs.org/en/" not in csv
    # and in English, English
    bib = b"".join(client.get("/resolutions/export.bib?body=SC").streaming_content).decode()
    assert "Mandate Reference: http://testserver/resolutions/sc/" in bib
    assert "https://undocs.org/en/" in bib
