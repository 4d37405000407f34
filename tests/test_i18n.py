"""The French interface: /fr/ pages, the language switcher, and a complete, compiled catalogue.

English stays at the plain addresses (/resolutions/), French lives under /fr/ (/fr/resolutions/).
The interface is translated; the records (titles, summaries, names of bodies) are English data.
"""

import html
import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mandates.models import UN_LANGUAGES, Activity, Addressee
from tests.test_catalogue import PO, read_po

pytestmark = pytest.mark.django_db

CI = os.environ.get("CI", "").lower() == "true"

FRENCH_PAGES = {
    "home": "/fr/",
    "list": "/fr/resolutions/",
    "filtered list": "/fr/resolutions/?body=SC&year_from=2015&year_to=2017",
    "resolution": "/fr/resolutions/sc/2199-2015/",
    "instrument": "/fr/instruments/untoc/",
    "instruments": "/fr/instruments/",
    "partner": "/fr/partners/unesco/",
    "partners": "/fr/partners/",
    "body": "/fr/bodies/ecosoc/",
    "bodies": "/fr/bodies/",
    "expert group": "/fr/expert-group/cultural-property-expert-group/",
    "about": "/fr/about/",
    "explore": "/fr/explore/",
    "paragraphs": "/fr/paragraphs/",
    "graph": "/fr/graph/",
    "timeline": "/fr/timeline/",
    "matrix": "/fr/matrix/",
}

# Interface strings of every page (the site chrome) and what a French reader sees instead.
CHROME = {
    "Skip to main content": "Aller au contenu principal",
    "About the data": "À propos des données",
    "Search resolutions": "Rechercher des résolutions",
}
# Strings of some pages that a French reader must never see, on any page.
NEVER_ON_FRENCH_PAGES = ["Sources and verification", "Apply filters", "Export all", "Clear all"]
RECORD_PAGES = ["resolution", "instrument", "partner", "body", "expert group"]


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text_nodes(content):
    """Every piece of text a reader can see or hear: text between tags and the human-readable
    attributes (aria-label, title, placeholder, data-label, alt)."""
    content = re.sub(r"<(script|style)\b.*?</\1>", "", content, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|data-label|alt)="([^"]*)"', content)
    texts = re.sub(r"<[^>]+>", "\n", content).splitlines()
    return {html.unescape(t).strip() for t in texts + attributes} - {""}


# --- every public page answers in French ---------------------------------------------------------


@pytest.mark.parametrize("url", FRENCH_PAGES.values(), ids=FRENCH_PAGES.keys())
def test_french_pages_render_in_french(client, url):
    content = page(client, url)
    assert '<html lang="fr">' in content
    nodes = text_nodes(content)
    for english, french in CHROME.items():
        assert english not in content, f"{english!r} on {url}"
        assert french in nodes, f"{french!r} missing on {url}"
    for english in NEVER_ON_FRENCH_PAGES:
        assert english not in content, f"{english!r} on {url}"
    assert "Résolutions" in nodes and "Resolutions" not in nodes  # the main navigation


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_french_record_pages_show_their_sources_in_french(client, name):
    content = page(client, FRENCH_PAGES[name])
    assert "Sources et vérification" in text_nodes(content)
    assert "Sources and verification" not in content


def test_french_404_page(client):
    content = page(client, "/fr/no-such-page/", status=404)
    assert '<html lang="fr">' in content
    assert "Page introuvable" in content and "Page not found" not in content


def test_english_pages_keep_their_addresses_and_language(client):
    for url in ("/", "/resolutions/", "/resolutions/sc/2199-2015/", "/about/"):
        content = page(client, url)
        assert '<html lang="en">' in content
        assert "Skip to main content" in content
    assert reverse("mandates:resolution-list") == "/resolutions/"
    with translation.override("fr"):
        assert reverse("mandates:resolution-list") == "/fr/resolutions/"
    assert client.get("/en/resolutions/").status_code == 404  # English has no prefix


