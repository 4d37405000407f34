"""Published stays published while a change waits (issue 21, item 2).

An editor's change to a public record (its fields, its paragraphs, its links, inline or through
the child's own admin, or a restore from the history) waits for review as a PendingChange; the
public keeps seeing the published record everywhere until a publisher publishes the change,
and the history then says who proposed it and who published it. Written the way it happens:
staff sign in and post the admin's own forms (core/review_admin.py).
"""

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.models import PendingChange, Status
from instruments.models import Instrument
from mandates.models import (
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from pagecache import version
from partners.models import Partner
from tests.test_admin import admin_url, form_data

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")
publishers_role = importlib.import_module("mandates.migrations.0013_publishers")
review_roles = importlib.import_module("core.migrations.0002_review_roles")

pytestmark = pytest.mark.django_db

OLD_SUMMARY_WORD = "Zyxwq"  # in neither the reference data nor the change
NEW_SUMMARY = "Qwertz pending summary: the Council asks for a register of stolen objects."
NUMBER = "2347 (2017)"


@pytest.fixture
def staff(django_user_model):
    """sign_in(name, role): a client of its own for each member of staff."""
    staff_roles.create_roles(django_apps, None)
    publishers_role.create_publishers(django_apps, None)
    review_roles.grant(django_apps, None)

    def sign_in(name, role):
        user = django_user_model.objects.create_user(name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def alice(staff):
    return staff("alice", "Editors")


@pytest.fixture
def carol(staff):
    return staff("carol", "Editors")


@pytest.fixture
def bob(staff):
    return staff("bob", "Publishers")


@pytest.fixture
def sc_2347():
    return Resolution.objects.get(body__code="SC", number=NUMBER)


def change_url(record):
    return admin_url(type(record), "change", record.pk)


def review_url(pending):
    return admin_url(PendingChange, "change", pending.pk)


def post_form(client, url, follow=True, **changes):
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data, follow=follow)


def inline_prefix(data, relation, pk):
    """The prefix of the inline form of row `pk` in `relation` ("paragraphs-1")."""
    return next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.startswith(f"{relation}-") and key.endswith("-id") and value == str(pk)
    )


def public_page(resolution):
    return Client().get(resolution.get_absolute_url()).content.decode()


def everything_public_about(resolution):
    """What anonymous visitors read of it: its page, the list, a search, exports, the feed."""
    client = Client()
    pages = [
        client.get(resolution.get_absolute_url()),
        client.get(reverse("mandates:resolution-list"), {"body": "SC"}),
        client.get(reverse("mandates:resolution-list"), {"q": "register stolen"}),
        client.get(reverse("mandates:export", args=["json"]), {"body": "SC"}),
        client.get(reverse("mandates:export", args=["csv"]), {"body": "SC"}),
        client.get(reverse("mandates:feed"), {"body": "SC"}),
        client.get("/fr" + resolution.get_absolute_url()),
    ]
    return "".join(
        (b"".join(r.streaming_content) if r.streaming else r.content).decode() for r in pages
    )


# --- an editor's change waits; the public keeps the published version ----------------------------


def test_an_editors_change_waits_for_review_and_the_public_sees_the_published_record(
    alice, sc_2347
):
    old_summary, old_title = sc_2347.summary, sc_2347.title
    versions = sc_2347.history.count()
    published_at = version.published_at()
    before = everything_public_about(sc_2347)

    response = post_form(
        alice, change_url(sc_2347), summary=NEW_SUMMARY, change_reason="Summary checked"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"Your change to “SC {NUMBER}” waits for review; the public site shows the published "
        "version until a publisher publishes it." in page
    )
    sc_2347.refresh_from_db()
    assert (sc_2347.summary, sc_2347.title, sc_2347.status) == (
        old_summary,
        old_title,
        Status.PUBLISHED,
    )
    assert sc_2347.history.count() == versions  # nothing happened to the record yet
    pending = PendingChange.objects.get()
    assert pending.record == sc_2347 and pending.proposed_by == alice.user
    assert pending.reason == "Summary checked"
    assert pending.data["root"]["fields"]["summary"] == NEW_SUMMARY

    after = everything_public_about(sc_2347)
    assert "Qwertz" not in after and "register of stolen" not in after
    assert after == before  # page, list, search, exports, feed: all as they were
    assert sc_2347.get_absolute_url() in Client().get("/sitemap-resolutions.xml").content.decode()
    assert version.published_at() == published_at  # the footer's date did not move


