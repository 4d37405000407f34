"""The admin: every page renders, changelists cost a fixed number of queries, model validation
reaches the staff as form errors, and search finds what they type.

Tests build their own records with the ORM (on top of whatever reference data is loaded), so
they hold with or without it.
"""

import datetime as dt
import itertools

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from core.admin import PROVENANCE_FIELDS
from core.models import Sourced
from instruments.models import Instrument
from mandates.models import (
    Activity,
    Addressee,
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

pytestmark = pytest.mark.django_db

MODELS = [
    Body,
    Addressee,
    Activity,
    Resolution,
    ResolutionInstrument,
    ResolutionCitation,
    Paragraph,
    ExpertGroup,
    ExpertGroupMeeting,
    PageEntry,
    OpenQuestion,
    Instrument,
    Partner,
    PartnerTool,
]

serial = itertools.count(1)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """What the admin form in `response` posts untouched: fields, inlines, management forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[form.add_prefix(name)] = value if isinstance(value, list) else str(value)
    return data


def form_errors(response):
    """Every message the admin form in `response` shows, its inlines' included."""
    form = response.context["adminform"].form
    messages = [message for errors in form.errors.values() for message in errors]
    for inline in response.context["inline_admin_formsets"]:
        for errors in inline.formset.errors:
            messages += [message for field_errors in errors.values() for message in field_errors]
        messages += inline.formset.non_form_errors()
    return messages


def assert_shown(response, message):
    """The form came back (nothing saved) and shows `message`."""
    assert response.status_code == 200, "the form should be re-displayed, not redirect"
    assert message in form_errors(response)
    assert escape(message) in response.content.decode()


# --- Factories --------------------------------------------------------------------------------


@pytest.fixture
def bodies(db):
    """GA and SC: the reference rows if loaded, else made with the same numbering rules."""
    kind = Body.Kind.PRINCIPAL_ORGAN
    ga, _ = Body.objects.get_or_create(
        code="GA",
        defaults={
            "slug": "ga",
            "name": "General Assembly",
            "kind": kind,
            "number_format": r"\d{1,3}/\d{1,4}",
            "symbol_format": "A/RES/{number}",
        },
    )
    sc, _ = Body.objects.get_or_create(
        code="SC",
        defaults={
            "slug": "sc",
            "name": "Security Council",
            "kind": kind,
            "number_format": r"\d{1,4} \((?P<year>\d{4})\)",
            "symbol_format": "S/RES/{number}",
        },
    )
    return {"GA": ga, "SC": sc}


@pytest.fixture
def sc_2199(bodies):
    resolution, _ = Resolution.objects.get_or_create(
        body=bodies["SC"],
        number="2199 (2015)",
        defaults={
            "symbol": "S/RES/2199 (2015)",
            "year": 2015,
            "adopted_on": dt.date(2015, 2, 12),
            "title": "Threats to international peace and security caused by terrorist acts",
        },
    )
    return resolution


@pytest.fixture
def make_records(bodies):
    """One linked record of every model, with unique keys, returned as {model: record}."""

    def make():
        n = next(serial)
        body = Body.objects.create(
            code=f"B{n}",
            slug=f"b{n}",
            name=f"Test commission {n}",
            kind=Body.Kind.FUNCTIONAL_COMMISSION,
            parent=bodies["GA"],
            number_format=r"(?P<year>\d{4})/\d{1,4}",
        )
        resolution = Resolution.objects.create(
            body=body,
            number=f"2090/{n}",
            year=2090,
            adopted_on=dt.date(2090, 5, 1 + n % 28),
            contained_in=f"E/CN.15/2090/{n}",
            title=f"Test resolution {n} on trafficking in cultural property",
        )
        earlier = Resolution.objects.create(body=body, number=f"2089/{n}", year=2089)
        convention = Instrument.objects.create(
            slug=f"convention-{n}",
            short_name=f"Convention {n}",
            title=f"Test Convention {n}",
            kind=Instrument.Kind.CONVENTION,
            adopted_on=dt.date(2000, 11, 15),
        )
        protocol = Instrument.objects.create(
            slug=f"protocol-{n}",
            short_name=f"Protocol {n}",
            title=f"Protocol {n} to Test Convention {n}",
            kind=Instrument.Kind.PROTOCOL,
            parent=convention,
        )
        partner = Partner.objects.create(slug=f"p{n}", acronym=f"P{n}", full_name=f"Partner {n}")
        partner.instruments.add(convention)
        tool = PartnerTool.objects.create(partner=partner, slug="database", name=f"Database {n}")
        addressee = Addressee.objects.create(slug=f"addressee-{n}", name=f"Addressee {n}")
        activity = Activity.objects.create(slug=f"activity-{n}", name=f"Activity {n}")
        link = ResolutionInstrument.objects.create(
            resolution=resolution, instrument=protocol, relation="implements"
        )
        citation = ResolutionCitation.objects.create(citing=resolution, cited=earlier)
        resolution.partners.add(partner)
        paragraph = Paragraph.objects.create(
            resolution=resolution, number=1, verb="requests", summary=f"Asks for report {n}."
        )
        paragraph.addressees.add(addressee)
        paragraph.activities.add(activity)
        paragraph.partners.add(partner)
        group = ExpertGroup.objects.create(slug=f"group-{n}", name=f"Group {n}", reports_to=body)
        meeting = ExpertGroupMeeting.objects.create(
            group=group,
            number=1,
            starts_on=dt.date(2090, 3, 1),
            ends_on=dt.date(2090, 3, 3),
            place="Vienna",
        )
        meeting.mandated_by.add(resolution)
        entry = PageEntry.objects.create(
            position=20000 + n, title=f"Entry {n}", resolution=resolution, mapping_confidence="high"
        )
        question = OpenQuestion.objects.create(slug=f"question-{n}", question=f"Question {n}?")
        question.resolutions.add(resolution)
        question.instruments.add(protocol)
        question.page_entries.add(entry)
        return {
            Body: body,
            Addressee: addressee,
            Activity: activity,
            Resolution: resolution,
            ResolutionInstrument: link,
            ResolutionCitation: citation,
            Paragraph: paragraph,
            ExpertGroup: group,
            ExpertGroupMeeting: meeting,
            PageEntry: entry,
            OpenQuestion: question,
            Instrument: protocol,
            Partner: partner,
            PartnerTool: tool,
        }

    return make


def model_id(model):
    return model.__name__


# --- Every page renders -----------------------------------------------------------------------


def test_every_model_is_registered():
    assert set(MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_add_and_change_pages_render(admin_client, make_records, model):
    record = make_records()[model]
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    response = admin_client.get(admin_url(model, "change", record.pk))
    assert response.status_code == 200
    assert str(record) in response.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_change_form_posted_unchanged_saves(admin_client, make_records, model):
    """The forms round-trip: posting a change form as rendered saves and redirects."""
    record = make_records()[model]
    url = admin_url(model, "change", record.pk)
    response = admin_client.post(url, form_data(admin_client.get(url)))
    assert response.status_code == 302, form_errors(response)


SOURCED_MODELS = [model for model in MODELS if issubclass(model, Sourced)]


@pytest.mark.parametrize("model", SOURCED_MODELS, ids=model_id)
def test_sourced_admins_share_provenance_fieldset_and_filter(admin_client, make_records, model):
    response = admin_client.get(admin_url(model, "change", make_records()[model].pk))
    *_, provenance = response.context["adminform"]
    assert (provenance.name, provenance.fields) == ("Provenance", PROVENANCE_FIELDS)
    response = admin_client.get(admin_url(model, "changelist"))
    assert "verification" in response.context["cl"].list_filter


def test_resolution_fieldsets(admin_client, make_records):
    response = admin_client.get(admin_url(Resolution, "change", make_records()[Resolution].pk))
    names = [fieldset.name for fieldset in response.context["adminform"]]
    assert names == ["Identity", "Adoption", "Content", "Links", "Provenance"]
    form = response.context["adminform"].form
    assert form.fields["sources"].widget.attrs["rows"] == 3  # short texts get small boxes


def test_resolution_change_form_links_to_the_public_page(admin_client, make_records):
    resolution = make_records()[Resolution]
    response = admin_client.get(admin_url(Resolution, "change", resolution.pk))
    content_type = ContentType.objects.get_for_model(Resolution)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, resolution.pk])
    assert view_on_site in response.content.decode()
    response = admin_client.get(view_on_site)
    assert response.status_code == 302
    assert response.url.endswith(resolution.get_absolute_url())


