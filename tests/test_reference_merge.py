"""Loading the reference data again never overwrites the staff's work (issue 21, item 1).

The way it fails in life: the reference data is loaded, staff edit records in the admin (a
published record's field, a paragraph inline, a record set back to draft) or delete one, and
`make run` or a release loads the reference data again, sometimes a newer version of it.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import PendingChange
from mandates.models import LoadedRecord, Paragraph, Resolution, ResolutionCitation
from mandates.natural_keys import NATURAL_KEY_FIELDS, Keys, digest, key_paths, linked_fields
from pagecache import version
from partners.models import PartnerTool
from tests.test_admin import admin_url, form_data
from tests.test_backup import backup, empty_the_record_tables
from tests.test_fixtures import FIXTURE_DIR, FIXTURES, app_models, snapshot, write_fixture_dir
from tests.test_pending_changes import staff as staff_of_role  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

STAFF_SUMMARY = "An editor's summary of GA 67/80, checked against the text."
STAFF_PARAGRAPH = "An editor's reading of paragraph 17."
NEW_TITLE = "A title the later research established"


def fixture_count(*names):
    """How many records the fixture files hold (these files, or all of them)."""
    return sum(
        len(json.loads((FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8")))
        for name in names or FIXTURES
    )


def load(**options):
    out = StringIO()
    call_command("load_reference_data", stdout=out, verbosity=1, **options)
    return out.getvalue()


def resolution(body, slug):
    return Resolution.objects.get(body__code=body, slug=slug)


def admin_edit(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def inline_prefix(client, parent, child):
    """The prefix of `child`'s form among the inlines of `parent`'s change form."""
    data = form_data(client.get(admin_url(type(parent), "change", parent.pk)))
    (name,) = [k for k, v in data.items() if k.endswith("-id") and v == str(child.pk)]
    return name.removesuffix("-id")


def edit_records(changes):
    """A fixture-file change: changes[(body, slug)] = {field: value} for resolutions."""

    def edit(records):
        for record in records:
            key = (record["fields"]["body"][0], record["fields"]["slug"])
            record["fields"].update(changes.get(key, {}))
        return records

    return edit


@pytest.fixture
def staff_work(admin_client):
    """What an editor and a publisher did since the last load, through the admin."""
    ga_67 = resolution("GA", "67-80")
    admin_edit(admin_client, ga_67, summary=STAFF_SUMMARY)
    sc_2199 = resolution("SC", "2199-2015")
    para_17 = sc_2199.paragraphs.get(number=17)
    prefix = inline_prefix(admin_client, sc_2199, para_17)
    admin_edit(admin_client, sc_2199, **{f"{prefix}-summary": STAFF_PARAGRAPH})
    ga_64 = resolution("GA", "64-78")
    admin_edit(admin_client, ga_64, status="draft")
    return {"ga_67": ga_67, "para_17": para_17, "ga_64": ga_64}


def assert_staff_work_kept(staff_work):
    ga_67 = Resolution.objects.get(pk=staff_work["ga_67"].pk)
    assert ga_67.summary == STAFF_SUMMARY and not ga_67.is_draft
    assert Paragraph.objects.get(pk=staff_work["para_17"].pk).summary == STAFF_PARAGRAPH
    assert Resolution.objects.get(pk=staff_work["ga_64"].pk).is_draft  # not published


def test_a_second_load_keeps_every_staff_edit_and_publishes_no_draft(staff_work):
    before = version.current()
    out = load()
    assert_staff_work_kept(staff_work)
    assert version.current() == before  # nothing written: pages stay cached
    assert (
        'GA 67/80 (mandates.resolution ["GA", "67-80"]): changed by staff; '
        "the staff's version is kept" in out
    )
    assert 'mandates.paragraph ["SC", "2199-2015", 17]' in out
    assert 'GA 64/78 (mandates.resolution ["GA", "64-78"]): changed by staff' in out
    assert "3 kept as staff changed them, 0 conflicts" in out
    assert "0 created, 0 updated" in out


def test_a_newer_reference_data_updates_only_what_staff_left_alone(staff_work, tmp_path):
    fixtures = write_fixture_dir(
        tmp_path / "fixtures",
        {
            "resolutions": edit_records(
                {
                    ("GA", "67-80"): {"summary": "The reference data's new summary."},
                    ("GA", "64-78"): {"title": NEW_TITLE},
                    ("SC", "2253-2015"): {"title": NEW_TITLE},
                }
            )
        },
    )
    versions = Resolution.history.count()
    out = load(fixture_dir=fixtures)

    assert_staff_work_kept(staff_work)
    assert resolution("GA", "64-78").title != NEW_TITLE  # the staff's draft is theirs
    untouched = resolution("SC", "2253-2015")
    assert untouched.title == NEW_TITLE  # staff never touched it: updated
    assert untouched.history.first().history_change_reason == "Loaded from the reference data"
    assert Resolution.history.count() == versions + 1
    conflict = (
        'GA 67/80 (mandates.resolution ["GA", "67-80"]): changed by staff and in the '
        "reference data; the staff's version is kept"
    )
    assert conflict in out
    assert 'GA 64/78 (mandates.resolution ["GA", "64-78"]): changed by staff and in' in out
    assert "1 updated" in out and "2 conflicts" in out and "1 kept as staff" in out

    # Again, with nothing new: the conflicts are still named, and nothing is written.
    before = version.current()
    again = load(fixture_dir=fixtures)
    assert conflict in again and "0 updated" in again
    assert version.current() == before
    assert_staff_work_kept(staff_work)


def test_a_record_new_in_the_reference_data_is_added(tmp_path):
    def add_tool(records):
        tool = {**records[0]["fields"], "slug": "a-new-tool", "name": "A new tool", "position": 99}
        return [*records, {"model": "partners.partnertool", "fields": tool}]

    out = load(fixture_dir=write_fixture_dir(tmp_path / "fixtures", {"partner_tools": add_tool}))
    assert "1 created, 0 updated" in out
    tool = PartnerTool.objects.get(slug="a-new-tool")
    assert tool.history.get().history_change_reason == "Loaded from the reference data"
    assert LoadedRecord.objects.filter(model="partners.partnertool", key__contains="a-new-tool")


def test_a_record_staff_deleted_is_not_brought_back(admin_client):
    sc_1483 = resolution("SC", "1483-2003")
    paragraphs = sc_1483.paragraphs.count()
    assert paragraphs and ResolutionCitation.objects.filter(cited=sc_1483).exists()
    response = admin_client.post(admin_url(Resolution, "delete", sc_1483.pk), {"post": "yes"})
    assert response.status_code == 302

    out = load()
    assert not Resolution.objects.filter(body__code="SC", slug="1483-2003").exists()
    assert 'mandates.resolution ["SC", "1483-2003"]: deleted by staff; not restored' in out
    assert 'mandates.paragraph ["SC", "1483-2003", ' in out  # its paragraphs went with it
    assert not Paragraph.objects.filter(resolution__slug="1483-2003").exists()
    assert "0 created" in out


def test_records_that_name_a_deleted_one_are_left_as_staff_left_them(admin_client, tmp_path):
    """The reference data names a record staff deleted: a record here that would link to it
    is kept as it is, and a new one that hangs off it is not created; both are named."""
    sc_1483 = resolution("SC", "1483-2003")
    admin_client.post(admin_url(Resolution, "delete", sc_1483.pk), {"post": "yes"})

    def name_it(records):
        records[0]["fields"]["resolutions"].append(["SC", "1483-2003"])
        return records

    def add_paragraph(records):
        paragraph = {**records[0]["fields"], "resolution": ["SC", "1483-2003"], "position": 99}
        return [*records, {"model": "mandates.paragraph", "fields": paragraph}]

    fixtures = write_fixture_dir(
        tmp_path / "fixtures", {"open_questions": name_it, "paragraphs": add_paragraph}
    )
    question = json.loads((fixtures / "open_questions.json").read_text())[0]["fields"]["slug"]
    out = load(fixture_dir=fixtures)
    gone = 'refers to mandates.resolution ["SC", "1483-2003"], which staff deleted'
    assert f'(mandates.openquestion ["{question}"]): the reference data {gone}' in out
    assert f'mandates.paragraph ["SC", "1483-2003", 99]: {gone}; not created' in out
    assert not Paragraph.objects.filter(position=99).exists()
    assert "0 created, 0 updated" in out


def test_dry_run_changes_nothing_and_says_so(staff_work, tmp_path):
    fixtures = write_fixture_dir(
        tmp_path / "fixtures",
        {"resolutions": edit_records({("SC", "2253-2015"): {"title": NEW_TITLE}})},
    )
    before, loaded = snapshot(), list(LoadedRecord.objects.values_list("key", "digest"))
    data_version, versions = version.current(), Resolution.history.count()

    out = load(fixture_dir=fixtures, dry_run=True)
    assert out.splitlines()[-1].startswith("Dry run, rolled back: nothing was written.")
    assert "1 updated" in out and "GA 67/80" in out  # what a load would do
    assert snapshot() == before
    assert list(LoadedRecord.objects.values_list("key", "digest")) == loaded
    assert version.current() == data_version
    assert Resolution.history.count() == versions
    assert resolution("SC", "2253-2015").title != NEW_TITLE


def test_a_load_of_an_unchanged_database_writes_nothing():
    before = version.current()
    with CaptureQueriesContext(connection) as queries:
        out = load()
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert version.current() == before
    assert f"0 created, 0 updated, {fixture_count()} unchanged, 0 kept" in out


def test_an_untouched_admin_save_is_not_a_staff_edit(admin_client):
    """Saving a form without changing it (the browser sends \\r\\n, the admin saves anyway)
    leaves the record's digest as the load wrote it."""
    for record in Resolution.objects.filter(paragraphs__isnull=False).distinct()[:4]:
        admin_edit(admin_client, record)
    out = load()
    assert "0 kept as staff changed them, 0 conflicts" in out