def test_list_page_strings_are_french(client):
    content = page(client, "/fr/resolutions/?body=SC")
    nodes = text_nodes(content)
    for english in ("Resolutions", "Apply filters", "Clear all", "Atom feed", "Keywords"):
        assert english not in nodes, english
    assert "Export all" not in content
    assert {"Résolutions", "Appliquer les filtres", "Tout effacer", "Flux Atom"} <= nodes
    assert re.search(r"Exporter les \d+", content)
    assert "Mots clés" in nodes  # the filter's label, from mandates/filters.py
    assert re.search(r"<h2 id=\"results-heading\"[^>]*>\d+ résolutions</h2>", content)


def test_no_catalogued_english_string_is_left_on_french_pages(client):
    """A text node that is exactly an English msgid (with a different French msgstr) is an
    interface string rendered untranslated, wherever it comes from."""
    catalogue = read_po(PO)
    french = {msgstr for msgstrs in catalogue.values() for msgstr in msgstrs}
    english = {
        msgid
        for (_context, msgid, _plural), msgstrs in catalogue.items()
        if msgid and "%" not in msgid and "<" not in msgid and msgid not in french
    }
    # Records are English data: a tag named "Member States" is a value, not the interface.
    data = {
        *Addressee.objects.values_list("name", flat=True),
        *Activity.objects.values_list("name", flat=True),
    }
    english -= data
    leftovers = {}
    for url in FRENCH_PAGES.values():
        found = text_nodes(page(client, url)) & english
        if found:
            leftovers[url] = sorted(found)
    assert leftovers == {}


def test_dates_and_choice_labels_are_french(client):
    content = page(client, "/fr/resolutions/sc/2199-2015/")
    assert "12 février 2015" in content
    assert "À l’unanimité" in content  # Resolution.AdoptionMode, a model choice label
    assert "Réaffirme" in content  # ResolutionCitation.Relation
    content = page(client, "/fr/instruments/")
    assert "15 nov. 2000" in content  # short dates use French abbreviations
    assert "Principes directeurs" in content  # Instrument.Kind


