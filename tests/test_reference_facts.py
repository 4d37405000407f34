"""The loaded records against the researched facts: ../shared/reference/mandates-facts.yaml (the
first research) and research-2026-12.yaml beside it (later research that corrects and extends it).

Compared fact by fact, so that a fixture edit that drifts from the reference, or a value the
reference marks as recalled but a record presents as read, fails here. Where the later research
corrects or upgrades a value, the record is tested at its new value, and the test checks that the
later research says so (LATER and UPGRADED below). Where the December 2026 audit corrects both,
its values stand: they are in tests/test_reference_audit.py, which runs everywhere, and the
comparisons here read the audit's overrides from it.

The research files are not part of the project: a clone without ../shared/reference/ skips the
comparisons with them, and says so. The checks that need no file (the audit's table, every
record's status following from its sources, no refused, duplicate or search-page source, every
record sourced, open questions in plain words) are in tests/test_reference_audit.py and run
everywhere.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from core.models import BARRED_HOSTS, Source
from instruments.models import Instrument
from mandates.models import (
    ExpertGroup,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from partners.models import Partner
from tests.test_reference_audit import (
    AUDIT_DROPPED_SOURCES,
    AUDIT_FLAGGED,
    AUDIT_MANDATES,
    AUDIT_MAPPING,
    AUDIT_QUESTIONS,
)

FACTS = Path(__file__).resolve().parents[2] / "shared/reference/mandates-facts.yaml"
LATER_RESEARCH = FACTS.with_name("research-2026-12.yaml")

BODY_CODES = {
    "General Assembly": "GA",
    "Security Council": "SC",
    "Economic and Social Council": "ECOSOC",
    "Commission on Crime Prevention and Criminal Justice (CCPCJ)": "CCPCJ",
    "Conference of the Parties to the United Nations Convention against Transnational "
    "Organized Crime": "COP",
}
INSTRUMENT_SLUGS = {
    "untoc": "untoc",
    "international-guidelines-2014": "guidelines",
    "doha-declaration-2015": "doha-declaration",
    "salvador-declaration-2010": "salvador-declaration",
    "model-treaty-1990": "model-treaty",
    "unesco-1970": "unesco-1970",
    "unidroit-1995": "unidroit-1995",
    "hague-1954": "hague-1954",
    "nicosia-2017": "nicosia-convention",
}
PROTOCOL_SLUGS = ["hague-1954-first-protocol", "hague-1954-second-protocol"]

# YAML confidence key -> model field. None: a fact kept elsewhere than on the record itself.
RESOLUTION_FIELDS = {
    "body": "body",
    "number": "number",
    "official_title": "title",
    "symbol": "symbol",
    "contained_in": "contained_in",
    "session": "session",
    "date_adopted": "adopted_on",
    "adoption_mode": "adoption_mode",
    "press_release": "press_release",
    "summary": "summary",
    "paragraphs_cited": None,  # Paragraph records
    "recommended_by": None,  # a ResolutionCitation
}
INSTRUMENT_FIELDS = {
    "adopted_by": "adopted_by",
    "adopted_at": "adopted_by",
    "adoption_date": "adopted_on",
    "place": "adoption_place",
    "opened_for_signature": "opened_for_signature",
    "entry_into_force": "entry_into_force",
    "entry_into_force_condition": "entry_into_force_condition",
    "depositary": "depositary",
    "signatories": "signatories",
    "parties": "parties_count",
    "treaty_series": "treaty_series",
    "document_symbol": "document_symbol",
    "adopted_by_symbol": None,  # the GA 55/25 record
    "serious_crime_definition": "summary",
    "drafting_history": "summary",
    "follow_up_tool": "summary",
    "cultural_property_passage": "summary",
    "congress_place_dates": "adopted_by",
    "adoption_mode": "adopted_by",
    "endorsed_by": None,  # a ResolutionInstrument link
    "welcomed_by": None,  # a ResolutionInstrument link
    "cultural_property_paragraph": None,
    "secretariat": None,  # Partner.instruments
    "origin": "summary",
    "subject": "summary",
    "first_five_ratifications": "summary",
    "replaces": "summary",
}
# Fields that several YAML keys fill: one recalled key does not make the others recalled.
SHARED_FIELDS = {"adopted_by", "summary"}
PARTNER_FIELDS = {
    "full_name": "full_name",
    "headquarters_city": "headquarters_city",
    "headquarters_address": "headquarters_address",
    "founded": "founded",
    "founding_detail": "founding_detail",
    "member_states": "member_states",
    "website": "website",
    "main_cultural_property_tools": None,  # PartnerTool records
}


def read_yaml(path):
    """The research file, or a skip that says what is not checked. Not a failure under CI: the
    research files live beside the project, not in it, and a clean clone has none."""
    if not path.is_file():
        pytest.skip(
            f"../shared/reference/ not found ({path.parent}): the records were not compared with "
            f"the research files ({path.name} is missing); the audit's table "
            "(tests/test_reference_audit.py) and the checks on sources and statuses still ran"
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts():
    return read_yaml(FACTS)


@pytest.fixture(scope="module")
def later():
    return read_yaml(LATER_RESEARCH)


# Values the later research corrects or establishes: (record, field) -> (new value, words that the
# later research's entry on it contains). The first research's value is not tested for these.
LATER = {
    ("nicosia-convention", "adopted_on"): (dt.date(2017, 5, 3), "adopted_on: 2017-05-03"),
    ("ECOSOC 2003/29", "title"): (
        "Prevention of crimes that infringe on the cultural heritage of peoples in the form of "
        "movable property",
        "Prevention of crimes that infringe on the cultural heritage",
    ),
    ("ECOSOC 2003/29", "adopted_on"): (dt.date(2003, 7, 22), "2003/29 of 22 July 2003"),
    ("SC 1483 (2003)", "adopted_on"): (dt.date(2003, 5, 22), "4761st meeting on 22 May 2003"),
    # Values the first research recalled that the later one found no basis for: left empty.
    ("GA 74/175", "adopted_on"): (None, "still unknown"),
    ("GA 74/175", "adoption_mode"): ("", "still unknown"),
    ("GA 69/196", "adoption_mode"): ("", "still unknown"),
    ("GA 68/186", "adoption_mode"): ("", "still unknown"),
    ("GA 66/180", "adoption_mode"): ("", "still unknown"),
}
# Values the first research marked recalled that the later research read in a source (or that the
# UNODC page itself states): no longer among the record's unverified fields.
UPGRADED = {
    "SC 2347 (2017)": {"symbol", "title"},
    "SC 2322 (2016)": {"title"},
    "SC 2199 (2015)": {"title"},
    "GA 69/196": {"title", "adopted_on"},
    "GA 68/186": {"title", "session", "adopted_on", "year"},
    "GA 66/180": {"session", "adopted_on", "year", "title"},
    "COP 6/1": {"contained_in", "session"},
    "COP 5/7": {"contained_in", "contained_in_title", "session"},
}


def later_says(later, *words):
    """The later research mentions all these words somewhere in one of its entries."""
    text = yaml.safe_dump(later, allow_unicode=True, width=10_000)
    return all(word in text for word in words)


def field_value(label, field, default):
    if (label, field) in LATER:
        return LATER[label, field][0]
    return default


def as_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def expected_year(item):
    if item.get("date_adopted"):
        return as_date(item["date_adopted"]).year
    for text in (item["number"], item.get("contained_in") or ""):
        match = re.search(r"(19|20)\d\d", text)
        if match:
            return int(match.group())
    raise AssertionError(f"No year for {item['number']}")


def documents(facts):
    return [item for item in facts["resolutions"] if item.get("number")]


def sources_kept(record, urls):
    """Every source the research gave is on the record, unless its host is barred (quiz pages,
    machine-translated mirrors), it is a bare text dump (a ".txt" file: public pages carry no
    file names of that kind, and each such source had a fuller one beside it), or the audit found
    that it shows nothing about this record (AUDIT_DROPPED_SOURCES)."""
    kept = {source.url for source in record.source_list}
    dropped = AUDIT_DROPPED_SOURCES.get((type(record), record.natural_key()), set())
    for url in urls:
        host = Source("copy", url).host
        barred = any(host == b or host.endswith("." + b) for b in BARRED_HOSTS)
        if barred or ".txt" in url or url in dropped:
            assert url not in record.sources, (record, url)
        else:
            assert url in kept, (record, url)


def check_confidence_later(record, confidence, field_map):
    """Recalled values are listed in unverified_fields (or left empty); values read in a source
    are not; values the later research read (UPGRADED) are no longer listed; values the audit
    found resting on a refused or secondary source only (AUDIT_FLAGGED) are listed."""
    upgraded = UPGRADED.get(str(record), set())
    flagged = AUDIT_FLAGGED.get(record.natural_key(), set())
    for field in flagged:
        assert field in record.unverified_fields, f"{record}: the audit marks {field}"
    for key, level in confidence.items():
        field = field_map[key]
        if field is None or field in upgraded or field in flagged:
            continue
        if level == "recalled" and getattr(record, field) not in ("", None):
            assert field in record.unverified_fields, f"{record}: {field} is recalled"
        elif level != "recalled" and field not in SHARED_FIELDS:
            assert field not in record.unverified_fields, f"{record}: {field} was read"


@pytest.mark.django_db
def test_resolutions_match_the_facts(facts, later):
    assert len(documents(facts)) == 13
    for item in documents(facts):
        code = BODY_CODES[item["body"]]
        r = Resolution.objects.get(body__code=code, number=item["number"])
        label = str(r)
        assert r.symbol == (item["symbol"] or ""), r
        assert r.adopted_on == field_value(label, "adopted_on", as_date(item["date_adopted"])), r
        assert r.title == field_value(label, "title", item["official_title"] or ""), r
        assert r.year == expected_year(item), r
        if item.get("contained_in"):
            assert r.contained_in == item["contained_in"].split()[0], r
        if item.get("press_release"):
            assert r.press_release == item["press_release"], r
        if item["summary"] is None:
            assert r.summary == "", r
        sources_kept(r, item["sources"])
        check_confidence_later(r, item.get("confidence", {}), RESOLUTION_FIELDS)
        assert r.verification == r.derived_verification(), r
        assert r.relevance == "unodc", r  # every document the UNODC page lists mandates UNODC
        for number in item["paragraphs_cited"]:
            assert r.paragraphs.get(number=number).cited_on_page, (r, number)


@pytest.mark.django_db
def test_later_research_is_applied(later):
    for (label, field), (value, words) in LATER.items():
        assert later_says(later, words), (label, field, words)
        if label in {"nicosia-convention"}:
            record = Instrument.objects.get(slug=label)
        else:
            code, number = label.split(" ", 1)
            record = Resolution.objects.get(body__code=code, number=number)
        assert getattr(record, field) == value, (label, field)
    for label, fields in UPGRADED.items():
        code, number = label.split(" ", 1)
        r = Resolution.objects.get(body__code=code, number=number)
        assert not set(r.unverified_fields) & fields, (label, r.unverified_fields)
        assert later_says(later, label.split(" (")[0]), label


@pytest.mark.django_db
def test_corrections_of_the_later_research(later):
    items = {item["record"]: item for item in later["wrong_or_invented"]["items"]}
    nicosia = Instrument.objects.get(slug="nicosia-convention")
    assert "adopted_on: 2017-05-03" in items["instruments.instrument nicosia-convention"]["fix"]
    assert nicosia.adopted_on == dt.date(2017, 5, 3)
    assert "19 May 2017" in nicosia.opened_for_signature  # kept, as the opening for signature
    assert nicosia.adopted_by == "Committee of Ministers of the Council of Europe"

    para = Paragraph.objects.get(resolution__number="2322 (2016)", number=12)
    assert "member-states" in items["mandates.paragraph SC 2322 (2016) para 12"]["fix"]
    assert [a.slug for a in para.addressees.all()] == ["member-states"]
    assert [a.slug for a in para.assisted_by.all()] == ["unodc"]
    assert {p.slug for p in para.partners.all()} == {"unesco", "interpol"}

    link = ResolutionInstrument.objects.get(resolution__number="5/7", instrument__slug="untoc")
    assert link.relation == "refers-to"
    citation = ResolutionCitation.objects.get(citing__number="5/7", cited__number="2008/23")
    assert citation.relation == "refers-to"
    assert "expert group" in citation.note


@pytest.mark.django_db
def test_missing_documents_are_recorded(later):
    """The documents the later research found, with what the sources show and nothing more."""
    expected = {
        ("SC", "2253 (2015)"): dt.date(2015, 12, 17),
        ("SC", "2368 (2017)"): dt.date(2017, 7, 20),
        ("SC", "2462 (2019)"): dt.date(2019, 3, 28),
        ("GA", "58/17"): dt.date(2003, 12, 3),
        ("GA", "61/52"): dt.date(2006, 12, 4),
        ("GA", "64/78"): dt.date(2009, 12, 7),
        ("GA", "67/80"): dt.date(2012, 12, 12),
        ("GA", "70/76"): dt.date(2015, 12, 9),
        ("GA", "79/133"): dt.date(2024, 12, 6),
        ("GA", "69/197"): dt.date(2014, 12, 18),
        ("GA", "56/8"): dt.date(2001, 11, 21),
        ("COP", "4/2"): None,
        ("ECOSOC", "2009/246"): None,
    }
    text = yaml.safe_dump(later["missing_documents"], allow_unicode=True, width=10_000)
    for (code, number), adopted in expected.items():
        r = Resolution.objects.get(body__code=code, number=number)
        assert number.split(" ")[0].split("/")[-1] in text, number
        assert r.adopted_on == adopted, r
        assert r.relevance == "related", r
    assert Resolution.objects.get(body__code="COP", number="4/2").kind == "decision"
    assert Resolution.objects.get(body__code="ECOSOC", number="2009/246").kind == "decision"
    # Documents whose number no source shows: kept without one, never guessed.
    unnumbered = Resolution.objects.filter(number="").order_by("year")
    assert [(r.body.code, r.year, r.title) for r in unnumbered] == [
        ("GA", 2015, "Saving the cultural heritage of Iraq"),
        ("GA", 2018, "Return or restitution of cultural property to the countries of origin"),
        ("GA", 2021, "Return or restitution of cultural property to the countries of origin"),
        ("COP", 2022, ""),
    ]
    assert all(r.symbol == "" for r in unnumbered)
    assert unnumbered[1].citation == "General Assembly resolution of 13 December 2018"
    # Every record says whether it mandates UNODC, and each kind has members.
    assert set(Resolution.objects.values_list("relevance", flat=True)) == {"unodc", "related"}


@pytest.mark.django_db
def test_paragraphs_the_research_shows():
    def para(code, number, paragraph):
        return Paragraph.objects.get(
            resolution__body__code=code, resolution__number=number, number=paragraph
        )

    assert para("SC", "1483 (2003)", 7).summary
    assert para("SC", "2347 (2017)", 8).summary and para("SC", "2347 (2017)", 22).summary
    salvador = para("GA", "65/230", 12)
    assert salvador.in_annex and "annex, para. 12" in salvador.citation
    for code, number in [
        ("GA", "68/186"),
        ("GA", "66/180"),
        ("ECOSOC", "2010/19"),
        ("ECOSOC", "2008/23"),
    ]:
        unnumbered = para(code, number, None)
        assert unnumbered.summary, number
        assert "paragraph number not established" in unnumbered.citation
    # Still unknown after both passes: kept empty, never guessed.
    assert para("GA", "74/175", 21).summary == ""
    assert para("COP", "6/1", 14).summary == ""
    assert para("GA", "74/175", 21).verification == "unverified"
    r = Resolution.objects.get(body__code="CCPCJ", number="27/5")
    assert (r.title, r.adopted_on) == ("", None)


@pytest.mark.django_db
def test_page_entries_match_the_facts(facts):
    entries = {e.position: e for e in PageEntry.objects.select_related("resolution__body")}
    assert sorted(entries) == [item["page_order"] for item in facts["resolutions"]]
    for item in facts["resolutions"]:
        entry = entries[item["page_order"]]
        assert entry.title == item["page_title"]
        assert entry.reference == (item["page_reference"] or "")
        expected = AUDIT_MAPPING.get(item["page_order"], item["mapping_confidence"])
        assert entry.mapping_confidence == expected, entry
        if item.get("number"):
            assert (entry.resolution.body.code, entry.resolution.number) == (
                BODY_CODES[item["body"]],
                item["number"],
            )
        else:
            assert entry.resolution is None


@pytest.mark.django_db
def test_instruments_match_the_facts(facts):
    checked = []
    for item in facts["instruments"]:
        slug = INSTRUMENT_SLUGS[item["id"]]
        i = Instrument.objects.get(slug=slug)
        checked.append(slug)
        assert i.title == item["name"]
        assert i.adopted_on == field_value(slug, "adopted_on", as_date(item.get("adoption_date")))
        assert i.entry_into_force == as_date(item.get("entry_into_force")), slug
        parties = item.get("parties")
        if parties:
            assert i.parties_count == parties["count"], slug
            assert i.parties_as_of == str(parties["as_of"]), slug
            if parties.get("newer_undated_figure"):
                assert str(parties["newer_undated_figure"]) in i.parties_note
        else:
            assert i.parties_count is None, slug
        for field in ("depositary", "treaty_series", "document_symbol", "signatories"):
            if item.get(field):
                assert getattr(i, field) == item[field], (slug, field)
        sources_kept(i, item.get("sources", []))
        check_confidence_later(i, item.get("confidence", {}), INSTRUMENT_FIELDS)
        assert i.verification == i.derived_verification(), slug

        protocols = item.get("protocols", [])
        slugs = PROTOCOL_SLUGS if protocols else []
        for protocol_slug, protocol in zip(slugs, protocols, strict=True):
            p = Instrument.objects.get(slug=protocol_slug)
            checked.append(protocol_slug)
            assert p.title == protocol["name"]
            assert p.parent == i
            assert p.adopted_on == as_date(protocol["adoption_date"])
            assert p.entry_into_force == as_date(protocol["entry_into_force"])
            check_confidence_later(p, protocol["confidence"], INSTRUMENT_FIELDS)
    assert sorted(checked) == sorted(Instrument.objects.values_list("slug", flat=True))


@pytest.mark.django_db
def test_partners_match_the_facts(facts):
    for item in facts["partners"]:
        p = Partner.objects.get(slug=item["acronym"].lower())
        assert p.acronym == item["acronym"]
        assert p.full_name == item["full_name"]
        assert p.headquarters_city == item["headquarters_city"]
        assert p.headquarters_country == item["headquarters_country"]
        assert p.headquarters_address == item.get("headquarters_address", "")
        assert p.founded == item["founded"]
        assert p.website == item.get("website", "")
        sources_kept(p, item["sources"])
        assert p.tools.count() == len(item["main_cultural_property_tools"])
        check_confidence_later(p, item["confidence"], PARTNER_FIELDS)
    assert Partner.objects.count() == len(facts["partners"])


@pytest.mark.django_db
def test_expert_group_matches_the_facts(facts):
    item = facts["expert_group"]
    group = ExpertGroup.objects.get()
    assert group.name == item["name"]
    assert group.convened_by == item["convened_by"]
    assert group.reports_to.name == item["reports_to"]
    sources_kept(group, item["sources"])
    meetings = {m.number: m for m in group.meetings.all()}
    assert sorted(meetings) == [m["number"] for m in item["meetings"]]
    for fact in item["meetings"]:
        meeting = meetings[fact["number"]]
        first, last, month, year = re.fullmatch(
            r"(\d{1,2})-(\d{1,2}) (\w+) (\d{4})", fact["dates"]
        ).groups()
        assert (
            meeting.starts_on == dt.datetime.strptime(f"{first} {month} {year}", "%d %B %Y").date()
        )
        assert meeting.ends_on == dt.datetime.strptime(f"{last} {month} {year}", "%d %B %Y").date()
        assert meeting.place == fact["place"]
        assert meeting.report_symbol in fact["report"]
        if fact["number"] in AUDIT_MANDATES:
            mandates = {r.natural_key() for r in meeting.mandated_by.all()}
            assert mandates == AUDIT_MANDATES[fact["number"]], meeting
            continue
        numbers = set(re.findall(r"\d{2,4}/\d{1,3}", fact["mandate"]))
        assert set(meeting.mandated_by.values_list("number", flat=True)) == numbers


@pytest.mark.django_db
def test_open_questions_match_the_facts(facts):
    """Each open question of the research is on /about/, with those the audit adds."""
    questions = {q.slug: q for q in OpenQuestion.objects.all()}
    expected = {item["id"] for item in facts["open_questions"]} | AUDIT_QUESTIONS
    assert sorted(questions) == sorted(expected)
    assert questions["sc-2199-para-17"].resolved
    assert not questions["ga-74-175-para-21"].resolved
