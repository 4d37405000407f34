"""Honest history: an untouched form records no change, diffs are shown in full, every edit
carries its reason, and a restore says which version it restored and who restored it."""

import pytest

from mandates.models import Paragraph, Resolution
from tests.test_admin import admin_url, form_data

pytestmark = pytest.mark.django_db


def as_browser_sends(data):
    """Text boxes post \\r\\n line endings (HTML spec); some editors leave trailing spaces."""
    return {
        name: value.replace("\n", "\r\n") + "  "
        if isinstance(value, str) and "\n" in value
        else value
        for name, value in data.items()
    }


@pytest.fixture
def sc_2199():
    resolution = Resolution.objects.get(body__code="SC", number="2199 (2015)")
    assert "\n" in resolution.sources  # several sources: the field the issue saw change
    return resolution


def test_saving_an_untouched_form_changes_nothing_and_adds_no_version(admin_client, sc_2199):
    url = admin_url(Resolution, "change", sc_2199.pk)
    paragraphs = Paragraph.history.filter(resolution_id=sc_2199.pk)
    before = (sc_2199.sources, sc_2199.summary, sc_2199.history.count(), paragraphs.count())
    response = admin_client.post(url, as_browser_sends(form_data(admin_client.get(url))))
    assert response.status_code == 302
    sc_2199.refresh_from_db()
    after = (sc_2199.sources, sc_2199.summary, sc_2199.history.count(), paragraphs.count())
    assert after == before


def test_a_real_change_is_the_only_change_recorded(admin_client, sc_2199):
    url = admin_url(Resolution, "change", sc_2199.pk)
    data = as_browser_sends(form_data(admin_client.get(url)))
    data["summary"] = "A new summary.\r\nSecond line.   "
    data["change_reason"] = "Summary rewritten from the text"
    assert admin_client.post(url, data).status_code == 302
    latest = sc_2199.history.first()
    assert latest.summary == "A new summary.\nSecond line."
    assert latest.diff_against(latest.prev_record).changed_fields == ["summary"]
    assert latest.history_change_reason == "Summary rewritten from the text"


def test_the_history_page_shows_reasons_and_full_diffs(admin_client, sc_2199):
    url = admin_url(Resolution, "change", sc_2199.pk)
    long_text = " ".join(f"word{i}" for i in range(200))  # ~1,500 characters
    data = form_data(admin_client.get(url))
    data.update(summary=long_text, change_reason="Long summary")
    admin_client.post(url, data)
    data = form_data(admin_client.get(url))
    data.update(summary=long_text.replace("word150", "changed150"))
    admin_client.post(url, data)

    page = admin_client.get(admin_url(Resolution, "history", sc_2199.pk)).content.decode()
    assert "chars]" not in page  # simple-history's "[598 chars]" shortening
    assert long_text in page  # the first edit's new value, whole
    assert "<del>word150 </del><ins>changed150 </ins>" in page
    assert "Long summary" in page
    assert ">None<" not in page  # an edit without a reason shows an empty cell, not "None"


def test_a_restore_is_recorded_with_the_version_and_who_restored_it(admin_client, admin_user):
    resolution = Resolution.objects.get(body__code="SC", number="2322 (2016)")
    url = admin_url(Resolution, "change", resolution.pk)
    original_title = resolution.title
    data = form_data(admin_client.get(url))
    data["title"] = "A mistaken edit"
    admin_client.post(url, data)
    earlier = resolution.history.all()[1]

    revert_url = admin_url(Resolution, "simple_history", resolution.pk, earlier.history_id)
    form = admin_client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert admin_client.post(revert_url, data).status_code == 302

    restore = resolution.history.first()
    assert restore.title == original_title
    stamp = earlier.history_date.strftime("%Y-%m-%d %H:%M")
    assert restore.history_change_reason == (
        f"Restored from version of {stamp} UTC by {admin_user.get_username()}"
    )
    page = admin_client.get(admin_url(Resolution, "history", resolution.pk)).content.decode()
    assert f"Restored from version of {stamp} UTC" in page


def test_an_inline_change_carries_the_reason(admin_client, sc_2199):
    paragraph = sc_2199.paragraphs.first()
    url = admin_url(Resolution, "change", sc_2199.pk)
    data = form_data(admin_client.get(url))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(paragraph.pk))
    data[prefix.replace("-id", "-summary")] = "Reworded paragraph summary"
    data["change_reason"] = "Paragraph reworded"
    assert admin_client.post(url, data).status_code == 302
    latest = paragraph.history.first()
    assert latest.summary == "Reworded paragraph summary"
    assert latest.history_change_reason == "Paragraph reworded"
    assert sc_2199.history.first().history_change_reason != "Paragraph reworded"  # unchanged