def test_instrument_change_form_lists_its_protocols(admin_client, make_records):
    protocol = make_records()[Instrument]
    response = admin_client.get(admin_url(Instrument, "change", protocol.parent_id))
    assert admin_url(Instrument, "change", protocol.pk) in response.content.decode()


# --- Changelists cost a fixed number of queries -----------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_changelist_query_count_does_not_grow_with_rows(admin_client, make_records):
    """Every model's changelist, counted with one set of records, then with 31: the 30 more are
    made once for all of them (it is most of what the test costs)."""
    make_records()
    before = {}
    for model in MODELS:
        one, response = count_queries(admin_client, admin_url(model, "changelist"))
        before[model] = (one, response.context["cl"].result_count)
    for _ in range(30):
        make_records()
    for model, (one, rows) in before.items():
        thirty_one, response = count_queries(admin_client, admin_url(model, "changelist"))
        assert response.context["cl"].result_count >= rows + 30, model.__name__
        assert thirty_one == one, (
            f"{model.__name__}: {one} queries with 1 row, {thirty_one} with 31"
        )


def test_autocomplete_query_count_does_not_grow_with_rows(admin_client, make_records):
    url = reverse("admin:autocomplete")
    params = {"app_label": "mandates", "model_name": "pageentry", "field_name": "resolution"}
    make_records()
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url, {**params, "term": "2090/"})
    for _ in range(10):
        make_records()
    with CaptureQueriesContext(connection) as eleven:
        response = admin_client.get(url, {**params, "term": "2090/"})
    assert len(response.json()["results"]) >= 11
    assert len(eleven) == len(one)


