"""The records against the December 2026 audit of the fixtures, row by row and finding by finding.

The audit (audit-2026-12.md, beside the research files in ../shared/reference/) is the latest word
on the records. Its expected values are written out here, in AUDIT, so that they are checked on
every machine, with or without that folder: a table of (audit row, record, field, expected value).
Rows are the audit's section 1; "F" rows are its section 2 findings; "3" rows its section 3
("Still unknown"), which the open questions follow. tests/test_reference_facts.py compares the
same records with the research files, where they are, and reads the audit's overrides of them
from here (AUDIT_FLAGGED, AUDIT_DROPPED_SOURCES, AUDIT_MAPPING, AUDIT_MANDATES, AUDIT_QUESTIONS).

The rules every record follows, which need no research file either, are checked here too: its
status is the one its sources give, it cites no refused host, no page twice and no page of search
results, and it lists a source; the open questions speak plainly.
"""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from core.models import BARRED_HOSTS, Source
from instruments.models import Instrument
from mandates.models import ExpertGroupMeeting, OpenQuestion, PageEntry, Paragraph, Resolution
from partners.models import Partner

UNODC_PAGE = (
    "https://www.unodc.org/unodc/en/organized-crime/trafficking-in-cultural-property-mandate.html"
)
SEARCH_PAGE = "https://www.fichier-pdf.fr/recherche-pdf.php?q=property"
IRAQ_DRAFT = (
    "https://www.fichier-pdf.fr/2015/05/20/draft-resolution-saving-the-cultural-heritage-of-iraq/"
)
A_69_489_COPY = (
    "https://lawsdocbox.com/amp/74024184-Immigration/Resolution-adopted-by-the-general-assembly-"
    "on-18-december-on-the-report-of-the-third-committee-a-69-489.html"
)
ECOSOC_2003_29_COPY = (
    "https://vdocuments.us/download/04emodel-treaty-for-the-prevention-of-crimes-that-infringe-on-"
    "the-cultural.html"
)
WHC_NEWS = (
    "https://whc.unesco.org/en/news/&mode=day,chart&action=list&date=2015-02-12&calendarmode=day"
)
COP_5_REPORT_ES = (
    "https://pdfslide.es/documents/conferencia-de-las-partes-en-la-convencin-de-las-naciones-2-de-"
    "diciembre-de.html"
)
GA_11646 = "https://press.un.org/en/2015/ga11646.doc.htm"
VIENNA_AT = (
    "https://www.vienna.at/gruendung-in-wien-vor-bald-100-jahren-entstand-interpol-"
    "vorgaengerorganisation/8268931"
)
UNESCO_UK = (
    "https://www.unesco.org.uk/news/cultural-heritage-protected-by-uk-chaired-un-security-council/"
)
E_2018_30_COPY = (
    "https://pdffox.com/commission-on-crime-prevention-and-criminal-justice-pdf-free.html"
)


# --- how a row names a record and what it expects ------------------------------------------------


def R(body, slug):
    return (Resolution, (body, slug))


def P(body, slug, position):
    return (Paragraph, (body, slug, position))


def I(slug):  # noqa: E743 (an instrument, beside R, P and Q)
    return (Instrument, (slug,))


def Q(slug):
    return (OpenQuestion, (slug,))


INTERPOL = (Partner, ("interpol",))
MEETING_2 = (ExpertGroupMeeting, ("cultural-property-expert-group", 2))
ENTRY_12 = (PageEntry, (12,))


class Has:
    """The value holds this item (a word in a text, a member of a set or list)."""

    def __init__(self, item):
        self.item = item

    def matches(self, value):
        return self.item in value

    def __repr__(self):
        return f"Has({self.item!r})"


class Lacks(Has):
    def matches(self, value):
        return self.item not in value

    def __repr__(self):
        return f"Lacks({self.item!r})"


class Not(Has):
    """Anything but this value."""

    def matches(self, value):
        return value != self.item

    def __repr__(self):
        return f"Not({self.item!r})"


def value_of(record, field):
    """The field as the table states it: sources as (kind, URL) pairs, links and many-to-many
    fields as sets of natural keys (a one-part key as the bare slug), the rest as stored."""
    if field == "sources":
        return {(source.kind, source.url) for source in record.source_list}
    if field == "instrument_links":
        return {(link.instrument.slug, link.relation) for link in record.instrument_links.all()}
    if field == "cites":
        return {(*link.cited.natural_key(), link.relation) for link in record.citation_links.all()}
    if field in {f.name for f in record._meta.many_to_many}:
        keys = (related.natural_key() for related in getattr(record, field).all())
        return {key[0] if len(key) == 1 else key for key in keys}
    return getattr(record, field)