def test_after_a_restore_the_load_still_knows_the_staff_work(admin_client, tmp_path):
    """The backup holds what the load last wrote (LoadedRecord, by natural key), so a load
    after restore_records into a fresh database keeps the staff's edits and deletions."""
    admin_edit(admin_client, resolution("GA", "67-80"), summary=STAFF_SUMMARY)
    sc_1483 = resolution("SC", "1483-2003")
    admin_client.post(admin_url(Resolution, "delete", sc_1483.pk), {"post": "yes"})
    records = backup(tmp_path / "backup.json")
    assert any(r["model"] == "mandates.loadedrecord" for r in records)

    empty_the_record_tables()
    call_command("restore_records", str(tmp_path / "backup.json"), verbosity=0)
    out = load()
    assert resolution("GA", "67-80").summary == STAFF_SUMMARY
    assert not Resolution.objects.filter(slug="1483-2003").exists()
    assert 'mandates.resolution ["SC", "1483-2003"]: deleted by staff; not restored' in out


def test_what_the_load_remembers_is_not_shown_on_pages():
    """Writing a LoadedRecord does not retire the cached pages (it is bookkeeping)."""
    before = version.current()
    LoadedRecord.objects.create(model="x.y", key="[]", digest="", loaded_at=timezone.now())
    assert version.current() == before