# --- Search and filters -----------------------------------------------------------------------


def test_search_finds_a_resolution_by_its_number(admin_client, sc_2199, make_records):
    other = make_records()[Resolution]
    response = admin_client.get(admin_url(Resolution, "changelist"), {"q": "2199"})
    results = list(response.context["cl"].result_list)
    assert sc_2199 in results
    assert other not in results


def test_search_by_body_code_and_number(admin_client, sc_2199):
    response = admin_client.get(admin_url(Resolution, "changelist"), {"q": "SC 2199"})
    assert sc_2199 in response.context["cl"].result_list


def test_search_reaches_paragraph_summaries(admin_client, make_records):
    paragraph = make_records()[Paragraph]
    paragraph.summary = "Requests a study of the zyxwvut markets."
    paragraph.save()
    response = admin_client.get(admin_url(Resolution, "changelist"), {"q": "zyxwvut markets"})
    assert list(response.context["cl"].result_list) == [paragraph.resolution]


def test_autocomplete_finds_resolutions(admin_client, sc_2199):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "mandates",
            "model_name": "paragraph",
            "field_name": "resolution",
            "term": "2199",
        },
    )
    assert {"id": str(sc_2199.pk), "text": "SC 2199 (2015)"} in response.json()["results"]


def test_synthetic_rows_are_hidden_unless_asked_for(admin_client, make_records):
    real = make_records()[Resolution]
    synthetic = make_records()[Resolution]
    synthetic.is_synthetic = True
    synthetic.save()
    url = admin_url(Resolution, "changelist")

    response = admin_client.get(url)
    assert real in response.context["cl"].result_list
    assert synthetic not in response.context["cl"].result_list
    assert "is_synthetic" not in response.context["cl"].list_display

    response = admin_client.get(url, {"synthetic": "synthetic"})
    assert list(response.context["cl"].result_list) == [synthetic]

    response = admin_client.get(url, {"synthetic": "all"})
    assert {real, synthetic} <= set(response.context["cl"].result_list)
    assert "is_synthetic" in response.context["cl"].list_display