def test_staff_see_on_the_public_page_that_a_change_waits(alice, bob, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY)
    pending = PendingChange.objects.get()
    for client in (alice, bob):
        page = client.get(sc_2347.get_absolute_url()).content.decode()
        assert "A change to this record waits for review (proposed by alice on" in page
        assert review_url(pending) in page
        assert NEW_SUMMARY not in page  # the page is the published one
    anonymous = public_page(sc_2347)
    assert "waits for review" not in anonymous and "/admin/" not in anonymous


def test_a_second_edit_builds_on_the_first_and_a_stale_form_meets_the_conflict_page(
    alice, carol, sc_2347
):
    url = change_url(sc_2347)
    carols_form = form_data(carol.get(url))  # opened before any change
    post_form(alice, url, summary=NEW_SUMMARY, change_reason="Summary checked")

    # Alice opens the form again: it shows her change, with a banner saying so.
    response = alice.get(url)
    assert response.context["adminform"].form["summary"].value() == NEW_SUMMARY
    assert "This form shows a change waiting for review, proposed by alice" in (
        response.content.decode()
    )

    # Second edit: a paragraph changed, one deleted, one added, a partner removed.
    data = form_data(response)
    first, second, third = sc_2347.paragraphs.order_by("position")
    data[inline_prefix(data, "paragraphs", first.pk) + "-summary"] = "Reworded first paragraph."
    data[inline_prefix(data, "paragraphs", second.pk) + "-DELETE"] = "on"
    new = int(data["paragraphs-TOTAL_FORMS"])
    data["paragraphs-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"paragraphs-{new}-number": "40",
            f"paragraphs-{new}-position": "40",
            f"paragraphs-{new}-summary": "A new paragraph the editor added.",
            f"paragraphs-{new}-verb": "urges",
        }
    )
    wco = Partner.objects.get(slug="wco")
    data["partners"] = [str(p.pk) for p in sc_2347.partners.exclude(pk=wco.pk)]
    data["change_reason"] = "Paragraphs from the text"
    assert alice.post(url, data).status_code == 302

    pending = PendingChange.objects.get()  # one change, holding both edits
    assert pending.data["root"]["fields"]["summary"] == NEW_SUMMARY
    assert wco.pk not in pending.data["root"]["fields"]["partners"]
    summaries = {p["fields"]["summary"] for p in pending.data["children"]["paragraphs"]}
    assert "Reworded first paragraph." in summaries
    assert "A new paragraph the editor added." in summaries
    assert second.summary not in summaries
    assert pending.reason == "Summary checked; Paragraphs from the text"
    # The public rows are untouched.
    assert sc_2347.paragraphs.count() == 3 and wco in sc_2347.partners.all()
    first.refresh_from_db()
    assert first.summary != "Reworded first paragraph."

    # Carol saves the form she opened before both edits: refused, with both versions shown.
    carols_form["summary"] = "Carol's summary."
    response = carol.post(url, carols_form)
    assert response.status_code == 200
    assert "alice saved this record after you opened it. Nothing of yours was saved." in (
        response.content.decode()
    )
    rows = {label: (theirs, mine) for label, theirs, mine, _ in response.context["conflict"]}
    assert rows["Summary"] == (NEW_SUMMARY, "Carol's summary.")
    pending.refresh_from_db()
    assert pending.data["root"]["fields"]["summary"] == NEW_SUMMARY  # nothing of hers saved


