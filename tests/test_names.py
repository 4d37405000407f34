"""Every record reads as what it is (issue 22, items 2 to 5): a name for every text, status words
that say what is known, UNODC's mandate in brief in sentences, and the paragraph finder asked
what the Security Council asked of UNODC. Records are iterated, never named one by one, in both
languages; exports are read back with the parsers reference managers use."""

import csv
import datetime
import html
import io
import json
import re

import bibtexparser
import feedparser
import pytest
import rispy
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import capfirst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Verification
from instruments.models import Instrument
from mandates.exports import bibtex_escape
from mandates.models import (
    Addressee,
    Body,
    OpenQuestion,
    Paragraph,
    Resolution,
    ResolutionCitation,
)
from partners.models import Partner

pytestmark = pytest.mark.django_db

LANGUAGES = [("en", ""), ("fr", "/fr")]


def body_codes():
    """Every way a body is abbreviated, in either language: a link saying only this is a bare
    code."""
    codes = set()
    for body in Body.objects.all():
        codes |= {body.code, body.code_fr} - {""}
    return codes


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def url_of(record):
    """A record's address without a language prefix (a French request leaves French active in
    the test's thread)."""
    with translation.override("en"):
        return record.get_absolute_url()


def text_of(markup):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


RESOLUTION_LINK = re.compile(
    r'<a\b[^>]*\bhref="((?:/fr)?/resolutions/[a-z0-9-]+/[a-z0-9-]+/)(?:#[^"]*)?"[^>]*>(.*?)</a>',
    re.S,
)


def resolution_links(content):
    """[(address, link text)] of every link to a record page of a resolution."""
    return [(url, text_of(inner)) for url, inner in RESOLUTION_LINK.findall(content)]


def unnumbered():
    records = list(Resolution.objects.published().filter(number="").select_related("body"))
    assert records, "the reference data holds resolutions whose number is not established"
    return records


def in_language(language, function):
    with translation.override(language):
        return function()


def published_resolutions():
    return list(Resolution.objects.published().select_related("body"))


# --- 2. A name for every text --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_names_say_body_kind_and_number_or_date_never_a_made_up_day(language, prefix):
    with translation.override(language):
        for r in published_resolutions():
            kind = r.get_kind_display()
            for name in (r.name, r.short_name, r.citation):
                assert name.strip() not in body_codes(), (r, name)
            if r.number:
                assert r.number in r.name and r.number in r.short_name and r.number in r.citation
                assert kind in r.name
                continue
            assert kind in r.name and kind in r.citation
            assert str(r.KIND_ABBREVIATIONS[r.kind]) in r.short_name
            assert r.body.display_code in r.name and r.body.display_code in r.short_name
            if r.adopted_on:
                long_date = date_format(r.adopted_on, "j F Y")
                assert long_date in r.name and long_date in r.citation
                assert str(r.adopted_on.year) in r.short_name
            else:  # the year alone: no day is made up
                for name in (r.name, r.short_name, r.citation):
                    assert str(r.year) in name
                    assert not re.search(r"\b\d{1,2} [^\d\s]+ \d{4}\b", name), name