# --- the upgrade from a database loaded before the load kept track -------------------------


def test_upgrade_reads_the_history(admin_client, tmp_path):
    """No LoadedRecord yet: a record whose latest version is the load's is the load's; one
    staff changed since is the staff's; one the history shows deleted stays deleted."""
    admin_edit(admin_client, resolution("GA", "67-80"), summary=STAFF_SUMMARY)
    sc_1483 = resolution("SC", "1483-2003")
    admin_client.post(admin_url(Resolution, "delete", sc_1483.pk), {"post": "yes"})
    LoadedRecord.objects.all().delete()
    fixtures = write_fixture_dir(
        tmp_path / "fixtures",
        {
            "resolutions": edit_records(
                {("GA", "67-80"): {"title": NEW_TITLE}, ("SC", "2253-2015"): {"title": NEW_TITLE}}
            )
        },
    )

    out = load(fixture_dir=fixtures)
    assert resolution("GA", "67-80").summary == STAFF_SUMMARY
    assert resolution("GA", "67-80").title != NEW_TITLE
    assert resolution("SC", "2253-2015").title == NEW_TITLE
    assert not Resolution.objects.filter(slug="1483-2003").exists()
    assert 'GA 67/80 (mandates.resolution ["GA", "67-80"]): changed by staff' in out
    assert 'mandates.resolution ["SC", "1483-2003"]: deleted by staff; not restored' in out
    assert LoadedRecord.objects.filter(model="mandates.resolution").count() == fixture_count(
        "resolutions"
    )

    # From then on the load knows: the staff's record stays theirs, the deleted one deleted.
    again = load(fixture_dir=fixtures)
    assert 'mandates.resolution ["SC", "1483-2003"]: deleted by staff' in again
    assert "GA 67/80" in again and resolution("GA", "67-80").summary == STAFF_SUMMARY