def propose_everything(alice, sc_2347):
    """Alice's two edits of the scenario above, through the form."""
    url = change_url(sc_2347)
    post_form(alice, url, summary=NEW_SUMMARY, change_reason="Summary checked")
    data = form_data(alice.get(url))
    first, second, _third = sc_2347.paragraphs.order_by("position")
    reworded = f"Amended. {first.summary}"
    data[inline_prefix(data, "paragraphs", first.pk) + "-summary"] = reworded
    data[inline_prefix(data, "paragraphs", second.pk) + "-DELETE"] = "on"
    new = int(data["paragraphs-TOTAL_FORMS"])
    data["paragraphs-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"paragraphs-{new}-number": "40",
            f"paragraphs-{new}-position": "40",
            f"paragraphs-{new}-summary": "A new paragraph the editor added.",
        }
    )
    data["partners"] = [str(p.pk) for p in sc_2347.partners.exclude(slug="wco")]
    assert alice.post(url, data).status_code == 302
    return PendingChange.objects.get(), first, second


def test_a_publisher_reviews_the_difference_and_publishes_it(alice, bob, sc_2347):
    pending, first, second = propose_everything(alice, sc_2347)
    old_summary = sc_2347.summary
    published_at = version.published_at()

    response = bob.get(review_url(pending))
    assert response.status_code == 200
    page = response.content.decode()
    diff = response.context["diff"]
    summary = next(change for change in diff.fields if change.label == "Summary")
    assert (summary.old, summary.new, summary.pieces) == (old_summary, NEW_SUMMARY, None)
    partners = next(change for change in diff.fields if change.label == "Partners")
    assert partners.removed == ["WCO"] and partners.added == []
    (heading, rows), *_ = diff.children
    assert heading == "Paragraphs"
    kinds = {(row.kind, row.label) for row in rows}
    assert ("changed", str(first)) in kinds and ("removed", str(second)) in kinds
    assert ("added", f"SC {NUMBER}, para. 40") in kinds
    (edited,) = [row for row in rows if row.kind == "changed"]
    (words,) = edited.fields
    assert words.label == "Summary" and ("added", "Amended. ") in words.pieces  # word by word
    assert "<ins>Amended. </ins>" in page and NEW_SUMMARY in page and 'name="publish"' in page
    assert "The public record changed after this change was proposed" not in page

    response = bob.post(
        admin_url(PendingChange, "publish", pending.pk), {"version": pending.version}, follow=True
    )
    assert f"Published: “SC {NUMBER}” as proposed by alice is on the public site." in (
        response.content.decode()
    )
    assert not PendingChange.objects.exists()

    sc_2347.refresh_from_db()
    assert sc_2347.summary == NEW_SUMMARY and sc_2347.status == Status.PUBLISHED
    assert not sc_2347.partners.filter(slug="wco").exists()
    summaries = set(sc_2347.paragraphs.values_list("summary", flat=True))
    assert f"Amended. {first.summary}" in summaries
    assert "A new paragraph the editor added." in summaries
    assert not Paragraph.objects.filter(pk=second.pk).exists()
    page = public_page(sc_2347)
    assert NEW_SUMMARY in page and old_summary not in page
    assert "A new paragraph the editor added." in page
    assert version.published_at() > published_at

    today = date.today().isoformat()
    reason = f"Proposed by alice on {today} (Summary checked); published by bob"
    latest = sc_2347.history.first()
    assert (latest.history_change_reason, latest.history_user) == (reason, bob.user)
    first.refresh_from_db()
    assert first.summary.startswith("Amended. ")
    assert first.history.first().history_change_reason == reason
    deleted = Paragraph.history.filter(id=second.pk, history_type="-").get()
    assert (deleted.history_change_reason, deleted.history_user) == (reason, bob.user)