def test_filters_show_facet_counts(admin_client, make_records):
    body = make_records()[Body]
    response = admin_client.get(admin_url(Resolution, "changelist"))
    assert f"{body} (2)" in response.content.decode()


def test_counts_link_to_the_filtered_resolution_list(admin_client, make_records):
    body = make_records()[Body]
    response = admin_client.get(admin_url(Body, "changelist"), {"q": body.code})
    link = f"{admin_url(Resolution, 'changelist')}?body__id__exact={body.pk}&amp;synthetic=all"
    assert f'<a href="{link}">2</a>' in response.content.decode()


# --- Model validation reaches the form --------------------------------------------------------


@pytest.fixture
def post_resolution(admin_client, bodies):
    """POST the resolution add form: a valid new GA resolution, changed by `fields`."""

    def post(**fields):
        url = admin_url(Resolution, "add")
        data = form_data(admin_client.get(url))
        data.update(
            body=bodies["GA"].pk,
            number="96/175",
            symbol="A/RES/96/175",
            year=2041,
            adopted_on="2041-12-18",
            title="Technical assistance",
        )
        data.update(fields)
        return admin_client.post(url, data)

    return post


def test_valid_resolution_is_saved(post_resolution, bodies):
    response = post_resolution()
    assert response.status_code == 302, form_errors(response)
    saved = Resolution.objects.get(body=bodies["GA"], number="96/175")
    assert saved.slug == "96-175"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"number": "74/175", "symbol": "A/RES/74/999", "year": 2019, "adopted_on": ""},
            "symbol",
            "Resolution 74/175 of the GA is A/RES/74/175.",
        ),
        (
            {"adopted_on": "2042-01-10"},
            "adopted_on",
            "The adoption date must fall in 2041.",
        ),
        (
            {"number": "96-175", "symbol": ""},
            "number",
            "“96-175” is not how the General Assembly numbers resolutions.",
        ),
        (
            {"sources": "official https://example.org/res-96-175"},
            "sources",
            "example.org is not a site of the UN system or of a partner organisation: "
            "mark it “copy” or “secondary”.",
        ),
        (
            {"sources": "undocs.org/A/RES/96/175"},
            "sources",
            "“undocs.org/A/RES/96/175” is not a web address.",
        ),
        (
            {"unverified_fields": ["simbol"]},
            "unverified_fields",
            "Select a valid choice. simbol is not one of the available choices.",
        ),
        (
            {"year": "1900", "adopted_on": ""},
            "__all__",
            "The year must be between 1945 and 2100.",
        ),
    ],
    ids=["symbol", "adopted-on", "number", "official-not-official", "source", "field", "year"],
)
def test_resolution_validation_is_a_form_error(post_resolution, fields, field, message):
    before = Resolution.objects.count()
    response = post_resolution(**fields)
    assert_shown(response, message)
    assert message in response.context["adminform"].form.errors[field]
    assert Resolution.objects.count() == before


def test_number_must_agree_with_year(admin_client, bodies, post_resolution):
    before = Resolution.objects.count()
    response = post_resolution(
        body=bodies["SC"].pk, number="2199 (2015)", symbol="", year=2016, adopted_on=""
    )
    assert_shown(response, "The number 2199 (2015) says 2015.")
    assert Resolution.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"number": "96/175", "year": 2041, "session": "95th session"},
            "session",
            "Resolution 96/175 was adopted at session 96, not 95.",
        ),
        (
            {"number": "99/999", "symbol": "A/RES/99/999", "year": 2024, "adopted_on": ""},
            "number",
            "Session 99 of the GA falls in 2044–2045, not in 2024.",
        ),
    ],
    ids=["session-against-number", "number-against-year"],
)
def test_a_session_must_fit_the_number_and_year(post_resolution, fields, field, message):
    response = post_resolution(**fields)
    assert_shown(response, message)
    assert message in response.context["adminform"].form.errors[field]


