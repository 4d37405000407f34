"""Nothing lost: every admin change is kept with who, when and what, and can be undone."""

import pytest
from django.core.management import call_command

from mandates.models import Resolution
from tests.test_admin import admin_url, form_data

pytestmark = pytest.mark.django_db


def test_every_reference_record_has_a_first_version():
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    assert resolution.history.exists()
    assert resolution.history.last().slug == "2199-2015"


def test_loading_the_reference_data_again_adds_no_version():
    before = Resolution.history.count()
    call_command("load_reference_data", verbosity=0)
    assert Resolution.history.count() == before


def test_an_admin_edit_is_kept_with_who_when_and_what(admin_client, admin_user):
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    original_title = resolution.title
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["title"] = "An edited title"
    assert admin_client.post(url, data).status_code == 302

    latest = resolution.history.first()
    assert latest.title == "An edited title"
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    assert latest.prev_record.title == original_title
    delta = latest.diff_against(latest.prev_record)
    assert delta.changed_fields == ["title"]

    page = admin_client.get(admin_url(Resolution, "history", resolution.pk))
    assert page.status_code == 200
    assert admin_user.get_username() in page.content.decode()


def test_an_earlier_version_can_be_restored_from_the_admin(admin_client):
    resolution = Resolution.objects.get(body__code="SC", number="2322 (2016)")
    original_title = resolution.title
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["title"] = "A mistaken edit"
    admin_client.post(url, data)
    earlier = resolution.history.all()[1]
    assert earlier.title == original_title

    revert_url = admin_url(Resolution, "simple_history", resolution.pk, earlier.history_id)
    form = admin_client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert admin_client.post(revert_url, data).status_code == 302

    resolution.refresh_from_db()
    assert resolution.title == original_title
    assert resolution.history.first().title == original_title  # the restore is a version too


def test_a_deleted_record_stays_in_the_history(admin_client):
    resolution = Resolution.objects.get(body__code="SC", number="1483 (2003)")
    pk = resolution.pk
    response = admin_client.post(admin_url(Resolution, "delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Resolution.objects.filter(pk=pk).exists()
    deleted = Resolution.history.filter(id=pk).first()
    assert deleted.history_type == "-"
    assert deleted.number == "1483 (2003)"


# --- malformed history addresses are pages that do not exist --------------------------------------


def history_models():
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    return sorted(
        (
            model
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, SimpleHistoryAdmin)
            and model._meta.app_label in ("mandates", "instruments", "partners")
        ),
        key=lambda model: model._meta.label,
    )


def test_every_record_admin_keeps_a_history():
    assert {m._meta.model_name for m in history_models()} >= {
        "resolution",
        "paragraph",
        "instrument",
        "partner",
        "body",
        "expertgroupmeeting",
    }


@pytest.mark.parametrize("model", history_models(), ids=lambda m: m._meta.label)
def test_a_malformed_history_address_is_a_404(admin_client, model):
    admin_client.raise_request_exception = False  # a 500 is an answer to check, not a crash
    record = model._default_manager.order_by("pk").first()
    version = record.history.first()
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
    assert admin_client.get(f"{base}/{record.pk}/history/").status_code == 200
    assert admin_client.get(f"{base}/{record.pk}/history/{version.pk}/").status_code == 200
    for path in (
        f"{record.pk}/history/abc/",
        f"{record.pk}/history/1.5/",
        f"{record.pk}/history/99999999/",
        f"abc/history/{version.pk}/",
        "abc/history/",
        f"{record.pk}/change/history/",
    ):
        assert admin_client.get(f"{base}/{path}").status_code == 404, path
    assert admin_client.post(f"{base}/{record.pk}/history/abc/", {}).status_code == 404
    # Django sends .../<id>/<anything>/ on to .../<id>/<anything>/change/: no record there.
    response = admin_client.get(f"{base}/{record.pk}/change/history/abc/", follow=True)
    assert response.status_code == 404