# --- the digest --------------------------------------------------------------------------------


def test_every_row_digests_as_it_was_loaded():
    """The digest of each live row is the one the load recorded for its fixture record."""
    keys = Keys("default")
    loaded = {(r.model, r.key): r.digest for r in LoadedRecord.objects.all()}
    assert len(loaded) == fixture_count()
    for model in app_models():
        label = model._meta.label_lower
        if label not in NATURAL_KEY_FIELDS:
            continue
        for row in model._base_manager.all():
            links = {
                field.name: list(getattr(row, field.name).values_list("pk", flat=True))
                for field in linked_fields(model)
            }
            key = json.dumps(list(row.natural_key()), ensure_ascii=False)
            assert digest(row, links, keys) == loaded[(label, key)], (label, key)


def test_a_draft_does_not_digest_as_the_published_record():
    keys = Keys("default")
    row = resolution("GA", "64-78")
    links = {"partners": list(row.partners.values_list("pk", flat=True))}
    published = digest(row, links, keys)
    row.status = "draft"
    assert digest(row, links, keys) != published


@pytest.mark.parametrize("label", sorted(NATURAL_KEY_FIELDS))
def test_key_paths_spell_the_natural_key(label):
    from django.apps import apps

    model = apps.get_model(label)
    rows = model._base_manager.order_by("pk")
    assert rows.exists()
    for row, key in zip(rows, rows.values_list(*key_paths(model)), strict=True):
        assert list(key) == list(row.natural_key())


def test_a_change_waiting_for_review_is_staff_work_the_load_leaves_alone(
    tmp_path,
    staff_of_role,  # noqa: F811 - the fixture imported above
):
    """An editor's change to a published record waits for review (the record's rows unchanged);
    a newer reference data changing the same record does not overwrite it meanwhile, and a
    paragraph of that record counts with it."""
    editor = staff_of_role("alice", "Editors")
    ga_70 = resolution("GA", "70-76")
    admin_edit(editor, ga_70, summary="An editor's summary, waiting for review.")
    assert PendingChange.objects.for_record(ga_70).exists()
    fixtures = write_fixture_dir(
        tmp_path / "fixtures",
        {
            "resolutions": edit_records(
                {("GA", "70-76"): {"summary": "The reference data's new summary."}}
            )
        },
    )
    out = load(fixture_dir=fixtures)
    assert resolution("GA", "70-76").summary == ga_70.summary  # the published text, untouched
    assert PendingChange.objects.for_record(ga_70).get().data  # the waiting change, kept
    assert 'GA 70/76 (mandates.resolution ["GA", "70-76"])' in out