def test_discarding_leaves_the_public_record_as_it_was(alice, carol, bob, sc_2347):
    pending, *_ = propose_everything(alice, sc_2347)
    before = everything_public_about(sc_2347)
    discard = admin_url(PendingChange, "discard", pending.pk)
    assert carol.post(discard).status_code == 403  # not her change
    assert carol.post(admin_url(PendingChange, "publish", pending.pk)).status_code == 403
    assert bob.get(discard).status_code == 405
    response = bob.post(discard, follow=True)
    assert f"Discarded the change to “SC {NUMBER}”" in response.content.decode()
    assert not PendingChange.objects.exists()
    assert everything_public_about(sc_2347) == before
    note = LogEntry.objects.filter(object_id=str(sc_2347.pk)).order_by("-pk").first()
    assert note.user == bob.user and "Discarded the change proposed by alice" in note.change_message


def test_an_editor_views_and_discards_their_own_change(alice, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY)
    pending = PendingChange.objects.get()
    changelist = alice.get(admin_url(PendingChange, "changelist")).content.decode()
    assert f"SC {NUMBER}" in changelist
    page = alice.get(review_url(pending)).content.decode()
    assert 'name="discard"' in page and 'name="publish"' not in page
    assert alice.post(admin_url(PendingChange, "discard", pending.pk)).status_code == 302
    assert not PendingChange.objects.exists()


def test_publishing_what_was_not_reviewed_is_refused(alice, bob, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY)
    pending = PendingChange.objects.get()
    reviewed_version = pending.version
    post_form(alice, change_url(sc_2347), title="Changed after the review page was opened")
    response = bob.post(
        admin_url(PendingChange, "publish", pending.pk), {"version": reviewed_version}, follow=True
    )
    assert "The change was edited after you opened it: nothing was published." in (
        response.content.decode()
    )
    sc_2347.refresh_from_db()
    assert sc_2347.summary != NEW_SUMMARY


def test_the_review_page_warns_when_the_public_record_changed_since(alice, bob, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY)
    pending = PendingChange.objects.get()
    Resolution.objects.filter(pk=sc_2347.pk).update(meeting="8000th meeting")  # e.g. a command
    page = bob.get(review_url(pending)).content.decode()
    assert "The public record changed after this change was proposed." in page


def test_a_publishers_save_of_a_form_with_a_waiting_change_publishes_both(alice, bob, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY, change_reason="Summary checked")
    response = bob.get(change_url(sc_2347))
    assert "Saving the form publishes that change with your edits." in response.content.decode()
    data = form_data(response)
    data.update(title="Bob's title", change_reason="Title from the text")
    assert bob.post(change_url(sc_2347), data).status_code == 302
    sc_2347.refresh_from_db()
    assert (sc_2347.summary, sc_2347.title) == (NEW_SUMMARY, "Bob's title")
    assert not PendingChange.objects.exists()
    mine, proposed = sc_2347.history.all()[:2]
    assert mine.history_change_reason == "Title from the text"
    assert proposed.history_change_reason.startswith("Proposed by alice on ")
    assert proposed.history_change_reason.endswith("(Summary checked); published by bob")


def test_an_untouched_save_proposes_nothing(alice, sc_2347):
    response = post_form(alice, change_url(sc_2347))
    assert "is as published: no change waits for review" in response.content.decode()
    assert not PendingChange.objects.exists()


# --- every way into a public record --------------------------------------------------------------


def test_a_paragraphs_own_admin_proposes_a_change_of_its_resolution(alice, sc_2347):
    paragraph = sc_2347.paragraphs.order_by("position").first()
    url = change_url(paragraph)
    page = alice.get(url).content.decode()
    assert 'name="resolution"' not in page  # an editor does not move it to another record
    post_form(alice, url, summary="Reworded through the paragraph's own form.")
    paragraph.refresh_from_db()
    assert paragraph.summary != "Reworded through the paragraph's own form."
    pending = PendingChange.objects.get()
    assert pending.record == sc_2347
    assert "Reworded through the paragraph's own form." in {
        p["fields"]["summary"] for p in pending.data["children"]["paragraphs"]
    }
    # The resolution's form shows it too, and the paragraph's form again.
    assert "Reworded through the paragraph" in alice.get(change_url(sc_2347)).content.decode()
    assert "Reworded through the paragraph" in alice.get(url).content.decode()


