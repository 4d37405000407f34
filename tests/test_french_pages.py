"""French all the way (issue 16): no English interface word on the French pages this checks.

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


@pytest.mark.parametrize("url", PAGES)
def test_no_english_interface_word_on_a_french_page(client, data_texts, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    text = VisibleText.of(response.content.decode())
    text = re.sub(r"https?://\S+", " ", text)  # addresses of sources are data
    for value in data_texts:
        if len(value) > 2:
            text = text.replace(value, " ")
        if len(value) > 30:
            text = without_truncated(text, value)
    found = sorted({m.group() for m in WORDS.finditer(text)})
    context = [text[max(0, m.start() - 40) : m.end() + 40] for m in WORDS.finditer(text)][:8]
    assert not found, f"{url}: {found}\n" + "\n".join(context)


def test_the_check_sees_english(client, data_texts):
    """The English page fails the same check (so the check can fail)."""
    html = client.get("/resolutions/").content.decode().replace('lang="en"', 'lang="fr"', 1)
    text = VisibleText.of(html)
    assert {"Resolutions", "Filters", "Newest"} <= {m.group() for m in WORDS.finditer(text)}