def test_duplicate_symbol_is_a_form_error(post_resolution, bodies):
    # A record saved with another body's symbol, by mistake: the GA resolution cannot take it.
    Resolution.objects.create(
        body=bodies["SC"], number="9999 (2041)", year=2041, symbol="A/RES/96/175"
    )
    before = Resolution.objects.count()
    assert_shown(post_resolution(), "Another resolution already has this symbol.")
    assert Resolution.objects.count() == before


def test_duplicate_number_is_a_form_error(post_resolution, bodies):
    Resolution.objects.create(body=bodies["GA"], number="96/175", year=2041)
    before = Resolution.objects.count()
    response = post_resolution(symbol="")
    assert_shown(response, "This body already has a resolution with this number.")
    assert Resolution.objects.count() == before


def test_change_form_keeps_the_record_when_invalid(admin_client, make_records):
    resolution = make_records()[Resolution]
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["adopted_on"] = "2091-01-01"
    response = admin_client.post(url, data)
    assert_shown(response, "The adoption date must fall in 2090.")
    resolution.refresh_from_db()
    assert resolution.adopted_on.year == 2090


def test_inline_validation_is_a_form_error(admin_client, make_records):
    resolution = make_records()[Resolution]
    url = admin_url(Resolution, "change", resolution.pk)
    data = form_data(admin_client.get(url))
    data["citation_links-0-cited"] = str(resolution.pk)
    response = admin_client.post(url, data)
    assert_shown(response, "A resolution cannot cite itself.")
    assert not ResolutionCitation.objects.filter(citing=resolution, cited=resolution).exists()


def test_instrument_in_force_before_adoption_is_a_form_error(admin_client):
    url = admin_url(Instrument, "add")
    data = form_data(admin_client.get(url))
    data.update(
        slug="test-convention",
        short_name="Test Convention",
        title="Test Convention",
        kind="convention",
        adopted_on="2000-11-15",
        entry_into_force="2000-01-01",
    )
    before = Instrument.objects.count()
    response = admin_client.post(url, data)
    assert_shown(response, "Entry into force cannot come before adoption.")
    assert "entry_into_force" in response.context["adminform"].form.errors
    assert Instrument.objects.count() == before


def test_protocol_without_convention_is_a_form_error(admin_client):
    url = admin_url(Instrument, "add")
    data = form_data(admin_client.get(url))
    data.update(slug="test-protocol", short_name="Test Protocol", title="P", kind="protocol")
    before = Instrument.objects.count()
    assert_shown(admin_client.post(url, data), "A protocol belongs to a convention: choose it.")
    assert Instrument.objects.count() == before


def test_meeting_ending_before_it_starts_is_a_form_error(admin_client, make_records):
    group = make_records()[ExpertGroup]
    url = admin_url(ExpertGroupMeeting, "add")
    data = form_data(admin_client.get(url))
    data.update(
        group=group.pk, number=2, starts_on="2090-03-03", ends_on="2090-03-01", place="Vienna"
    )
    before = ExpertGroupMeeting.objects.count()
    assert_shown(admin_client.post(url, data), "A meeting cannot end before it starts.")
    assert ExpertGroupMeeting.objects.count() == before


def test_unmapped_page_entry_must_be_unresolved(admin_client):
    url = admin_url(PageEntry, "add")
    data = form_data(admin_client.get(url))
    data.update(position=30000, title="An entry", mapping_confidence="high")
    before = PageEntry.objects.count()
    assert_shown(admin_client.post(url, data), "An entry without a resolution is unresolved.")
    assert PageEntry.objects.count() == before


def test_body_number_format_must_be_a_regular_expression(admin_client):
    url = admin_url(Body, "add")
    data = form_data(admin_client.get(url))
    data.update(code="X", slug="x", name="X", kind="congress", number_format="(unclosed")
    before = Body.objects.count()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "number_format" in response.context["adminform"].form.errors
    assert Body.objects.count() == before