def test_a_links_own_admin_proposes_and_a_deleted_link_is_part_of_the_change(alice, sc_2347):
    untoc = Instrument.objects.get(slug="untoc")
    add = admin_url(ResolutionInstrument, "add")
    data = form_data(alice.get(add))
    data.update(resolution=sc_2347.pk, instrument=untoc.pk, relation="refers-to")
    assert alice.post(add, data).status_code == 302
    assert not sc_2347.instrument_links.exists()
    (link,) = PendingChange.objects.get().data["children"]["instrument_links"]
    assert link["fields"]["instrument"] == untoc.pk

    citation = ResolutionCitation.objects.filter(citing__status=Status.PUBLISHED).first()
    citing = citation.citing
    delete = admin_url(ResolutionCitation, "delete", citation.pk)
    assert alice.post(delete, {"post": "yes"}).status_code == 302
    assert ResolutionCitation.objects.filter(pk=citation.pk).exists()
    pending = PendingChange.objects.for_record(citing).get()
    assert citation.pk not in {c["pk"] for c in pending.data["children"]["citation_links"]}


def test_a_meeting_is_reviewed_with_its_expert_group(alice):
    meeting = ExpertGroupMeeting.objects.order_by("number").first()
    post_form(alice, change_url(meeting), place="Geneva")
    meeting.refresh_from_db()
    assert meeting.place != "Geneva"
    pending = PendingChange.objects.for_record(meeting.group).get()
    assert "Geneva" in {m["fields"]["place"] for m in pending.data["children"]["meetings"]}


def test_instrument_and_partner_changes_by_an_editor_wait(alice, bob):
    untoc = Instrument.objects.get(slug="untoc")
    post_form(alice, change_url(untoc), short_name="Palermo Convention")
    untoc.refresh_from_db()
    assert untoc.short_name != "Palermo Convention"
    assert PendingChange.objects.for_record(untoc).exists()

    interpol = Partner.objects.get(slug="interpol")
    data = form_data(alice.get(change_url(interpol)))
    tool = interpol.tools.first()
    data[inline_prefix(data, "tools", tool.pk) + "-name"] = "Renamed tool"
    data["headquarters_city"] = "Paris"
    assert alice.post(change_url(interpol), data).status_code == 302
    interpol.refresh_from_db()
    tool.refresh_from_db()
    assert (interpol.headquarters_city, tool.name) != ("Paris", "Renamed tool")
    pending = PendingChange.objects.for_record(interpol).get()
    assert "Renamed tool" in {t["fields"]["name"] for t in pending.data["children"]["tools"]}

    # A publisher's own edit is direct.
    unesco = Partner.objects.get(slug="unesco")
    post_form(bob, change_url(unesco), headquarters_city="Paris (7e)")
    unesco.refresh_from_db()
    assert unesco.headquarters_city == "Paris (7e)"
    assert not PendingChange.objects.for_record(unesco).exists()


def test_a_new_partner_by_an_editor_waits_then_a_publisher_creates_it(alice, bob):
    add = admin_url(Partner, "add")
    data = form_data(alice.get(add))
    data.update(acronym="EUROPOL", slug="europol", full_name="European Union Agency for Law")
    data.update(
        {
            "tools-TOTAL_FORMS": "1",
            "tools-0-name": "A tool of the new partner",
            "tools-0-slug": "tool",
            "tools-0-position": "1",
        }
    )
    response = alice.post(add, data, follow=True)
    assert "Your new partner “EUROPOL” waits for review" in response.content.decode()
    assert not Partner.objects.filter(slug="europol").exists()
    pending = PendingChange.objects.get()
    assert pending.is_addition and pending.object_id is None
    assert response.redirect_chain[-1][0] == review_url(pending)
    assert Client().get("/partners/europol/").status_code == 404

    page = bob.get(review_url(pending)).content.decode()
    assert "European Union Agency for Law" in page and "A tool of the new partner" in page
    bob.post(admin_url(PendingChange, "publish", pending.pk), {"version": pending.version})
    europol = Partner.objects.get(slug="europol")
    assert list(europol.tools.values_list("name", flat=True)) == ["A tool of the new partner"]
    assert Client().get("/partners/europol/").status_code == 200
    assert europol.history.first().history_user == bob.user