def test_filter_errors_are_french(client):
    response = client.get("/fr/resolutions/", {"body": "XYZ", "year_from": "abc"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Il n’existe pas d’organe «\u00a0XYZ\u00a0»." in content
    assert "«\u00a0abc\u00a0» n’est pas une année\u00a0: écrivez-la en chiffres." in content
    assert "<strong>Organe</strong> (<code>body</code>)\u00a0:" in content
    # and the English page still says it in English
    content = client.get("/resolutions/", {"body": "XYZ"}).content.decode()
    assert "There is no body “XYZ”" in content


# --- the switcher: a plain link, no login, the query string kept ---------------------------------


def switcher(content):
    match = re.search(r'<p class="language-switch">\s*(<a [^>]*>[^<]*</a>)', content)
    assert match, "no language switcher"
    return match.group(1)


@pytest.mark.parametrize(
    ("url", "other"),
    [
        ("/", '<a href="/fr/" hreflang="fr" lang="fr" rel="alternate">Français</a>'),
        (
            "/resolutions/?body=SC&year_from=2015&page=1",
            '<a href="/fr/resolutions/?body=SC&amp;year_from=2015&amp;page=1" hreflang="fr" '
            'lang="fr" rel="alternate">Français</a>',
        ),
        (
            "/fr/resolutions/?body=SC&year_from=2015",
            '<a href="/resolutions/?body=SC&amp;year_from=2015" hreflang="en" lang="en" '
            'rel="alternate">English</a>',
        ),
        (
            "/fr/resolutions/sc/2199-2015/",
            '<a href="/resolutions/sc/2199-2015/" hreflang="en" lang="en" rel="alternate">'
            "English</a>",
        ),
        (
            "/paragraphs/?verb=requests",
            '<a href="/fr/paragraphs/?verb=requests" hreflang="fr" lang="fr" rel="alternate">'
            "Français</a>",
        ),
    ],
)
def test_switcher_links_to_the_same_page_in_the_other_language(client, url, other):
    assert switcher(page(client, url)) == other


def test_switcher_on_a_404_keeps_the_address(client):
    assert 'href="/no-such-page/?x=1"' in switcher(page(client, "/fr/no-such-page/?x=1", 404))
    assert 'href="/fr/no-such-page/"' in switcher(page(client, "/no-such-page/", 404))


def test_switcher_target_is_the_same_page(client):
    """Following the link gives the same records, in the other language, for anyone."""
    english = client.get("/resolutions/", {"body": "SC", "year_from": 2015})
    href = html.unescape(re.search(r'href="([^"]+)"', switcher(english.content.decode()))[1])
    french = client.get(href)
    assert french.status_code == 200
    assert '<html lang="fr">' in french.content.decode()
    assert listed(french) == listed(english) != []
    assert not client.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    assert not client.cookies.get(settings.SESSION_COOKIE_NAME)


def test_language_is_kept_in_the_url_not_remembered(client):
    """After a French page the plain address is English again, whatever the browser prefers."""
    page(client, "/fr/resolutions/")
    content = client.get("/resolutions/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in content


def test_alternate_links_in_the_head(client):
    content = page(client, "/fr/resolutions/?body=SC")
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/resolutions/?body=SC">'
        in content
    )
    assert (
        '<link rel="alternate" hreflang="fr" href="http://testserver/fr/resolutions/?body=SC">'
        in content
    )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/resolutions/' in (
        content
    )


def test_links_inside_french_pages_stay_french(client):
    content = page(client, "/fr/")
    header = content[content.index('<nav class="site-nav"') : content.index("</nav>")]
    assert 'href="/fr/resolutions/"' in header and 'href="/fr/explore/"' in header
    assert 'href="/fr/resolutions/sc/2199-2015/"' in page(client, "/fr/resolutions/?body=SC")


# --- the official texts: six UN languages, UN order, each in its own script ---------------------


@pytest.mark.parametrize("url", ["/resolutions/sc/2199-2015/", "/fr/resolutions/sc/2199-2015/"])
def test_official_text_links_in_un_order_in_their_own_script(client, url):
    content = page(client, url)
    links = re.findall(
        r'<a href="https://undocs\.org/(\w+)/S/RES/2199%20\(2015\)" hreflang="(\w+)" lang="(\w+)"'
        r' rel="noopener noreferrer">([^<]+)</a>',
        content,
    )
    assert [code for code, *_ in links] == ["ar", "zh", "en", "fr", "ru", "es"]
    assert all(code == hreflang == lang for code, hreflang, lang, _name in links)
    assert [name for *_, name in links] == [
        "العربية",
        "中文",
        "English",
        "Français",
        "Русский",
        "Español",
    ]
    assert [(code, name) for code, *_, name in links] == UN_LANGUAGES


# --- language-neutral data under /fr/ -------------------------------------------------------------


def test_exports_and_feed_answer_under_fr_with_the_same_data(client):
    english = client.get("/resolutions/export.json", {"body": "SC"}).json()
    french = client.get("/fr/resolutions/export.json", {"body": "SC"}).json()
    assert french["count"] == english["count"]
    assert set(french["results"][0]) == set(english["results"][0])  # English column names
    response = client.get("/fr/resolutions/export.csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    csv_head = body[:80]
    assert csv_head.decode("utf-8-sig").startswith("body,number,symbol,title")
    feed = client.get("/fr/resolutions/feed/", {"body": "SC"})
    assert feed.status_code == 200
    assert "Référentiel des mandats" in feed.content.decode()


def test_pages_rendered_before_the_locale_middleware_follow_the_address(client):
    """The 400 of the request guard renders before LocaleMiddleware: it must not inherit the
    language the thread last served."""
    long_query = {"q": "x" * (17 * 1024)}
    page(client, "/fr/")
    content = client.get("/resolutions/", long_query).content.decode()
    assert '<html lang="en">' in content and "This request could not be understood" in content
    content = client.get("/fr/resolutions/", long_query).content.decode()
    assert '<html lang="fr">' in content and "Cette requête n’a pas pu être comprise" in content


def listed(response):
    """The records a list page shows, by their English address (from the HTML: the page cache
    may answer without a template context)."""
    return re.findall(
        r'<td data-label="[^"]*"><a href="(?:/fr)?(/resolutions/[^"]+)"', response.content.decode()
    )
