"""Forms that help: checkboxes for unverified fields, every error in one round (sessions that
cannot fit the year included), readable link rows, load-testing controls only where needed."""

import pytest

from mandates.models import Resolution
from partners.models import Partner
from tests.test_admin import admin_url, assert_shown, form_data, form_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def sc_2199():
    return Resolution.objects.get(body__code="SC", number="2199 (2015)")


def test_unverified_fields_are_checkboxes_of_the_records_fields(admin_client, sc_2199):
    url = admin_url(Resolution, "change", sc_2199.pk)
    page = admin_client.get(url).content.decode()
    assert 'type="checkbox" name="unverified_fields" value="symbol"' in page
    assert 'name="unverified_fields" value="sources"' not in page  # provenance is not a fact
    data = form_data(admin_client.get(url))
    data["unverified_fields"] = ["symbol", "adopted_on"]
    assert admin_client.post(url, data).status_code == 302
    sc_2199.refresh_from_db()
    assert sorted(sc_2199.unverified_fields) == ["adopted_on", "symbol"]


def test_every_error_arrives_in_one_round(admin_client):
    url = admin_url(Resolution, "add")
    data = form_data(admin_client.get(url))
    ga = Resolution.objects.filter(body__code="GA").first().body
    data.update(
        body=ga.pk,
        number="99/999",
        symbol="A/RES/99/999",
        year=2024,
        session="99th session of the General Assembly",
        sources="official https://example.org/a",
    )
    response = admin_client.post(url, data)
    errors = form_errors(response)
    assert (  # the provenance base's check
        "example.org is not a site of the UN system or of a partner organisation: "
        "mark it “copy” or “secondary”." in errors
    )
    assert "Session 99 of the GA falls in 2044–2045, not in 2024." in errors  # the resolution's
    assert not Resolution.objects.filter(number="99/999").exists()


def test_a_session_named_by_its_year_must_be_that_year(admin_client):
    resolution = Resolution.objects.get(body__code="ECOSOC", number="2004/34")
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["session"] = "Substantive session of 2005"
    assert_shown(
        admin_client.post(url, data),
        "The session of 2005 cannot have adopted a resolution in 2004.",
    )


def test_the_reference_sessions_all_fit():
    for resolution in Resolution.objects.select_related("body"):
        resolution.clean()  # raises ValidationError if any does not


def test_link_rows_have_readable_names(admin_client, sc_2199):
    resolution = Resolution.objects.create(body=sc_2199.body, number="9998 (2041)", year=2041)
    partner = Partner.objects.first()
    resolution.partners.add(partner)
    page = admin_client.get(admin_url(Resolution, "delete", resolution.pk)).content.decode()
    assert "Are you sure" in page
    assert "_partners object" not in page
    assert f"{resolution} – {partner}" in page


def test_load_testing_controls_only_where_synthetic_rows_exist(admin_client, sc_2199):
    changelist = admin_url(Resolution, "changelist")
    change = admin_url(Resolution, "change", sc_2199.pk)
    assert not Resolution.objects.filter(is_synthetic=True).exists()
    assert "load-testing rows" not in admin_client.get(changelist).content.decode()
    assert "Load testing" not in admin_client.get(change).content.decode()

    Resolution.objects.create(body=sc_2199.body, number="9999 (2041)", year=2041, is_synthetic=True)
    assert "load-testing rows" in admin_client.get(changelist).content.decode()
    assert "Load testing" in admin_client.get(change).content.decode()
