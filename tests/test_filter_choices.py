"""The filters' choice lists (bodies, instruments, partners; the paragraph list's addressees,
activities, partners, bodies) are read once per data version and kept in the cache
(mandates/filters.py, KeptChoicesField): an unchanged database costs no query for them, any
write shows at once, and a typed value is checked as exactly as before."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from explore.filters import ParagraphFilter
from mandates.filters import ResolutionFilter
from mandates.models import Paragraph, Resolution
from partners.models import Partner

pytestmark = pytest.mark.django_db

LIST = reverse("mandates:resolution-list")
PARAGRAPHS = reverse("explore:paragraph-list")


def test_an_unchanged_database_costs_no_query_for_the_choices(django_assert_num_queries):
    data = QueryDict("body=GA&instrument=untoc&partner=unesco")
    queryset = Resolution.public.for_list()
    assert ResolutionFilter(data, queryset=queryset).is_valid()  # reads and keeps them
    filterset = ResolutionFilter(data, queryset=queryset)
    with django_assert_num_queries(1):  # the data version, and nothing else
        assert filterset.is_valid()
        for name in ("body", "instrument", "partner"):
            assert len(list(filterset.form[name].field.choices)) > 1
    data = filterset.form.cleaned_data
    assert [body.code for body in data["body"]] == ["GA"]
    assert [instrument.slug for instrument in data["instrument"]] == ["untoc"]
    assert [partner.slug for partner in data["partner"]] == ["unesco"]


def test_the_paragraph_filters_keep_their_choices_too(django_assert_num_queries):
    data = QueryDict("body=SC&partner=unesco")
    queryset = Paragraph.public.for_listing()
    assert ParagraphFilter(data, queryset=queryset).is_valid()
    filterset = ParagraphFilter(data, queryset=queryset)
    with django_assert_num_queries(1):
        assert filterset.is_valid()
        for name in ("addressee", "activity", "partner", "body"):
            assert list(filterset.form[name].field.choices)


def test_a_new_partner_is_a_choice_at_once_and_a_removed_one_is_gone(client):
    """Partners have no drafts (only resolutions do: every partner is public), so what the
    kept choices must follow is a partner added or removed."""
    assert client.get(LIST).status_code == 200  # the choices of this data version are kept
    partner = Partner.objects.create(slug="kept", acronym="KEPT", full_name="A new partner")
    for url in (LIST, PARAGRAPHS):
        response = client.get(url)
        shown = [choice.value for choice in response.context["facet_lists"]["partner"].choices]
        assert "kept" in shown, url
    assert client.get(LIST, {"partner": "kept"}).status_code == 200
    partner.delete()
    response = client.get(LIST, {"partner": "kept"})
    assert response.status_code == 400
    assert "There is no partner “kept”." in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"partner": ["unesco", "nope"]}, "There is no partner “nope”."),
        ({"instrument": "untoc-x"}, "There is no instrument “untoc-x”."),
        ({"body": "XX"}, "There is no body “XX”."),
    ],
)
def test_an_unknown_value_is_the_same_error_with_the_choices_kept(client, params, message):
    client.get(LIST)  # the choices kept
    for _ in range(2):
        response = client.get(LIST, params)
        assert response.status_code == 400
        assert message in response.content.decode()
