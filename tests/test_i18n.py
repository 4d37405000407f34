"""The French interface: /fr/ pages, the language switcher, and a complete, compiled catalogue.

English stays at the plain addresses (/resolutions/), French lives under /fr/ (/fr/resolutions/).
The interface is translated; the records (titles, summaries, names of bodies) are English data.
"""

import ast
import gettext
import html
import io
import os
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from mandates.models import UN_LANGUAGES, Activity, Addressee

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
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


@pytest.fixture(autouse=True)
def _back_to_english():
    """The active language is per thread and outlives a request: leave English behind."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
    assert "Saisissez un nombre entier." in content  # Django's own French catalogue
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
        r'<a href="https://undocs\.org/(\w+)/S/RES/2199 \(2015\)" hreflang="(\w+)" lang="(\w+)"'
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


# --- the catalogue: complete for every template and module, compiled, and current ---------------


def read_po(path):
    """{(msgctxt, msgid, msgid_plural): [msgstr, ...]} of the translated, non-fuzzy entries
    (untranslated or fuzzy ones map to [""]). Standard library only."""
    entries, entry, last = {}, None, None

    def close():
        if entry and "msgid" in entry:
            key = (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
            strs = [entry[k] for k in sorted(entry) if k.startswith("msgstr")]
            entries[key] = [""] if entry.get("fuzzy") or not all(strs) else strs

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
            entry = None
            continue
        entry = entry if entry is not None else {}
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[last] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            last = keyword
            entry[keyword] = ast.literal_eval(value)
    return entries


GETTEXT_CALLS = {
    # function name: the positions of (context, singular, plural) among its string arguments
    "gettext": (None, 0, None),
    "_": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
}


def msgids_in_source(source):
    """(msgctxt, msgid, msgid_plural) of every gettext call with literal strings in Python source,
    or in what Django's templatize() makes of a template (what makemessages hands xgettext)."""
    found = set()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)]
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in GETTEXT_CALLS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        strings, j, previous = [], i + 2, None
        while j < len(tokens) and tokens[j].string != ")":
            if tokens[j].type == tokenize.STRING:
                value = ast.literal_eval(tokens[j].string)
                if previous == tokenize.STRING:  # "implicitly " "concatenated"
                    strings[-1] += value
                else:
                    strings.append(value)
            if tokens[j].type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                previous = tokens[j].type
            j += 1
        context, singular, plural = GETTEXT_CALLS[token.string]
        if len(strings) <= singular:
            continue  # gettext(variable): nothing to extract
        found.add(
            (
                strings[context] if context is not None else None,
                strings[singular],
                strings[plural] if plural is not None else None,
            )
        )
    return found


TEMPLATES = sorted((BASE / "templates").rglob("*.html"))
MODULES = [
    BASE / name
    for name in (
        "mandates/models.py",
        "mandates/filters.py",
        "mandates/views.py",
        "mandates/feeds.py",
        "mandates/exports.py",
        "mandates/graph.py",
        "core/models.py",
        "mandates/templatetags/mandates_tags.py",
        "instruments/models.py",
        "partners/models.py",
        "config/middleware.py",
        "config/workers.py",
    )
]


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(BASE)) for p in MODULES])
def test_no_string_is_marked_inside_an_f_string(path):
    """makemessages (xgettext) does not read into an f-string's replacement fields, nor does
    msgids_in_source(): a message marked there is missing from what they extract, and the next
    makemessages would drop its translation from the catalogue (eight were, once)."""
    hidden = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_CALLS
                ):
                    hidden.append(f"line {inner.lineno}: {ast.unparse(inner)}")
    assert hidden == [], "mark it outside the f-string"


def test_catalogue_is_french_with_plural_forms():
    header = read_po(PO)[(None, "", None)][0]
    assert "Language: fr\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header


@pytest.mark.parametrize(
    "path", TEMPLATES + MODULES, ids=[str(p.relative_to(BASE)) for p in TEMPLATES + MODULES]
)
def test_every_string_of_the_file_is_translated(path):
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        # One call a line, at most; indentation means nothing in what templatize() writes.
        source = "\n".join(
            line.lstrip() for line in templatize(source, origin=str(path)).splitlines()
        )
    msgids = msgids_in_source(source)
    if path.suffix == ".html":
        # Every template that shows text has strings marked for translation.
        assert msgids, f"{path.name} has no string marked for translation"
    catalogue = read_po(PO)
    missing = sorted(m[1] for m in msgids if m not in catalogue)
    untranslated = sorted(m[1] for m in msgids if m in catalogue and not catalogue[m][0])
    assert missing == [], "not in the catalogue: run makemessages -l fr"
    assert untranslated == [], "no French translation (or fuzzy)"


def test_placeholders_survive_translation():
    for (_context, msgid, plural), msgstrs in read_po(PO).items():
        if not msgid:
            continue
        wanted = set(re.findall(r"%\(\w+\)s", msgid + (plural or "")))
        for msgstr in msgstrs:
            assert set(re.findall(r"%\(\w+\)s", msgstr)) <= wanted, msgid
        if plural is None:
            assert set(re.findall(r"%\(\w+\)s", msgstrs[0])) == wanted, msgid
        tags = re.findall(r"</?(\w+)", msgid)
        assert sorted(set(tags)) == sorted(set(re.findall(r"</?(\w+)", msgstrs[-1]))), msgid


def test_compiled_catalogue_matches_the_po_file():
    """locale/fr/LC_MESSAGES/django.mo is committed (CI needs no gettext): it must hold exactly
    the translations of django.po. Recompile with `make messages`."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for (context, msgid, plural), msgstrs in read_po(PO).items():
        if not msgstrs[0]:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        if plural is None:
            expected[key] = msgstrs[0]
        else:
            expected.update({(key, n): s for n, s in enumerate(msgstrs)})
    assert {k: v for k, v in compiled.items() if k != ""} == {
        k: v for k, v in expected.items() if k != ""
    }


def test_po_file_passes_msgfmt_check(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if CI:
            pytest.fail("msgfmt (GNU gettext) is missing on CI", pytrace=False)
        pytest.skip("msgfmt (GNU gettext) is not installed")
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with (tmp_path / "django.mo").open("rb") as fresh, MO.open("rb") as committed:
        assert (
            gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(committed)._catalog
        )


@pytest.mark.django_db
def test_the_language_comes_from_the_address_alone(client):
    """No answer varies on Accept-Language: a browser asking for French gets English at an
    unprefixed address, and shared caches need not keep a copy per browser language."""
    for path in ("/", "/resolutions/?body=SC", "/no-such-page/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
        assert response["Content-Language"] == "en"
        assert "accept-language" not in response.get("Vary", "").lower(), path
    french = client.get("/fr/", HTTP_ACCEPT_LANGUAGE="en")
    assert french["Content-Language"] == "fr"
    assert "accept-language" not in french.get("Vary", "").lower()
