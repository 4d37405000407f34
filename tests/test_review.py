"""Draft, review, publish: editors make and change drafts, publishers publish them, and every
resolution recorded before the review step is published. An editor's change to a published
resolution waits for review while it stays published (tests/test_pending_changes.py has the
whole of that path)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from core.models import PendingChange, Status
from mandates.models import Resolution
from tests.test_admin import admin_url, form_data

publishers = importlib.import_module("mandates.migrations.0013_publishers")
staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")
review_roles = importlib.import_module("core.migrations.0002_review_roles")

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    """A client signed in as a member of `role` (Editors, Publishers or Viewers)."""
    staff_roles.create_roles(django_apps, None)
    publishers.create_publishers(django_apps, None)
    review_roles.grant(django_apps, None)

    def sign_in(role):
        user = django_user_model.objects.create_user(role.lower(), password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        return client

    return sign_in


def new_resolution(client, **fields):
    url = admin_url(Resolution, "add")
    data = form_data(client.get(url))
    ga = Resolution.objects.filter(body__code="GA").first().body
    data.update(body=ga.pk, number="96/175", symbol="A/RES/96/175", year=2041, title="A draft")
    data.update(fields)
    return client.post(url, data)


def test_the_reference_resolutions_are_published():
    assert Resolution.objects.exists()
    assert not Resolution.objects.drafts().exists()
    assert Resolution.objects.published().count() == Resolution.objects.count()


def test_an_editors_new_resolution_is_a_draft_even_if_they_ask_otherwise(staff):
    editor = staff("Editors")
    page = editor.get(admin_url(Resolution, "add")).content.decode()
    assert 'name="status"' not in page  # a read-only value for editors
    assert new_resolution(editor, status="published").status_code == 302
    created = Resolution.objects.get(number="96/175")
    assert created.status == Status.DRAFT
    assert created not in Resolution.objects.published()


def shown_status(response):
    """The status the add form shows: the read-only value for an editor, the chosen option
    for a publisher."""
    form = response.context["adminform"]
    for fieldset in form:
        for line in fieldset:
            for field in line:
                if field.is_readonly and field.field["name"] == "status":
                    return str(field.contents())
                if not field.is_readonly and field.field.name == "status":
                    return dict(Status.choices)[field.field.value()]
    raise AssertionError("no status on the form")


@pytest.mark.parametrize("role", ["Editors", "Publishers"])
def test_the_add_form_shows_the_status_the_new_record_will_have(staff, role):
    assert shown_status(staff(role).get(admin_url(Resolution, "add"))) == "Draft"


def test_an_editors_change_to_a_published_resolution_waits_and_it_stays_published(staff, client):
    editor = staff("Editors")
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(editor.get(url))
    data["summary"] = "Changed by an editor"
    response = editor.post(url, data, follow=True)
    resolution.refresh_from_db()
    assert resolution.status == Status.PUBLISHED
    assert resolution.summary != "Changed by an editor"
    assert "waits for review" in response.content.decode()
    assert PendingChange.objects.for_record(resolution).exists()
    editor.logout()
    assert client.get(resolution.get_absolute_url()).status_code == 200  # still public


def test_saving_untouched_keeps_a_published_resolution_published(staff):
    editor = staff("Editors")
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    url = admin_url(Resolution, "change", resolution.pk)
    assert editor.post(url, form_data(editor.get(url))).status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == Status.PUBLISHED
    assert not PendingChange.objects.exists()


def test_a_restore_by_an_editor_keeps_the_status(staff):
    """A version from the time the record was a draft does not take it off the site."""
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    resolution.status = Status.DRAFT
    resolution.save()
    resolution.status = Status.PUBLISHED
    resolution.title = "Published title"
    resolution.save()
    editor = staff("Editors")
    draft_version = resolution.history.all()[1]
    assert draft_version.status == Status.DRAFT
    revert = admin_url(Resolution, "simple_history", resolution.pk, draft_version.history_id)
    form = editor.get(revert).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert editor.post(revert, data).status_code == 302
    proposed = PendingChange.objects.for_record(resolution).get().data["root"]["fields"]
    assert proposed["status"] == Status.PUBLISHED and proposed["title"] == draft_version.title


def test_a_publisher_publishes_from_the_form_and_the_list(staff):
    publisher = staff("Publishers")
    assert new_resolution(publisher).status_code == 302
    draft = Resolution.objects.get(number="96/175")
    assert draft.status == Status.DRAFT  # the form starts every new record as a draft
    url = admin_url(Resolution, "change", draft.pk)
    page = publisher.get(url).content.decode()
    assert "Draft: not on the public site." in page
    data = form_data(publisher.get(url))
    data["status"] = "published"
    assert publisher.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED

    changelist = admin_url(Resolution, "changelist")
    publisher.post(changelist, {"action": "return_to_draft", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.history.first().history_change_reason == "Draft"
    publisher.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_editors_have_no_publish_action(staff):
    editor = staff("Editors")
    draft = Resolution.objects.create(
        body=Resolution.objects.first().body, number="X", year=2041, status=Status.DRAFT
    )
    changelist = admin_url(Resolution, "changelist")
    actions = editor.get(changelist).context["action_form"].fields["action"].choices
    assert "publish" not in [name for name, _label in actions]
    editor.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_viewers_change_nothing(staff):
    viewer = staff("Viewers")
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    url = admin_url(Resolution, "change", resolution.pk)
    assert viewer.post(url, {"status": "draft"}).status_code == 403
    resolution.refresh_from_db()
    assert resolution.status == Status.PUBLISHED


def test_the_publishers_role_is_idempotent():
    publishers.create_publishers(django_apps, None)
    before = set(
        Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True)
    )
    publishers.create_publishers(django_apps, None)
    after = set(Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True))
    assert before == after
    assert "publish_resolution" in after and "change_resolution" in after
    assert "publish_pendingchange" in after
    assert "publish_resolution" not in set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