SC_2199, SC_2322, SC_2347, SC_1483 = (
    R("SC", "2199-2015"),
    R("SC", "2322-2016"),
    R("SC", "2347-2017"),
    R("SC", "1483-2003"),
)
GA_79_133, GA_70_76, GA_IRAQ = R("GA", "79-133"), R("GA", "70-76"), R("GA", "2015-05-28")
COP_5_7 = R("COP", "5-7")

AUDIT = [
    # 1-3. SC 2199: meeting and symbol only on a barred mirror; the date from UNESCO's news item.
    ("1", SC_2199, "meeting", "7379th meeting"),
    ("1", SC_2199, "unverified_fields", Has("meeting")),
    ("2", SC_2199, "unverified_fields", Has("symbol")),
    ("3", SC_2199, "sources", Has(("official", WHC_NEWS))),
    ("3", SC_2199, "adopted_on", dt.date(2015, 2, 12)),
    ("3", SC_2199, "verification", "confirmed"),
    # 4. Para 17: its number from UNODC's page; its text from secondary sources only.
    ("4", P("SC", "2199-2015", 17), "sources", Has(("official", UNODC_PAGE))),
    ("4", P("SC", "2199-2015", 17), "unverified_fields", ["summary"]),
    ("4", P("SC", "2199-2015", 17), "verification", Not("confirmed")),
    ("4", P("SC", "2199-2015", 17), "verification_note", Has("secondary sources")),
    # 5. SC 2322 para 12: UNODC's page once; the wording is from a secondary copy.
    ("5", P("SC", "2322-2016", 12), "sources", Has(("official", UNODC_PAGE))),
    ("5", P("SC", "2322-2016", 12), "sources", Lacks(("official", UNODC_PAGE.replace("www.", "")))),
    ("5", P("SC", "2322-2016", 12), "verification_note", Has("secondary copy")),
    ("5", P("SC", "2322-2016", 12), "verb", "urges"),
    # 6-7. GA 79/133: the number rests on a secondary source; INTERPOL and UNESCO named.
    ("6", GA_79_133, "number", "79/133"),
    ("6", GA_79_133, "unverified_fields", Has("number")),
    ("6", GA_79_133, "verification", "unverified"),
    ("7", GA_79_133, "partners", {"interpol", "unesco"}),
    # 8. GA 70/76: UNESCO's role, the 1970 and 1995 Conventions.
    ("8", GA_70_76, "partners", {"unesco"}),
    (
        "8",
        GA_70_76,
        "instrument_links",
        {("unesco-1970", "refers-to"), ("unidroit-1995", "refers-to")},
    ),
    # 9-10. COP 5/7: its partners; the Spanish contents tie 5/7 to cultural property.
    ("9", COP_5_7, "partners", {"unesco", "interpol", "unidroit"}),
    ("10", COP_5_7, "unverified_fields", ["title"]),
    ("10", COP_5_7, "sources", Has(("copy", COP_5_REPORT_ES))),
    ("10", ENTRY_12, "mapping_confidence", "high"),
    # 11-12. Over-flagged values a cited copy shows.
    ("11", R("GA", "58-17"), "unverified_fields", []),
    ("11", R("GA", "58-17"), "verification_note", Lacks("has not been seen printed")),
    ("12", I("model-treaty"), "adoption_place", "Havana"),
    ("12", I("model-treaty"), "unverified_fields", []),
    ("12", I("model-treaty"), "sources", Has(("copy", ECOSOC_2003_29_COPY))),
    # 13. GA 69/196: GA/11604 is context only.
    ("13", R("GA", "69-196"), "adopted_on", dt.date(2014, 12, 18)),
    ("13", R("GA", "69-196"), "verification_note", Has("context only")),
    # 14. The search-results page gives way to the draft's own page, described as a draft.
    *(
        (row, R("GA", slug), field, expected)
        for slug in ("69-196", "68-186", "66-180", "67-80", "2015-05-28")
        for row, field, expected in (
            ("14", "sources", Lacks(("copy", SEARCH_PAGE))),
            ("14", "sources", Has(("copy", IRAQ_DRAFT))),
            ("14", "verification_note", Has("not of the adopted text")),
        )
    ),
    # 15. The copy of the A/69/489 resolution shows nothing about these three.
    ("15", R("GA", "65-230"), "sources", Lacks(("copy", A_69_489_COPY))),
    ("15", I("salvador-declaration"), "sources", Lacks(("copy", A_69_489_COPY))),
    ("15", R("ECOSOC", "2011-42"), "sources", Lacks(("copy", A_69_489_COPY))),
    # 16. GA 55/25: only the sources that show its number and date.
    (
        "16",
        R("GA", "55-25"),
        "sources",
        {
            ("official", "http://unodc.org/unodc/en/treaties/CTOC/signatures.html"),
            ("official", "http://legal.un.org/avl/ha/unctoc/unctoc.html"),
            ("official", "http://unis.unvienna.org/unis/en/pressrels/2000/LPMO12.html"),
            ("official", "https://unis.unvienna.org/unis/en/pressrels/2005/uniscp510.html"),
        },
    ),
    # 17-18. SC 1483: no verb until the text is read; its partners at resolution level.
    ("17", P("SC", "1483-2003", 7), "verb", ""),
    ("18", SC_1483, "partners", {"unesco", "interpol"}),
    # 19. ECOSOC 2010/19: the request on data.
    ("19", P("ECOSOC", "2010-19", 901), "activities", Has("data-collection")),
    ("19", P("ECOSOC", "2010-19", 901), "summary", Has("data on trafficking in cultural property")),
    # 20. GA 68/186 stressed the need for finalisation; it did not urge it.
    ("20", P("GA", "68-186", 901), "summary", Has("stresses the need for")),
    ("20", P("GA", "68-186", 901), "summary", Lacks("urges")),
    # 21. INTERPOL's founding details: a secondary source, said so.
    ("21", INTERPOL, "sources", Has(("secondary", VIENNA_AT))),
    ("21", INTERPOL, "founding_detail", Has("Vienna on 7 September 1923")),
    ("21", INTERPOL, "verification_note", Has("corroborated, not confirmed")),
    # 22. Meeting 2: mandated by ECOSOC 2010/19 alone (GA 66/180 welcomed it).
    ("22", MEETING_2, "mandated_by", {("ECOSOC", "2010-19")}),
    # 23. GA 74/175: the Third Committee route was inferred.
    ("23", R("GA", "74-175"), "session", "74th session of the General Assembly"),
    # 24-27. The open questions.
    ("24", Q("symbols"), "resolutions", Lacks(("SC", "2347-2017"))),
    ("24", Q("symbols"), "resolutions", Lacks(("SC", "1483-2003"))),
    ("25", Q("recalled-dates"), "resolutions", {("GA", "74-175")}),
    ("26", Q("ccpcj-27-recommendations"), "resolved", True),
    ("26", Q("ccpcj-27-recommendations"), "status", Has("not excluded")),
    ("27", Q("cop-11-cultural-property"), "status", Has("10th session")),
    ("27", Q("cop-11-cultural-property"), "resolved", False),
    # 28. "Saving the cultural heritage of Iraq": its meeting and the UN press release.
    ("28", GA_IRAQ, "meeting", "91st plenary meeting"),
    ("28", GA_IRAQ, "press_release", "GA/11646"),
    ("28", GA_IRAQ, "sources", Has(("official", GA_11646))),
    ("28", GA_IRAQ, "number", ""),
    # 29. ECOSOC 2003/29: a summary of its preamble; the operative part still unread.
    ("29", R("ECOSOC", "2003-29"), "summary", Has("preamble")),
    ("29", R("ECOSOC", "2003-29"), "summary", Has("operative part")),
    ("29", R("ECOSOC", "2003-29"), "sources", Has(("copy", ECOSOC_2003_29_COPY))),
    ("29", R("ECOSOC", "2003-29"), "cites", Has(("GA", "45-121", "recalls"))),
    # 30. Summaries in our own words, not the sources' sentences.
    ("30", SC_2199, "summary", Lacks("shall take appropriate steps")),
    ("30", P("SC", "2199-2015", 17), "summary", Lacks("shall take")),
    ("30", SC_2347, "summary", Lacks("prevent and counter illicit trade and trafficking")),
    ("30", I("doha-declaration"), "summary", Lacks("strengthen and implement comprehensive")),
    # 31. COP 2022: what "confirmed" covers.
    ("31", R("COP", "11th-session-2022"), "verification", "confirmed"),
    ("31", R("COP", "11th-session-2022"), "verification_note", Has("covers one fact only")),
    # 32-33. Two documents the research identifies, with what it shows and nothing more.
    ("32", R("GA", "69-197"), "adopted_on", dt.date(2014, 12, 18)),
    ("32", R("GA", "69-197"), "title", Has("in particular its technical cooperation capacity")),
    ("32", R("GA", "69-197"), "relevance", "related"),
    ("32", R("GA", "69-197"), "symbol", ""),
    ("32", R("GA", "69-197"), "summary", ""),
    ("32", GA_IRAQ, "cites", Has(("GA", "69-197", "recalls"))),
    ("33", R("GA", "56-8"), "adopted_on", dt.date(2001, 11, 21)),
    ("33", R("GA", "56-8"), "relevance", "related"),
    ("33", R("GA", "56-8"), "title", ""),  # the research paraphrases it: not printed
    ("33", R("GA", "56-8"), "symbol", ""),
    ("33", R("ECOSOC", "2008-23"), "cites", Has(("GA", "56-8", "recalls"))),
    ("33", R("GA", "58-17"), "cites", Has(("GA", "56-8", "recalls"))),
    # 34. Three texts of uncertain relevance: an open question, not records.
    ("34", Q("other-documents"), "status", Has("S/PRST/2012/26")),
    ("34", Q("other-documents"), "resolved", False),
    # 35. Co-sponsor counts where the research gives them.
    ("35", GA_70_76, "adoption_note", Has("74 co-sponsors")),
    ("35", R("GA", "2018-12-13"), "adoption_note", Has("105 co-sponsors")),
    ("35", R("GA", "2021-12-06"), "adoption_note", Has("111 co-sponsors")),
    ("35", GA_79_133, "adoption_note", Has("Probably 146 co-sponsors")),
    # Section 2 findings not already covered above.
    ("F", P("SC", "2347-2017", 901), "sources", Has(("secondary", UNESCO_UK))),
    ("F", P("SC", "2347-2017", 901), "assisted_by", {"unodc"}),
    ("F", R("CCPCJ", "27-5"), "sources", Has(("copy", E_2018_30_COPY))),
    ("F", R("CCPCJ", "27-5"), "title", ""),
    ("F", R("GA", "58-17"), "verification_note", Has("agenda item 43")),
    # Section 3: what is still unknown stays open, in a question of its own.
    ("3", Q("sc-2199-meeting"), "resolutions", {("SC", "2199-2015")}),
    ("3", Q("ga-numbers"), "resolutions", Has(("GA", "79-133"))),
    ("3", Q("interpol-founding"), "resolved", False),
    ("3", Q("title-3"), "resolutions", Has(("COP", "11th-session-2022"))),
    ("3", Q("cop-5-7-operative"), "status", Has("Spanish")),
]