def test_names_in_each_language():
    ga = Resolution(body=Body.objects.get(code="GA"), kind="resolution", year=2021)
    ga.adopted_on = datetime.date(2021, 12, 6)
    assert in_language("en", lambda: ga.name) == "GA resolution of 6 December 2021"
    assert in_language("fr", lambda: ga.name) == "résolution de l'AG du 6 décembre 2021"
    assert in_language("en", lambda: ga.short_name) == "GA res. of 6 Dec 2021"
    ga.number = "76/999"
    assert in_language("en", lambda: ga.name) == "GA resolution 76/999"
    assert in_language("fr", lambda: ga.name) == "résolution 76/999 de l'AG"
    assert in_language("fr", lambda: ga.short_name) == "AG 76/999"
    cop = Resolution(body=Body.objects.get(code="COP"), kind="decision", year=2022)
    assert in_language("en", lambda: cop.name) == "COP decision of 2022"
    assert in_language("fr", lambda: cop.name) == "décision de la COP de 2022"
    assert in_language("en", lambda: cop.citation) == (
        "Conference of the Parties to the United Nations Convention against Transnational "
        "Organized Crime decision of 2022"
    )
    ecosoc = Resolution(body=Body.objects.get(code="ECOSOC"), kind="resolution", year=2010)
    sc = Resolution(body=Body.objects.get(code="SC"), kind="resolution", year=2015)
    assert in_language("fr", lambda: ecosoc.name) == "résolution de l'ECOSOC de 2010"
    assert in_language("fr", lambda: sc.name) == "résolution du CS de 2015"


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_record_page_of_every_unnumbered_text_names_it(client, language, prefix):
    for r in unnumbered():
        name, short, citation = in_language(
            language, lambda r=r: (capfirst(r.name), r.short_name, r.citation)
        )
        content = get(client, prefix + url_of(r))
        assert f"<h1>{escape(name)}</h1>" in content, r
        assert f"<title>{escape(name)} — " in content
        assert f'<span aria-current="page">{escape(short)}</span>' in content  # breadcrumb
        assert f">{escape(citation)}</code>" in content  # the copy-ready citation
        assert f'<meta property="og:title" content="{escape(capfirst(citation))}' in content
        if not r.title:
            assert f'name="citation_title" content="{escape(capfirst(citation))}"' in content


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_every_unnumbered_text_is_named_wherever_it_is_linked(client, language, prefix):
    """On the list, the timeline, the graph, its body's page and every record page linking to
    it, each link to it says its name (body, kind, date), never a bare body code."""
    for r in unnumbered():
        short, citation = in_language(language, lambda r=r: (r.short_name, r.citation))
        url = prefix + url_of(r)
        pages = [
            f"{prefix}/resolutions/?body={r.body.code}&year_from={r.year}&year_to={r.year}",
            f"{prefix}/timeline/",
            f"{prefix}/graph/",
            prefix + url_of(r.body),
        ]
        links = ResolutionCitation.objects.filter(
            Q(cited=r, citing__status="published") | Q(citing=r, cited__status="published")
        )
        pages += [prefix + url_of(link.citing) for link in links if link.cited == r]
        pages += [prefix + url_of(link.cited) for link in links if link.citing == r]
        pages += [prefix + url_of(i) for i in r.instruments.all()]
        for page in pages:
            texts = [text for link, text in resolution_links(get(client, page)) if link == url]
            assert texts, (r, page)
            for text in texts:
                assert any(n in text for n in (short, citation, capfirst(citation))), (
                    r,
                    page,
                    text,
                )
        graph = get(client, f"{prefix}/graph/")
        node = re.search(rf'<a class="graph-node[^"]*" href="{re.escape(url)}">(.*?)</a>', graph)
        assert f"<title>{escape(capfirst(citation))}" in node[1]
        assert f">{escape(short)}</text>" in node[1]  # whole: its column is wide enough


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_no_link_to_a_resolution_is_a_bare_body_code(client, language, prefix):
    codes = body_codes()
    pages = ["/", "/resolutions/", "/timeline/", "/graph/", "/about/", "/paragraphs/"]
    pages += ["/expert-group/", "/bodies/"]
    pages += [url_of(b) for b in Body.objects.all()]
    pages += [url_of(r) for r in published_resolutions()]
    pages += [url_of(i) for i in Instrument.objects.all()]
    pages += [url_of(p) for p in Partner.objects.all()]
    for page in pages:
        for url, text in resolution_links(get(client, prefix + page)):
            assert text and text not in codes, (page, url, text)
            assert not re.fullmatch(r"\S+ (\d{4}|\d{4}-\d{2}-\d{2})", text), (page, url, text)


def test_home_names_recent_unnumbered_texts(client):
    links = resolution_links(get(client, "/"))
    for r in Resolution.objects.published().most_recent(6):
        assert (url_of(r), r.short_name) in links, r


# --- ... and in every export ---------------------------------------------------------------------


