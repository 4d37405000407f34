"""The reference data: fixture files, the loader command, and the facts that must survive a load."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Instrument
from mandates.management.commands.backup_records import record_models
from mandates.management.commands.load_reference_data import FIXTURES
from mandates.models import (
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from partners.models import Partner, PartnerTool

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
APP_LABELS = ("mandates", "instruments", "partners")


def app_models():
    """The record models (their change histories are audit rows, not reference data)."""
    return record_models()


def counts():
    return {m._meta.label: m.objects.count() for m in app_models()}


def snapshot():
    """Every row of every model with its links, by natural key: comparable whatever the pks."""
    data = {}
    for model in app_models():
        m2m = {f.name for f in model._meta.many_to_many}
        rows = []
        for row in serializers.serialize(
            "python",
            model.objects.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        ):
            fields = {
                name: sorted(json.dumps(v, default=str) for v in value) if name in m2m else value
                for name, value in row["fields"].items()
            }
            rows.append(json.dumps(fields, sort_keys=True, default=str))
        data[model._meta.label] = sorted(rows)
    return data


def pks():
    return {m._meta.label: sorted(m.objects.values_list("pk", flat=True)) for m in app_models()}


@pytest.fixture
def committed_reference_data(django_db_setup, django_db_blocker):
    """For tests that commit (request it before `transactional_db`).

    Loads the reference data before the test, in case an earlier transactional test emptied
    the tables, and again after Django has flushed them at the end of the test, so the tests
    that follow find the database as tests/conftest.py left it.
    """
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


def write_fixture_dir(target, changes):
    """Copy the fixtures into `target`, passing each file's records through changes[name]."""
    target.mkdir()
    for name in FIXTURES:
        records = json.loads((FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8"))
        if name in changes:
            records = changes[name](records)
        (target / f"{name}.json").write_text(json.dumps(records), encoding="utf-8")
    return target


# --- The files ---------------------------------------------------------------------------------


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_the_command_loads_every_fixture_file_and_only_those():
    assert {p.stem for p in FIXTURE_DIR.glob("*.json")} == set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_file_has_no_pk(name):
    records = json.loads((FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert records, f"{name}.json is empty"
    assert "pk" not in set(_keys(records))
    for record in records:
        assert set(record) == {"model", "fields"}
        if record["model"] == "mandates.resolution":
            # The URL segment: made from the number where there is one (Resolution.save()).
            fields = record["fields"]
            assert fields["slug"]
            if fields["number"]:
                assert fields["slug"] == Resolution.slug_for(fields["number"])


# --- The command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_twice_changes_nothing(capsys):
    before, before_pks = snapshot(), pks()
    call_command("load_reference_data", verbosity=1)
    call_command("load_reference_data", verbosity=0)
    assert snapshot() == before
    assert pks() == before_pks  # rows were updated in place, not deleted and added again
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "37 resolutions" in out

    assert Resolution.objects.count() == 37
    assert Body.objects.count() == 6
    assert PageEntry.objects.count() == 15
    assert Resolution.objects.get(body__code="SC", number="2199 (2015)").adopted_on == dt.date(
        2015, 2, 12
    )
    assert Instrument.objects.get(slug="untoc").parties_count == 190
    assert set(
        Resolution.objects.get(body__code="SC", number="2347 (2017)").partners.values_list(
            "slug", flat=True
        )
    ) == {"unesco", "interpol", "wco"}


@pytest.mark.django_db
def test_every_record_passes_model_validation():
    failures = []
    for model in app_models():
        assert model.objects.exists(), f"no {model._meta.label} loaded"
        for obj in model.objects.all():
            try:
                obj.full_clean()
            except Exception as exc:  # collect them all, report them together
                failures.append(f"{model._meta.label} {obj}: {exc}")
    assert not failures, "\n".join(failures)


def _add_body(records):
    return [
        *records,
        {
            "model": "mandates.body",
            "fields": {
                "code": "ZZ",
                "slug": "zz",
                "name": "Loaded before the bad record, must be rolled back",
                "kind": "congress",
                "number_format": ".+",
            },
        },
    ]


def _unknown_body(records):
    bad = {"model": "mandates.resolution", "fields": {"body": ["XX"], "number": "1/1"}}
    bad["fields"]["slug"] = "1-1"
    bad["fields"]["year"] = 2000
    return [*records[:3], bad, *records[3:]]


def _date_outside_year(records):
    for record in records:
        if record["fields"]["number"] == "2199 (2015)":
            record["fields"]["adopted_on"] = "2016-02-12"
    return records


@pytest.mark.parametrize(
    ("change", "record"),
    [
        (_unknown_body, 'record 4 (mandates.resolution ["XX", "1-1"])'),
        (_date_outside_year, '(mandates.resolution ["SC", "2199-2015"])'),
    ],
    ids=["unknown-body", "date-outside-its-year"],
)
def test_a_bad_record_names_itself_and_leaves_the_database_as_it_was(
    committed_reference_data, transactional_db, tmp_path, change, record
):
    fixture_dir = write_fixture_dir(
        tmp_path / "fixtures", {"bodies": _add_body, "resolutions": change}
    )
    before, before_counts = snapshot(), counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference_data", fixture_dir=fixture_dir, verbosity=0)

    message = str(excinfo.value)
    assert str(fixture_dir / "resolutions.json") in message
    assert record in message
    assert counts() == before_counts
    assert snapshot() == before
    assert not Body.objects.filter(code="ZZ").exists()  # loaded from an earlier file: undone


def test_a_fixture_with_a_pk_is_refused(tmp_path):
    def with_pk(records):
        records[0]["pk"] = 1
        return records

    fixture_dir = write_fixture_dir(tmp_path / "fixtures", {"partners": with_pk})
    with pytest.raises(CommandError, match=r'partners\.json, record 1 \(partners\.partner \["'):
        call_command("load_reference_data", fixture_dir=fixture_dir, verbosity=0)


def test_dumpdata_flush_loaddata_reproduces_every_record_and_link(
    committed_reference_data, transactional_db, tmp_path
):
    before = snapshot()
    dump = tmp_path / "dump.json"
    call_command(
        "dumpdata",
        *APP_LABELS,
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not Resolution.objects.exists()

    call_command("loaddata", str(dump), verbosity=0)
    after = snapshot()
    assert after == before
    assert sum(len(rows) for rows in after.values()) == sum(len(r) for r in before.values())


# --- Facts that must survive the load ----------------------------------------------------------


def res(body, number):
    return Resolution.objects.get(body__code=body, number=number)


@pytest.mark.django_db
def test_sc_2199_facts():
    r = res("SC", "2199 (2015)")
    assert r.adopted_on == dt.date(2015, 2, 12)
    assert r.year == 2015
    # Printed only on a machine-translated mirror, which is not cited: kept, and marked.
    assert r.meeting == "7379th meeting"
    assert r.symbol == "S/RES/2199 (2015)"
    assert sorted(r.unverified_fields) == ["meeting", "symbol"]
    assert r.slug == "2199-2015"
    assert r.adoption_mode == "unanimous"
    assert r.verification == "confirmed"  # its date: UNESCO's news item of that day
    assert not r.partners.exists()  # the request to UNESCO and INTERPOL was not seen

    para17 = r.paragraphs.get(number=17)
    assert para17.cited_on_page and para17.verb == "decides"
    # Its number is UNODC's; what it says was read in secondary sources only.
    assert para17.unverified_fields == ["summary"] and para17.verification == "unverified"
    assert list(para17.addressees.values_list("slug", flat=True)) == ["member-states"]
    assert list(para17.activities.values_list("slug", flat=True)) == ["trade-controls"]
    assert sorted(r.paragraphs.values_list("number", flat=True)) == [15, 16, 17]
    assert ResolutionCitation.objects.filter(
        citing=r, cited__number="1483 (2003)", relation="reaffirms"
    ).exists()


@pytest.mark.django_db
def test_untoc_facts():
    untoc = Instrument.objects.get(slug="untoc")
    assert untoc.adopted_on == dt.date(2000, 11, 15)
    assert untoc.entry_into_force == dt.date(2003, 9, 29)
    assert (untoc.parties_count, untoc.parties_as_of) == (190, "2022-10-24")
    assert "193" in untoc.parties_note  # the newer, undated figure is a note, not the value
    assert untoc.signatories == 147
    assert ResolutionInstrument.objects.filter(
        resolution=res("GA", "55/25"), instrument=untoc, relation="adopts"
    ).exists()


@pytest.mark.django_db
def test_partner_facts():
    icom = Partner.objects.get(slug="icom")
    assert (icom.headquarters_city, icom.headquarters_country, icom.founded) == (
        "Paris",
        "France",
        1946,
    )
    assert icom.headquarters_address == ""  # street address not confirmed
    assert set(Partner.objects.get(slug="unesco").instruments.values_list("slug", flat=True)) == {
        "unesco-1970",
        "hague-1954",
        "hague-1954-first-protocol",
        "hague-1954-second-protocol",
    }
    assert list(
        Partner.objects.get(slug="unidroit").instruments.values_list("slug", flat=True)
    ) == ["unidroit-1995"]
    assert list(
        PartnerTool.objects.filter(partner__slug="interpol").values_list("name", flat=True)
    ) == ["Stolen Works of Art Database", "ID-Art"]
    assert not PartnerTool.objects.exclude(url="").exists()


@pytest.mark.django_db
def test_page_entries():
    entries = list(PageEntry.objects.select_related("resolution__body"))
    assert [e.position for e in entries] == list(range(1, 16))
    for entry in entries:
        if entry.position in (3, 7):
            assert entry.resolution is None and entry.mapping_confidence == "unresolved"
        else:
            assert entry.resolution is not None and entry.mapping_confidence != "unresolved"
    assert entries[0].resolution.natural_key() == ("CCPCJ", "27-5")
    assert entries[0].mapping_confidence == "low"
    assert entries[11].mapping_confidence == "high"  # the report's Spanish contents list 5/7
    assert entries[2].title.endswith("cultural property.")


@pytest.mark.django_db
def test_unknown_values_are_empty():
    r = res("CCPCJ", "27/5")
    assert (r.title, r.adopted_on, r.symbol, r.summary) == ("", None, "", "")
    assert r.contained_in == "E/2018/30"
    assert r.verification == "unverified"

    para21 = res("GA", "74/175").paragraphs.get(number=21)
    assert para21.cited_on_page and para21.summary == "" and para21.verb == ""
    assert not para21.addressees.exists() and not para21.activities.exists()
    assert res("COP", "6/1").paragraphs.get(number=14).summary == ""

    # What the later research established is filled in; what it did not stays empty.
    assert res("ECOSOC", "2003/29").adopted_on == dt.date(2003, 7, 22)
    assert "symbol" in res("ECOSOC", "2003/29").unverified_fields
    assert res("SC", "1483 (2003)").title == ""
    assert res("ECOSOC", "2011/42").adopted_on is None
    ga74 = res("GA", "74/175")
    assert (ga74.adopted_on, ga74.adoption_mode) == (None, "")


@pytest.mark.django_db
def test_verification_follows_the_rule():
    """Confirmed only from an official source or a copy of the official document, with no key
    fact marked unverified; corroborated from secondary sources alone; otherwise unverified."""
    unverified = {r.natural_key() for r in Resolution.objects.filter(verification="unverified")}
    # GA 79/133: its number is printed only in a secondary source.
    assert unverified == {("CCPCJ", "27-5"), ("GA", "74-175"), ("COP", "5-7"), ("GA", "79-133")}
    corroborated = Resolution.objects.filter(verification="corroborated")
    assert {r.slug for r in corroborated} == {"2018-12-13", "2021-12-06"}
    for r in corroborated:
        assert {s.kind for s in r.source_list} == {"secondary"}
    sc2322 = res("SC", "2322 (2016)")
    assert sc2322.verification == "confirmed" and sc2322.unverified_fields == ["symbol"]
    for r in Resolution.objects.filter(verification="confirmed"):
        assert {s.kind for s in r.source_list} & {"official", "copy"}, r
        assert not {"number", "title", "adopted_on", "year"} & set(r.unverified_fields), r
    assert not Instrument.objects.exclude(verification="confirmed").exists()
    assert not Partner.objects.exclude(verification="confirmed").exists()
    for body in Body.objects.all():
        assert body.verification == "unverified" and body.sources == ""
        assert "no source is listed" in body.verification_note


@pytest.mark.django_db
def test_links():
    links = {
        (*li.resolution.natural_key(), li.instrument.slug, li.relation)
        for li in ResolutionInstrument.objects.select_related("resolution__body", "instrument")
    }
    assert ("GA", "69-196", "guidelines", "adopts") in links
    assert ("GA", "45-121", "model-treaty", "endorses") in links
    assert ("SC", "2322-2016", "untoc", "refers-to") in links
    assert ("COP", "5-7", "untoc", "refers-to") in links  # not "implements": no basis seen
    assert ("GA", "70-76", "unidroit-1995", "refers-to") in links
    assert len(links) == 24

    ga66 = res("GA", "66/180")
    assert set(ga66.citation_links.values_list("cited__number", "relation")) == {
        ("2003/29", "recalls"),
        ("2004/34", "recalls"),
        ("2008/23", "recalls"),
        ("2010/19", "recalls"),
        ("2010/19", "welcomes"),
        ("2011/42", "recommended-by"),
    }

    group = ExpertGroup.objects.get(slug="cultural-property-expert-group")
    assert group.reports_to.code == "CCPCJ"
    mandates = {
        m.number: sorted(m.mandated_by.values_list("number", flat=True))
        for m in ExpertGroupMeeting.objects.filter(group=group)
    }
    # GA 66/180 welcomed the Council's call for meeting 2; it did not mandate it.
    assert mandates == {1: ["2004/34", "2008/23"], 2: ["2010/19"], 3: ["68/186"]}

    assert set(OpenQuestion.objects.filter(resolved=True).values_list("slug", flat=True)) == {
        "sc-2199-para-17",
        "page-tail",
        "salvador-paragraph",
        "ccpcj-27-recommendations",
    }
    assert OpenQuestion.objects.count() == 23
    assert set(
        Paragraph.objects.filter(cited_on_page=True).values_list("resolution__number", "number")
    ) == {("2199 (2015)", 17), ("2322 (2016)", 12), ("74/175", 21), ("6/1", 14)}


@pytest.mark.django_db
def test_clean_error_on_a_field_left_out_of_a_form_is_a_form_error():
    """Sourced.clean() ties errors to fields; a form without them shows them form-wide."""
    from django import forms

    from instruments.models import Instrument

    class TitleOnly(forms.ModelForm):
        class Meta:
            model = Instrument
            fields = ["title"]

    instrument = Instrument.objects.get(slug="untoc")
    instrument.sources = "https://example.org/untoc"  # not an official site, and no kind given
    form = TitleOnly({"title": "United Nations Convention"}, instance=instrument)
    assert not form.is_valid()
    assert any("example.org is not an official site" in e for e in form.non_field_errors())


@pytest.mark.django_db
def test_a_resolution_the_old_page_maps_to_cannot_be_deleted():
    from django.db.models import ProtectedError

    from mandates.models import Resolution

    with pytest.raises(ProtectedError):
        Resolution.objects.get(body__code="GA", number="74/175").delete()
