"""Import from the UN Digital Library: MARC21 XML files (tests/data/) previewed, then created
as drafts; what is already recorded, not a resolution or malformed is skipped with the reason;
a bad file gets a message and changes nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Status, Verification
from mandates import marc
from mandates.models import PageEntry, Resolution

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
URL = reverse("admin:mandates_resolution_import")


def upload(client, name):
    content = (DATA / name).read_bytes()
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "application/xml")})


@pytest.fixture
def sc_1483_removed():
    """SC 1483 (2003) is in the reference data: take it out, so the file brings it back."""
    resolution = Resolution.objects.get(body__code="SC", number="1483 (2003)")
    PageEntry.objects.filter(resolution=resolution).update(resolution=None)
    resolution.delete()


def test_preview_then_create_a_draft(admin_client, admin_user, sc_1483_removed):
    before = Resolution.objects.count()
    preview = upload(admin_client, "undl-sc-1483.xml")
    assert preview.status_code == 200
    assert Resolution.objects.count() == before  # nothing saved by the preview
    page = preview.content.decode()
    assert "1 resolution will be created as a draft" in page
    assert "S/RES/1483 (2003)" in page and "https://digitallibrary.un.org/record/495555" in page

    token = preview.context["token"]
    response = admin_client.post(URL, {"token": token})
    assert response.status_code == 302
    created = Resolution.objects.get(body__code="SC", number="1483 (2003)")
    assert created.status == Status.DRAFT
    assert created.symbol == "S/RES/1483 (2003)"
    assert created.title == "Resolution 1483 (2003)"
    assert str(created.adopted_on) == "2003-05-22" and created.year == 2003
    assert created.meeting == "4761st meeting"
    assert created.sources == "official https://digitallibrary.un.org/record/495555"
    assert created.verification == Verification.CONFIRMED
    latest = created.history.first()
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Imported from the UN Digital Library"

    again = admin_client.post(URL, {"token": token})  # the same preview cannot create twice
    assert again.status_code == 302
    assert Resolution.objects.filter(body__code="SC", number="1483 (2003)").count() == 1


def test_a_file_of_many_records_says_what_it_skips_and_why(admin_client, sc_1483_removed):
    preview = upload(admin_client, "undl-mixed.xml")
    entries = preview.context["entries"]
    assert [e.outcome for e in entries] == [
        marc.CREATE,
        marc.PRESENT,
        marc.NOT_RESOLUTION,
        marc.MALFORMED,
    ]
    page = preview.content.decode()
    assert "3 records skipped" in page
    assert "Already recorded: SC 2199 (2015)." in page
    assert "Not the symbol of a resolution." in page
    assert "No document symbol (191 $a)." in page
    before = Resolution.objects.count()
    admin_client.post(URL, {"token": preview.context["token"]})
    assert Resolution.objects.count() == before + 1


def test_importing_what_is_already_recorded_creates_nothing(admin_client):
    preview = upload(admin_client, "undl-sc-1483.xml")
    assert preview.context["to_create"] == []
    assert "Already recorded: SC 1483 (2003)." in preview.content.decode()
    assert "Create 0" not in preview.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("undl-broken.xml", "This is not well-formed XML"),
        ("not-marc.xml", "No MARC21 record in this file"),
    ],
)
def test_a_bad_file_gets_a_message_and_changes_nothing(admin_client, name, message):
    before = Resolution.objects.count()
    response = upload(admin_client, name)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert "token" not in response.context
    assert Resolution.objects.count() == before


def test_an_expired_preview_creates_nothing(admin_client):
    before = Resolution.objects.count()
    response = admin_client.post(URL, {"token": "forged"}, follow=True)
    assert "This preview has expired" in response.content.decode()
    assert Resolution.objects.count() == before


def test_viewers_cannot_import(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("note", "meeting", "mode"),
    [
        ("Adopted without vote, 83rd plenary meeting", "83rd plenary meeting", "without-vote"),
        ("Adopted unanimously, 4535th meeting", "4535th meeting", "unanimous"),
        ("Adopted 122-55-1, 77th plenary meeting", "77th plenary meeting", ""),
    ],
)
def test_the_996_note(note, meeting, mode):  # the UNBIS manual's examples for tag 996
    assert marc.meeting_and_mode(note) == (meeting, mode)