def row_id(row):
    number, (model, key), field, _ = row
    return f"{number}-{model._meta.model_name}-{'/'.join(map(str, key))}-{field}"


@pytest.mark.django_db
@pytest.mark.parametrize("row", AUDIT, ids=[row_id(row) for row in AUDIT])
def test_audit_row(row):
    number, (model, key), field, expected = row
    record = model.objects.get_by_natural_key(*key)
    value = value_of(record, field)
    if isinstance(expected, Has):
        assert expected.matches(value), (number, record, field, expected, value)
    else:
        assert value == expected, (number, record, field, value)


# --- the audit's overrides of the research files (tests/test_reference_facts.py) -----------------


def expected_in_table(model, field, kind=None):
    """{natural key: [expected, ...]} of the table's rows on this model's field."""
    found = {}
    for _, (row_model, key), row_field, expected in AUDIT:
        if row_model is model and row_field == field and (kind is None or type(expected) is kind):
            found.setdefault(key, []).append(expected)
    return found


# Values the research files give as read that the audit found resting on a barred or secondary
# source only (rows 1, 2, 6): marked on the record. {(body, slug): {field}}
AUDIT_FLAGGED = {
    key: {has.item for has in rows}
    for key, rows in expected_in_table(Resolution, "unverified_fields", Has).items()
}
# Sources the research files list for a record that show nothing about it (rows 14-15).
# {(model, natural key): {URL}}
AUDIT_DROPPED_SOURCES = {
    (model, key): {lacks.item[1] for lacks in rows}
    for model in (Resolution, Instrument)
    for key, rows in expected_in_table(model, "sources", Lacks).items()
}
# The old page's entries whose match the audit raised (row 10). {position: confidence}
AUDIT_MAPPING = {
    key[0]: rows[0] for key, rows in expected_in_table(PageEntry, "mapping_confidence").items()
}
# Expert-group meetings whose mandate the audit corrected (row 22). {number: {(body, slug)}}
AUDIT_MANDATES = {
    key[1]: rows[0] for key, rows in expected_in_table(ExpertGroupMeeting, "mandated_by").items()
}
# Open questions the audit's section 3 asks that the research files do not.
AUDIT_QUESTIONS = {
    "sc-2199-meeting",
    "security-council-paragraphs",
    "ga-numbers",
    "ga-guidelines-votes",
    "ecosoc-details",
    "interpol-founding",
    "other-documents",
}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(AUDIT_QUESTIONS))
def test_what_the_audit_leaves_unknown_is_an_open_question(slug):
    question = OpenQuestion.objects.get(slug=slug)
    assert not question.resolved and question.status.startswith(
        ("Not established", "Not yet", "Partly known", "Possibly")
    ), (slug, question.status)


