"""The loaded records against the researched facts (shared/reference/mandates-facts.yaml).

Compared fact by fact, so that a fixture edit that drifts from the reference, or a value the
reference marks as recalled but a record presents as read, fails here.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from instruments.models import Instrument
from mandates.models import ExpertGroup, OpenQuestion, PageEntry, Resolution
from partners.models import Partner

FACTS = Path(__file__).resolve().parents[2] / "shared/reference/mandates-facts.yaml"

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


@pytest.fixture(scope="module")
def facts():
    if not FACTS.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The reference facts are missing: {FACTS}")
        pytest.skip(f"No reference facts at {FACTS}")
    return yaml.safe_load(FACTS.read_text(encoding="utf-8"))


def as_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def source_lines(record):
    return [line.strip() for line in record.sources.splitlines() if line.strip()]


def check_confidence(record, confidence, field_map):
    """Recalled values are listed in unverified_fields; values read in a source are not."""
    for key, level in confidence.items():
        assert key in field_map, f"{record}: no field known for the YAML key {key!r}"
        field = field_map[key]
        if field is None:
            continue
        if level == "recalled":
            assert field in record.unverified_fields, f"{record}: {field} is recalled"
        elif field not in SHARED_FIELDS:
            assert field not in record.unverified_fields, f"{record}: {field} was read"


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


@pytest.mark.django_db
def test_resolutions_match_the_facts(facts):
    assert len(documents(facts)) == 13
    for item in documents(facts):
        code = BODY_CODES[item["body"]]
        r = Resolution.objects.get(body__code=code, number=item["number"])
        conf = item.get("confidence", {})
        assert r.symbol == (item["symbol"] or ""), r
        assert r.adopted_on == as_date(item["date_adopted"]), r
        assert r.title == (item["official_title"] or ""), r
        assert r.year == expected_year(item), r
        if item.get("contained_in"):
            assert r.contained_in == item["contained_in"].split()[0], r
        if item.get("press_release"):
            assert r.press_release == item["press_release"], r
        if item["summary"] is None:
            assert r.summary == "", r
        assert source_lines(r) == item["sources"], r
        check_confidence(r, conf, RESOLUTION_FIELDS)

        identified = (
            conf.get("symbol") == "confirmed"
            if item["symbol"]
            else conf.get("contained_in") == "confirmed"
        )
        dated = item["date_adopted"] is not None and conf.get("date_adopted") == "confirmed"
        read = conf.get("number", "confirmed") == "confirmed"
        expected = "confirmed" if identified and dated and read else "unverified"
        assert r.verification == expected, r

        for number in item["paragraphs_cited"]:
            assert r.paragraphs.get(number=number).cited_on_page, (r, number)


@pytest.mark.django_db
def test_page_entries_match_the_facts(facts):
    entries = {e.position: e for e in PageEntry.objects.select_related("resolution__body")}
    assert sorted(entries) == [item["page_order"] for item in facts["resolutions"]]
    for item in facts["resolutions"]:
        entry = entries[item["page_order"]]
        assert entry.title == item["page_title"]
        assert entry.reference == (item["page_reference"] or "")
        assert entry.mapping_confidence == item["mapping_confidence"]
        if item.get("number"):
            assert entry.resolution.natural_key() == (BODY_CODES[item["body"]], item["number"])
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
        assert i.adopted_on == as_date(item.get("adoption_date")), slug
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
        assert source_lines(i) == item.get("sources", []), slug
        check_confidence(i, item.get("confidence", {}), INSTRUMENT_FIELDS)
        dated = item.get("adoption_date") and item["confidence"].get("adoption_date") == (
            "confirmed"
        )
        assert i.verification == ("confirmed" if dated else "unverified"), slug

        protocols = item.get("protocols", [])
        slugs = PROTOCOL_SLUGS if protocols else []
        for protocol_slug, protocol in zip(slugs, protocols, strict=True):
            p = Instrument.objects.get(slug=protocol_slug)
            checked.append(protocol_slug)
            assert p.title == protocol["name"]
            assert p.parent == i
            assert p.adopted_on == as_date(protocol["adoption_date"])
            assert p.entry_into_force == as_date(protocol["entry_into_force"])
            check_confidence(p, protocol["confidence"], INSTRUMENT_FIELDS)
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
        assert source_lines(p) == item["sources"]
        assert p.tools.count() == len(item["main_cultural_property_tools"])
        check_confidence(p, item["confidence"], PARTNER_FIELDS)
    assert Partner.objects.count() == len(facts["partners"])


@pytest.mark.django_db
def test_expert_group_matches_the_facts(facts):
    item = facts["expert_group"]
    group = ExpertGroup.objects.get()
    assert group.name == item["name"]
    assert group.convened_by == item["convened_by"]
    assert group.reports_to.name == item["reports_to"]
    assert source_lines(group) == item["sources"]
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
        numbers = set(re.findall(r"\d{2,4}/\d{1,3}", fact["mandate"]))
        assert set(meeting.mandated_by.values_list("number", flat=True)) == numbers


@pytest.mark.django_db
def test_open_questions_match_the_facts(facts):
    questions = {q.slug: q for q in OpenQuestion.objects.all()}
    assert sorted(questions) == sorted(item["id"] for item in facts["open_questions"])
    for item in facts["open_questions"]:
        q = questions[item["id"]]
        assert q.question == item["question"]
        assert q.status == item["status"]
        assert q.resolved == item["status"].startswith("Confirmed")