def test_a_restore_from_the_history_by_an_editor_waits(alice, bob, sc_2347):
    post_form(bob, change_url(sc_2347), title="A publisher's later title")
    earlier = sc_2347.history.all()[1]
    revert = admin_url(Resolution, "simple_history", sc_2347.pk, earlier.history_id)
    form = alice.get(revert).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert alice.post(revert, data).status_code == 302
    sc_2347.refresh_from_db()
    assert sc_2347.title == "A publisher's later title"
    pending = PendingChange.objects.get()
    assert pending.data["root"]["fields"]["title"] == earlier.title
    assert pending.reason.startswith("Restored from version of")


# --- what editors may not do to public records ---------------------------------------------------


def test_editors_cannot_delete_public_records_but_may_delete_drafts(alice, bob, sc_2347):
    interpol = Partner.objects.get(slug="interpol")
    for record in (sc_2347, interpol):
        url = admin_url(type(record), "delete", record.pk)
        assert alice.get(url).status_code == 403
        assert alice.post(url, {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()
        assert url not in alice.get(change_url(record)).content.decode()

    changelist = admin_url(Partner, "changelist")
    assert alice.get(changelist).context["action_form"] is None  # no action left for editors
    assert bob.get(changelist).context["action_form"] is not None
    alice.post(changelist, {"action": "delete_selected", "_selected_action": [interpol.pk]})
    assert Partner.objects.filter(pk=interpol.pk).exists()

    draft = Resolution.objects.create(
        body=sc_2347.body, number="9999 (2041)", year=2041, status=Status.DRAFT
    )
    changelist = admin_url(Resolution, "changelist")
    response = alice.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [draft.pk, sc_2347.pk]},
        follow=True,
    )
    assert "Nothing was deleted" in response.content.decode()
    assert Resolution.objects.filter(pk=draft.pk).exists()
    response = alice.post(
        changelist, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    assert not Resolution.objects.filter(pk=draft.pk).exists()

    body_list = alice.get(admin_url(Body, "changelist"))
    assert b'name="form-0-position"' not in body_list.content  # list_editable: publishers only
    assert b'name="form-0-position"' in bob.get(admin_url(Body, "changelist")).content


def test_editors_change_links_from_the_resolution_not_from_the_instrument(alice, bob):
    untoc = Instrument.objects.filter(resolution_links__isnull=False).first()
    assert b"resolution_links-0-relation" not in alice.get(change_url(untoc)).content
    assert b"resolution_links-0-relation" in bob.get(change_url(untoc)).content


# --- drafts stay direct --------------------------------------------------------------------------


def test_an_editors_draft_is_saved_directly_and_published_by_a_publisher(alice, bob):
    add = admin_url(Resolution, "add")
    data = form_data(alice.get(add))
    sc = Body.objects.get(code="SC")
    data.update(body=sc.pk, number="9999 (2041)", symbol="S/RES/9999 (2041)", year=2041)
    assert alice.post(add, data).status_code == 302
    draft = Resolution.objects.get(number="9999 (2041)")
    assert draft.status == Status.DRAFT
    post_form(alice, change_url(draft), title="The draft's title")
    draft.refresh_from_db()
    assert draft.title == "The draft's title"  # direct: drafts are not public
    assert not PendingChange.objects.exists()
    assert Client().get(draft.get_absolute_url()).status_code == 404

    post_form(bob, change_url(draft), status="published")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert "The draft&#x27;s title" in public_page(draft)


# --- SQLite hands out the id of a rolled-back insert again ---------------------------------------


def test_a_new_row_whose_id_was_taken_meanwhile_gets_another(alice, bob, sc_2347):
    url = change_url(sc_2347)
    data = form_data(alice.get(url))
    new = int(data["paragraphs-TOTAL_FORMS"])
    data["paragraphs-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"paragraphs-{new}-number": "41",
            f"paragraphs-{new}-position": "41",
            f"paragraphs-{new}-summary": "Proposed paragraph.",
        }
    )
    assert alice.post(url, data).status_code == 302
    pending = PendingChange.objects.get()
    (proposed,) = [p for p in pending.data["children"]["paragraphs"] if p["fields"]["number"] == 41]
    # A real paragraph elsewhere takes the id the proposal's insert had (and rolled back).
    elsewhere = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    taken = Paragraph.objects.create(
        pk=proposed["pk"], resolution=elsewhere, number=90, summary="A real paragraph."
    )

    response = alice.get(url)
    forms = response.context["inline_admin_formsets"][-1].formset.forms
    assert "Proposed paragraph." in [f["summary"].value() for f in forms]
    pending.refresh_from_db()
    (moved,) = [p for p in pending.data["children"]["paragraphs"] if p["fields"]["number"] == 41]
    assert moved["pk"] != taken.pk

    data = form_data(alice.get(url))  # and the form saves again, building on it
    data["summary"] = NEW_SUMMARY
    assert alice.post(url, data).status_code == 302
    pending.refresh_from_db()
    numbers = [p["fields"]["number"] for p in pending.data["children"]["paragraphs"]]
    assert numbers.count(41) == 1 and pending.data["root"]["fields"]["summary"] == NEW_SUMMARY
    taken.refresh_from_db()
    assert taken.summary == "A real paragraph." and taken.resolution == elsewhere

    bob.post(admin_url(PendingChange, "publish", pending.pk), {"version": pending.version})
    assert sc_2347.paragraphs.filter(number=41, summary="Proposed paragraph.").exists()
    assert Paragraph.objects.filter(pk=taken.pk, resolution=elsewhere).exists()


