"""The BibTeX and RIS exports as reference managers and BibTeX styles read them: parsed by
bibtexparser, rendered by pybtex's standard styles, RIS read back by rispy."""

import bibtexparser
import pytest
import rispy
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from mandates.models import Resolution

pytestmark = pytest.mark.django_db


def export(client, fmt, query=""):
    response = client.get(f"/resolutions/export.{fmt}{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content.decode()


@pytest.fixture
def bib(client):
    return export(client, "bib")[1]


@pytest.fixture
def sc_2199():
    return Resolution.objects.select_related("body").get(body__code="SC", number="2199 (2015)")


def entries_by_key(text):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


def test_bibtexparser_reads_every_entry(bib):
    entries = entries_by_key(bib)
    assert len(entries) == Resolution.objects.count()


def test_titles_and_authors_are_brace_protected(bib, sc_2199):
    entry = entries_by_key(bib)["sc-2199-2015"]
    assert entry["title"] == "{" + sc_2199.title + "}"
    assert entry["author"] == "{Security Council}"


@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha"])
def test_standard_styles_keep_the_titles_capitals(bib, style):
    """pybtex lowercases a title it may (sentence case): only braces keep "United Nations"."""
    data = parse_string(bib, "bibtex")
    formatted = find_plugin("pybtex.style.formatting", style)().format_bibliography(data)
    text = find_plugin("pybtex.backends", "text")()
    rendered = {entry.key: entry.text.render(text) for entry in formatted}
    for resolution in Resolution.objects.select_related("body").exclude(title=""):
        key = f"{resolution.body.slug}-{resolution.slug}"
        assert resolution.title in rendered[key], rendered[key]
    assert any("United Nations" in line for line in rendered.values())


def test_classic_year_and_month_beside_date(bib, sc_2199):
    entry = entries_by_key(bib)["sc-2199-2015"]
    assert entry["year"] == "2015"
    assert entry["date"] == sc_2199.adopted_on.isoformat() == "2015-02-12"
    assert entry["month"] == "feb"  # the macro, unbraced, that every style expands
    assert "  month = feb,\n" in bib
    data = parse_string(bib, "bibtex")
    assert data.entries["sc-2199-2015"].fields["month"] == "February"


def test_no_month_where_the_date_is_unknown(bib):
    undated = Resolution.objects.select_related("body").filter(adopted_on__isnull=True).first()
    assert undated is not None
    entry = entries_by_key(bib)[f"{undated.body.slug}-{undated.slug}"]
    assert "month" not in entry and "date" not in entry
    assert entry["year"] == str(undated.year)


def test_url_and_howpublished_give_the_official_text(bib, sc_2199):
    entry = entries_by_key(bib)["sc-2199-2015"]
    official = "https://undocs.org/en/S/RES/2199%20(2015)"
    assert sc_2199.official_text_url() == official
    assert entry["url"] == official
    assert entry["howpublished"] == official.replace("%", r"\%")  # a LaTeX comment otherwise
    assert "doi" not in entry
    assert "http://testserver/resolutions/sc/2199-2015/" in entry["note"]
    data = parse_string(bib, "bibtex")
    formatted = find_plugin("pybtex.style.formatting", "unsrt")().format_bibliography(data)
    text = find_plugin("pybtex.backends", "text")()
    line = next(e.text.render(text) for e in formatted if e.key == "sc-2199-2015")
    assert f"{official}, February 2015" in line


def test_french_export_links_the_french_text(client):
    entry = entries_by_key(export(client, "bib", "?body=SC")[1])
    assert entry["sc-2199-2015"]["url"].startswith("https://undocs.org/en/")
    response = client.get("/fr/resolutions/export.bib?body=SC")
    entry = entries_by_key(b"".join(response.streaming_content).decode())
    assert entry["sc-2199-2015"]["url"] == "https://undocs.org/fr/S/RES/2199%20(2015)"


def test_ris_round_trips(client, sc_2199):
    _response, text = export(client, "ris")
    records = rispy.loads(text)
    assert len(records) == Resolution.objects.count()
    record = next(r for r in records if r.get("notes") and "2199 (2015)" in r["notes"][0])
    assert record["type_of_reference"] == "GOVDOC"
    assert record["title"] == sc_2199.title
    assert record["year"] == "2015"
    assert record["date"] == "2015/02/12"
    assert rispy.loads(rispy.dumps(records)) == records


@pytest.mark.parametrize("fmt", ["csv", "json", "bib", "ris"])
def test_exports_may_be_kept_a_few_minutes(client, fmt):
    response, _text = export(client, fmt)
    assert response["Cache-Control"] == "public, max-age=300"