# --- Checks that need no research file: they run everywhere -------------------------------------


def sourced_records():
    from django.apps import apps

    from core.models import Sourced

    for model in apps.get_models():
        if issubclass(model, Sourced):
            yield from model.objects.all()


def page_of(url):
    """The page a URL names, whatever its scheme, "www." or trailing slash."""
    parts = urlsplit(url)
    return (Source("copy", url).host, parts.path.rstrip("/"), parts.query)


@pytest.mark.django_db
def test_every_record_is_sourced_once_per_page_and_never_by_a_search():
    """Every researched record lists a source (the bodies, organs rather than researched facts,
    list none and say so); none cites the same page twice, with and without "www." (audit row
    5), nor a page of search results, which shows whatever the site holds that day (row 14)."""
    from mandates.models import Body

    for record in sourced_records():
        urls = record.source_urls
        if isinstance(record, Body):
            assert not urls, record
            continue
        assert urls, f"{type(record).__name__} {record}: no source"
        pages = [page_of(url) for url in urls]
        assert len(pages) == len(set(pages)), (record, pages)
        for url in urls:
            parts = urlsplit(url)
            searched = any(word in parts.path.lower() for word in ("search", "recherche"))
            asked = {name.lower() for name, _ in parse_qsl(parts.query)} & {"q", "query", "search"}
            assert not (searched and asked), (record, url)


