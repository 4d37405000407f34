"""No lost update: two editors open the same record; the second save is refused with both
versions side by side, and goes through once resubmitted from that page."""

import pytest
from django.test import Client

from mandates.models import Paragraph, Resolution
from partners.models import PartnerTool
from tests.test_admin import admin_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(django_user_model):
    clients = []
    for name in ("alice", "bruno"):
        user = django_user_model.objects.create_superuser(name, f"{name}@example.org", "pw")
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_the_second_of_two_edits_is_refused_with_both_versions(editors):
    alice, bruno = editors
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    url = admin_url(Resolution, "change", resolution.pk)
    alice_form, bruno_form = form_data(alice.get(url)), form_data(bruno.get(url))

    alice_form["title"] = "Alice's title"
    assert alice.post(url, alice_form).status_code == 302
    bruno_form["summary"] = "Bruno's summary"
    response = bruno.post(url, bruno_form)

    assert response.status_code == 200  # the form again: nothing saved
    resolution.refresh_from_db()
    assert resolution.title == "Alice's title" and resolution.summary != "Bruno's summary"
    page = response.content.decode()
    assert "alice saved this record after you opened it. Nothing of yours was saved." in page
    # "Compare the two versions below": they stand below the words, and above the form.
    words = page.index("Compare the two versions below")
    assert words < page.index('class="conflict-table"') < page.index('name="title"')
    rows = {
        label: (theirs, mine, differs)
        for label, theirs, mine, differs in response.context["conflict"]
    }
    assert rows["Title"][0] == "Alice's title" and rows["Title"][2]
    assert rows["Summary"][1] == "Bruno's summary" and rows["Summary"][2]
    assert not rows["Number"][2]

    # Having compared, Bruno saves again from the page he was shown: it goes through.
    again = {**bruno_form, "version": str(response.context["adminform"].form["version"].value())}
    assert again["version"] != bruno_form["version"]  # the page carries the version it showed
    assert bruno.post(url, again).status_code == 302
    resolution.refresh_from_db()
    assert resolution.summary == "Bruno's summary"


def test_an_inline_row_changed_meanwhile_is_refused(editors):
    alice, bruno = editors
    paragraph = Paragraph.objects.filter(resolution__isnull=False).first()
    resolution = paragraph.resolution
    url = admin_url(Resolution, "change", resolution.pk)
    bruno_form = form_data(bruno.get(url))
    paragraph_url = admin_url(Paragraph, "change", paragraph.pk)
    alice_form = form_data(alice.get(paragraph_url))
    alice_form["summary"] = "Alice's paragraph"
    assert alice.post(paragraph_url, alice_form).status_code == 302

    prefix = next(k for k, v in bruno_form.items() if k.endswith("-id") and v == str(paragraph.pk))
    bruno_form[prefix.replace("-id", "-summary")] = "Bruno's paragraph"
    response = bruno.post(url, bruno_form)
    assert response.status_code == 200
    paragraph.refresh_from_db()
    assert paragraph.summary == "Alice's paragraph"


def test_every_record_model_is_versioned():
    from django.contrib import admin

    from core.models import Versioned

    for model in admin.site._registry:
        if model._meta.app_label in ("mandates", "instruments", "partners"):
            assert issubclass(model, Versioned), model


def test_a_tampered_version_is_a_400(editors):
    alice, _ = editors
    tool = PartnerTool.objects.first()
    url = admin_url(PartnerTool, "change", tool.pk)
    data = form_data(alice.get(url))
    data["version"] = "12345:forged"
    assert alice.post(url, data).status_code == 400


def test_a_restore_is_not_taken_for_a_conflict(admin_client):
    resolution = Resolution.objects.get(body__code="SC", number="2322 (2016)")
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["title"] = "A mistaken edit"
    admin_client.post(url, data)
    earlier = resolution.history.all()[1]
    revert_url = admin_url(Resolution, "simple_history", resolution.pk, earlier.history_id)
    form = admin_client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert admin_client.post(revert_url, data).status_code == 302
    resolution.refresh_from_db()
    assert resolution.title == earlier.title