def export(client, prefix, fmt, query=""):
    return get(client, f"{prefix}/resolutions/export.{fmt}{query}")


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_every_export_names_every_text(client, language, prefix):
    records = {url_of(r): r for r in published_resolutions()}
    rows = {
        row["url"].removeprefix("http://testserver" + prefix): row
        for row in json.loads(export(client, prefix, "json"))["results"]
    }
    csv_rows = {
        row["url"].removeprefix("http://testserver" + prefix): row
        for row in csv.DictReader(io.StringIO(export(client, prefix, "csv")))
    }
    bib = bibtexparser.parse_string(export(client, prefix, "bib"))
    assert not bib.failed_blocks
    bib = {entry.key: {f.key: f.value for f in entry.fields} for entry in bib.entries}
    ris = {
        record["urls"][0].removeprefix("http://testserver" + prefix): record
        for record in rispy.loads(export(client, prefix, "ris"))
    }
    with translation.override(language):
        for url, r in records.items():
            name, citation = capfirst(r.name), capfirst(r.citation)
            for row in (rows[url], csv_rows[url]):
                assert row["name"] == name and row["citation"] == citation, r
            title = r.title or citation
            entry = bib[f"{r.body.slug}-{r.slug}"]
            assert entry["title"] == "{" + bibtex_escape(title) + "}", r
            assert bibtex_escape(citation) in entry["note"]
            assert ris[url]["title"] == title
            assert citation in ris[url]["notes"]
            identifier = r.symbol or r.contained_in or r.number
            if identifier:
                assert entry["number"] == bibtex_escape(identifier)
                assert ris[url]["note"] == identifier
            else:  # nothing made up, and no empty field
                assert "number" not in entry and "note" not in ris[url], r
    assert "Resolution }" not in str(bib) and "{Resolution}" not in str(bib)


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_feed_entries_are_named_in_the_feed_language(client, language, prefix):
    feed = feedparser.parse(get(client, f"{prefix}/resolutions/feed/"))
    titles = {entry.link.removeprefix("http://testserver"): entry.title for entry in feed.entries}
    assert titles
    with translation.override(language):
        for r in published_resolutions():
            url = prefix + url_of(r)
            if url in titles:
                assert titles[url].startswith(capfirst(r.name)), titles[url]
                assert titles[url].strip() not in body_codes()


# --- 3. Status words that say what is known ------------------------------------------------------


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_pages_and_exports_say_the_same_status(client, language, prefix):
    statements = {}
    with translation.override(language):
        for r in published_resolutions():
            label = str(Verification(r.verification).label)
            statements[url_of(r)] = (label, r.verification_statement)
    for url, (label, statement) in statements.items():
        assert statement.startswith(label), statement
        header = get(client, prefix + url).split('<header class="record-header">')[1]
        header = header.split("</header>")[0]
        assert f">{escape(label)}</span>" in header and escape(statement) in header, url
    rows = json.loads(export(client, prefix, "json"))["results"]
    for row in rows:
        url = row["url"].removeprefix("http://testserver" + prefix)
        assert row["verification_statement"] == statements[url][1]
        assert "verified" not in row  # a yes/no would contradict "Corroborated"
    bib, ris = export(client, prefix, "bib"), export(client, prefix, "ris")
    for _label, statement in statements.values():
        assert bibtex_escape(statement) in bib and statement in ris
    for text in (bib, ris):
        assert "Unverified record" not in text