@pytest.mark.django_db
def test_open_questions_speak_plainly_and_link_what_they_ask_about():
    """Open questions are for readers: no research jargon, file names or paths. The question on
    symbols links exactly the records whose symbol is marked as not seen printed (audit row 24),
    and the question on dates links no record whose dates are read (row 25)."""
    for q in OpenQuestion.objects.all():
        for jargon in ("recalled", "stored", ".txt", ".yaml", "../", *BARRED_HOSTS):
            assert jargon not in q.question + q.status, (q.slug, jargon)
        assert q.status, q.slug
    symbols = OpenQuestion.objects.get(slug="symbols")
    marked = {r.natural_key() for r in Resolution.objects.all() if "symbol" in r.unverified_fields}
    assert marked and {r.natural_key() for r in symbols.resolutions.all()} == marked
    dates = OpenQuestion.objects.get(slug="recalled-dates")
    for r in dates.resolutions.all():
        assert r.adopted_on is None, r


@pytest.mark.django_db
def test_status_follows_from_the_sources():
    """Every record's status is the one its sources and unverified key facts give."""
    for record in sourced_records():
        assert record.verification == record.derived_verification(), record
        kinds = {source.kind for source in record.source_list}
        if record.verification == "confirmed":
            assert kinds & {"official", "copy"}, record
            assert not record.unverified_key_fields, record
        for source in record.source_list:
            assert not any(
                source.host == h or source.host.endswith("." + h) for h in BARRED_HOSTS
            ), record
            if source.kind == "official":
                assert source.is_official_host, (record, source.url)