def test_the_expert_group_change_publishes_through_ordinary_saves(alice, bob):
    group = ExpertGroup.objects.get()
    data = form_data(alice.get(change_url(group)))
    data["summary"] = "A new summary of the group."
    assert alice.post(change_url(group), data).status_code == 302
    pending = PendingChange.objects.get()
    bob.post(admin_url(PendingChange, "publish", pending.pk), {"version": pending.version})
    group.refresh_from_db()
    assert group.summary == "A new summary of the group."
    assert group.meetings.count() == 3  # children untouched stay as they were
    assert not any(
        meeting.history.filter(history_user=bob.user).exists() for meeting in group.meetings.all()
    )  # and get no new version


def test_a_record_with_a_waiting_change_keeps_its_status_until_it_is_reviewed(alice, bob, sc_2347):
    post_form(alice, change_url(sc_2347), summary=NEW_SUMMARY)
    changelist = admin_url(Resolution, "changelist")
    response = bob.post(
        changelist,
        {"action": "return_to_draft", "_selected_action": [sc_2347.pk]},
        follow=True,
    )
    assert f"“SC {NUMBER}” has a change waiting for review" in response.content.decode()
    sc_2347.refresh_from_db()
    assert sc_2347.status == Status.PUBLISHED


def test_a_publisher_deleting_a_record_deletes_its_waiting_change(alice, bob):
    unidroit = Partner.objects.get(slug="unidroit")
    post_form(alice, change_url(unidroit), full_name="Renamed")
    assert PendingChange.objects.for_record(unidroit).exists()
    delete = admin_url(Partner, "delete", unidroit.pk)
    assert bob.post(delete, {"post": "yes"}).status_code == 302
    assert not Partner.objects.filter(pk=unidroit.pk).exists()
    assert not PendingChange.objects.exists()