def test_a_confirmed_record_says_what_is_confirmed_and_what_is_not(client):
    body = Body.objects.get(code="COP")
    bare = Resolution.objects.create(
        body=body, slug="2031", year=2031, sources="https://www.unodc.org/x"
    )
    assert bare.verification == Verification.CONFIRMED
    assert in_language("en", lambda: bare.verification_statement) == (
        "Confirmed: year of adoption (2031); not established: number, title and date of adoption."
    )
    assert in_language("fr", lambda: bare.verification_statement) == (
        "Confirmé\u00a0: année d’adoption (2031)\u00a0; reste à établir\u00a0: numéro, titre et "
        "date d’adoption."
    )
    content = get(client, url_of(bare))
    assert "Confirmed: year of adoption (2031); not established: number, title" in content
    flagged = Resolution.objects.create(
        body=body,
        number="31/1",
        title="A title",
        year=2031,
        sources="secondary https://news.example.org/x",
        unverified_fields=["title"],
    )
    assert in_language("en", lambda: flagged.verification_statement) == (
        "Unverified; not established: date of adoption; not yet read in a source: title."
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_status_sentence_is_built_from_the_key_facts(language):
    """For every sourced record in the reference: what is missing is said not established,
    what is flagged not yet read, and the rest is what the status covers."""
    with translation.override(language):
        for model in (Resolution, Instrument, Partner, Body, Paragraph):
            for record in model.objects.all():
                statement = record.verification_statement
                label = str(Verification(record.verification).label)
                assert statement.startswith(label) and statement.endswith(".")
                missing = [record.key_fact_name(n) for n in record.missing_key_fields]
                unread = [record.key_fact_name(n) for n in record.unverified_key_fields]
                head, _, tail = statement.partition(";")
                for fact in [*missing, *unread]:
                    assert str(fact) in tail and str(fact) not in head, statement
                if not missing and not record.unverified_key_fields:
                    assert ";" not in statement, statement


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_settled_questions_are_shown_as_settled(client, language, prefix):
    open_label, settled_label = in_language(
        language,
        lambda: (translation.gettext("Not yet established:"), translation.gettext("Settled:")),
    )
    questions = OpenQuestion.objects.prefetch_related("resolutions")
    assert any(q.resolved and q.resolutions.all() for q in questions)
    for question in questions:
        for r in question.resolutions.all():
            content = get(client, prefix + url_of(r))
            notices = re.findall(
                r'<div class="notice[^"]*"><p><strong>(.*?)</strong> '
                r'(?:<span lang="en">)?(.*?)(?:</span>)?</p>',
                content,
            )
            labels = {text: label for label, text in notices}
            label = settled_label if question.resolved else open_label
            assert labels[escape(question.question)] == label, (r, question.slug)


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_a_fact_a_body_does_not_have_is_not_called_unknown(client, language, prefix):
    session, no_report = in_language(
        language,
        lambda: (
            translation.gettext("Session"),
            translation.gettext("the report that contains it is not established"),
        ),
    )
    for r in published_resolutions():
        facts = get(client, prefix + url_of(r)).split('<dl class="facts">')[1]
        facts = facts.split("</dl>")[0]
        if r.body.holds_sessions:
            assert f"<dt>{session}</dt>" in facts, r
        else:
            assert f"<dt>{session}</dt>" not in facts, r
        if not r.body.has_symbols and not r.contained_in:
            assert no_report in facts, r
    assert not Body.objects.get(code="SC").holds_sessions
    assert all(b.holds_sessions for b in Body.objects.exclude(code="SC"))


# --- 4. UNODC's mandate in brief, in sentences ----------------------------------------------------


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_each_brief_line_says_what_is_asked_and_cites_it_once(client, language, prefix):
    content = get(client, prefix + "/")
    brief = content.split('aria-labelledby="brief-heading"')[1].split("</section>")[0]
    lines = re.findall(r'<li class="brief-line">(.*?)</li>', brief, re.S)
    addressed = Paragraph.public.all().filter(
        addressees__slug="unodc", resolution__is_synthetic=False
    )
    assert len(lines) == addressed.count() > 0
    with translation.override(language):
        not_established = translation.gettext("paragraph number not established")
        for p in addressed.select_related("resolution__body").prefetch_related("activities"):
            url = prefix + url_of(p)
            (line,) = [line for line in lines if f'href="{url}"' in line]
            assert line.count(f'href="{url}"') == 1
            assert f">{escape(p.short_citation)}</a>" in line
            if p.number is None:
                assert p.short_citation.endswith(
                    translation.gettext(", annex" if p.in_annex else ", operative part")
                )
            summary = f'<span lang="en">{escape(p.summary)}</span>' if language == "fr" else None
            assert (summary or escape(p.summary)) in line
            for activity in p.activities.all():
                assert f">{escape(activity.display_name)}</a>" in line
        assert not_established not in brief


# --- 5. Asked of UNODC, or of States with UNODC's help --------------------------------------------

SC_2015_2017 = {"body": "SC", "year_from": "2015", "year_to": "2017"}


def listed(response):
    return {p.pk for p in response.context["paginator"].object_list}


def asked_of_unodc(assistance):
    condition = Q(addressees__slug="unodc")
    if assistance:
        condition |= Q(assisted_by__slug="unodc")
    return set(
        Paragraph.public.all()
        .filter(condition, resolution__body__code="SC", resolution__year__range=(2015, 2017))
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_what_the_security_council_asked_of_unodc_in_2015_2017(client, language, prefix):
    wanted = asked_of_unodc(assistance=True)
    assert wanted and not asked_of_unodc(assistance=False)
    url = f"{prefix}/paragraphs/"
    response = client.get(url, {**SC_2015_2017, "addressee": "unodc"})
    assert response.status_code == 200 and not listed(response)
    wider = response.context["wider"]
    assert wider.kind == "assistance" and wider.count == len(wanted)
    assert f'<a href="{escape(wider.link)}">{len(wanted)} ' in response.content.decode()
    answer = client.get(url + wider.link)
    assert listed(answer) == wanted
    assert listed(client.get(url, {**SC_2015_2017, "addressee": "unodc", "assistance": "include"}))
    chips = [item["label"] for item in answer.context["selected"]]
    assert in_language(language, lambda: translation.gettext("Including assistance named")) in chips


def test_assistance_tags_lead_to_the_paragraphs_naming_that_assistance(client):
    content = get(client, "/paragraphs/?body=SC")
    assert 'href="?body=SC&amp;addressee=unodc&amp;assistance=include"' in content


def test_assistance_takes_only_include(client):
    response = client.get("/paragraphs/", {"addressee": "unodc", "assistance": "all"})
    assert response.status_code == 400
    assert "Assistance is “include” or left out, not “all”." in response.content.decode()


def counted(client, url, query):
    return client.get(url, query).context["paginator"].count


@pytest.mark.parametrize(
    "query",
    [
        {"body": "SC", "year_from": "2020"},
        {"q": "zqxjvw", "body": "SC"},
        {"body": "CCPCJ", "partner": "unesco"},
        {"body": ["CCPCJ", "COP"], "instrument": "unesco-1970", "year_to": "2000"},
    ],
)
def test_an_empty_resolution_list_suggests_the_nearest_wider_one(client, query):
    response = client.get("/resolutions/", query)
    assert response.status_code == 200 and response.context["paginator"].count == 0
    # Each filter removed on its own (a year range as one), counted by the list itself.
    steps = {}
    for name in query:
        if name == "year_to" and "year_from" in query:
            continue
        dropped = ("year_from", "year_to") if name.startswith("year") else (name,)
        rest = {k: v for k, v in query.items() if k not in dropped}
        steps[dropped] = counted(client, "/resolutions/", rest)
    best = min((n for n in steps.values() if n), default=None)
    wider = response.context["wider"]
    assert best is not None and wider is not None and wider.count == best
    assert counted(client, "/resolutions/" + wider.link, {}) == best
    content = response.content.decode()
    assert f'<a href="{escape(wider.link)}">{best} resolution' in content


@pytest.mark.parametrize(
    ("url", "query", "make"),
    [
        ("/resolutions/", {"body": "CCPCJ", "partner": "icom"}, "resolution"),
        ("/paragraphs/", {**SC_2015_2017, "addressee": "unodc"}, "paragraph"),
    ],
)
def test_no_result_pages_query_count_does_not_grow_with_rows(
    client, make_mandate, django_assert_max_num_queries, url, query, make
):
    make_mandate(year=2016)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url, query).context["wider"]
    for year in range(1996, 2026):
        make_mandate(year=year, paragraphs=3)
    with django_assert_max_num_queries(len(baseline), info=url):
        response = client.get(url, query)
    assert response.context["paginator"].count == 0 and response.context["wider"].count


def test_unodc_counts_include_its_assistance_when_asked(client):
    unodc = Addressee.objects.get(slug="unodc")
    plain = client.get("/paragraphs/", {"body": "SC"}).context["facets"]
    wide = client.get("/paragraphs/", {"body": "SC", "assistance": "include"}).context["facets"]
    sc = Paragraph.public.all().filter(resolution__body__code="SC")
    assert plain["addressee"].get("unodc", 0) == sc.filter(addressees=unodc).count()
    assert wide["addressee"]["unodc"] == (
        sc.filter(Q(addressees=unodc) | Q(assisted_by=unodc)).distinct().count()
    )


PARAGRAPH_VALUES = {
    "addressee": st.sampled_from(["unodc", "member-states", "secretary-general", "ccpcj"]),
    "assistance": st.just("include"),
    "body": st.sampled_from(["GA", "SC", "ECOSOC", "CCPCJ", "COP"]),
    "verb": st.sampled_from(["requests", "urges", "decides", "welcomes"]),
    "activity": st.sampled_from(["technical-assistance", "expert-group", "reporting"]),
    "partner": st.sampled_from(["unesco", "interpol", "wco"]),
    "year_from": st.integers(1990, 2025).map(str),
    "year_to": st.integers(1990, 2025).map(str),
    "tagged": st.sampled_from(["yes", "no"]),
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.fixed_dictionaries({}, optional=PARAGRAPH_VALUES))
def test_any_empty_paragraph_search_leads_somewhere_true(client, query):
    """Whatever the filters: never an error, and a suggested wider list has exactly the rows
    it promises."""
    response = client.get("/paragraphs/", query)
    assert response.status_code in (200, 400)
    wider = response.context["wider"]
    if response.status_code == 200 and response.context["paginator"].count == 0 and wider:
        assert wider.count == counted(client, "/paragraphs/" + wider.link, {})
