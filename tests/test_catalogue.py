"""The French catalogue: complete for every template and module, compiled, and current."""

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import pytest
from babel.messages.extract import extract
from django.conf import settings
from django.utils.translation.template import templatize

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CI = os.environ.get("CI", "").lower() == "true"


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


# The public pages' Jinja2 templates (read by Babel, as `make messages` does) and the admin's
# Django templates (read by templatize(), as makemessages does).
JINJA2_TEMPLATES = sorted((BASE / "templates").rglob("*.html"))
DJANGO_TEMPLATES = sorted((BASE / "core" / "templates").rglob("*.html"))
TEMPLATES = JINJA2_TEMPLATES + DJANGO_TEMPLATES
MODULES = [
    BASE / name
    for name in (
        *sorted(f"mandates/models/{p.name}" for p in (BASE / "mandates" / "models").glob("*.py")),
        "mandates/filters.py",
        "mandates/views.py",
        "mandates/feeds.py",
        "mandates/exports.py",
        "mandates/graph.py",
        "explore/filters.py",
        "explore/views.py",
        "explore/graph.py",
        "explore/timeline.py",
        "core/models.py",
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


def msgids_in_jinja2(path):
    """(msgctxt, msgid, msgid_plural) of every message of a Jinja2 template, as `make messages`
    extracts them (babel.cfg: Jinja2's extractor, with the i18n extension)."""
    found = set()
    with path.open("rb") as handle:
        options = {"extensions": "jinja2.ext.i18n", "silent": "false"}
        for _line, message, _comments, context in extract("jinja2", handle, options=options):
            singular, plural = message if isinstance(message, tuple) else (message, None)
            found.add((context, singular, plural))
    return found


def test_the_jinja2_messages_are_read():
    """The extraction sees singular, plural and context-marked messages of a Jinja2 template."""
    home = msgids_in_jinja2(BASE / "templates" / "home.html")
    assert (None, "By body", None) in home
    assert (
        None,
        '<span class="stat">%(n)s</span> resolution',
        '<span class="stat">%(n)s</span> resolutions',
    ) in home
    assert ("between the items of a list", "; ", None) in home


def shows_words(template):
    """Whether a template writes words of its own: text outside its tags, variables, comments
    and markup (a drawing's or a <head>'s template may write none)."""
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", " ", template, flags=re.S)
    return re.search(r"[^\W\d_]{2,}", text) is not None


@pytest.mark.parametrize(
    "path", TEMPLATES + MODULES, ids=[str(p.relative_to(BASE)) for p in TEMPLATES + MODULES]
)
def test_every_string_of_the_file_is_translated(path):
    source = path.read_text(encoding="utf-8")
    if path in JINJA2_TEMPLATES:
        msgids = msgids_in_jinja2(path)
    elif path.suffix == ".html":
        # One call a line, at most; indentation means nothing in what templatize() writes.
        source = "\n".join(
            line.lstrip() for line in templatize(source, origin=str(path)).splitlines()
        )
        msgids = msgids_in_source(source)
    else:
        msgids = msgids_in_source(source)
    if path.suffix == ".html" and shows_words(path.read_text(encoding="utf-8")):
        # Every template that shows text has strings marked for translation.
        assert msgids, f"{path.name} has no string marked for translation"
    catalogue = read_po(PO)
    missing = sorted(m[1] for m in msgids if m not in catalogue)
    untranslated = sorted(m[1] for m in msgids if m in catalogue and not catalogue[m][0])
    assert missing == [], "not in the catalogue: run make messages"
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
