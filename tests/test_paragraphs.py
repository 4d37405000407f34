"""/paragraphs/: "What mandates UNODC to do X?", operative paragraphs by addressee, verb,
activity, partner, body, year and tagging."""

import pytest
from django.urls import reverse

from mandates.models import (
    Paragraph,
)

pytestmark = pytest.mark.django_db

PARAGRAPHS = reverse("explore:paragraph-list")


def paragraphs_listed(response):
    return [str(p) for p in response.context["object_list"]]


# --- paragraphs -----------------------------------------------------------------------------------


def test_every_paragraph_is_listed_untagged_ones_too(client):
    response = client.get(PARAGRAPHS)
    assert response.status_code == 200
    assert response.context["paginator"].count == Paragraph.objects.count()
    content = response.content.decode()
    assert "GA 74/175, para. 21" in paragraphs_listed(response)
    assert content.count(">untagged</span>") == Paragraph.objects.untagged().count() == 2
    assert "Text not seen" in content


def test_addressee_filter_lists_paragraphs_with_anchor_and_citation(client):
    response = client.get(PARAGRAPHS, {"addressee": "unodc"})
    assert paragraphs_listed(response) == ["SC 2322 (2016), para. 12"]
    content = response.content.decode()
    assert "Security Council resolution 2322 (2016), para. 12" in content
    assert 'href="/resolutions/sc/2322-2016/#para-12"' in content
    # the anchor exists on the resolution page
    page = client.get("/resolutions/sc/2322-2016/").content.decode()
    assert 'id="para-12"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"addressee": ["unodc", "secretary-general"]},
            {"SC 2322 (2016), para. 12", "SC 2347 (2017), para. 22"},
        ),
        ({"partner": "unesco"}, {"SC 2322 (2016), para. 12"}),
        ({"verb": "requests"}, {"SC 2347 (2017), para. 8", "SC 2347 (2017), para. 22"}),
        (
            {"verb": ["requests", "urges"]},
            {"SC 2347 (2017), para. 8", "SC 2347 (2017), para. 22", "SC 2322 (2016), para. 12"},
        ),
        ({"activity": "reporting"}, {"SC 2347 (2017), para. 22"}),
        ({"body": "GA"}, {"GA 74/175, para. 21"}),
        ({"body": ["GA", "COP"]}, {"GA 74/175, para. 21", "COP 6/1, para. 14"}),
        (
            {"year_from": 2016, "year_to": 2017},
            {"SC 2322 (2016), para. 12", "SC 2347 (2017), para. 8", "SC 2347 (2017), para. 22"},
        ),
        ({"tagged": "no"}, {"GA 74/175, para. 21", "COP 6/1, para. 14"}),
        ({"body": "SC", "verb": "requests", "activity": "reporting"}, {"SC 2347 (2017), para. 22"}),
        (
            {"addressee": "member-states", "year_to": 2016},
            {"SC 2199 (2015), para. 17", "SC 2322 (2016), para. 12"},
        ),
    ],
)
def test_each_paragraph_filter(client, query, expected):
    response = client.get(PARAGRAPHS, query)
    assert response.status_code == 200
    assert set(paragraphs_listed(response)) == expected


def test_tagged_yes_is_the_complement_of_no(client):
    tagged = client.get(PARAGRAPHS, {"tagged": "yes"}).context["paginator"].count
    untagged = client.get(PARAGRAPHS, {"tagged": "no"}).context["paginator"].count
    assert tagged == Paragraph.objects.tagged().count() == 6
    assert tagged + untagged == Paragraph.objects.count()


def test_new_untagged_paragraph_is_shown_not_hidden(client, make_mandate):
    resolution = make_mandate(paragraphs=1, tagged=False)
    response = client.get(PARAGRAPHS, {"tagged": "no", "year_from": resolution.year, "body": "GA"})
    assert f"GA {resolution.number}, para. 1" in paragraphs_listed(response)


def test_paragraph_facets_apply_the_other_filters(client):
    response = client.get(PARAGRAPHS, {"body": "SC", "verb": "requests"})
    facets = response.context["facets"]
    # the body facet ignores the body filter, keeps the verb filter
    assert facets["body"] == {"SC": 2}
    # the verb facet ignores the verb filter, keeps the body filter
    assert facets["verb"] == {"condemns": 1, "notes": 1, "decides": 1, "urges": 1, "requests": 2}
    assert facets["addressee"] == {"member-states": 1, "secretary-general": 1}
    assert facets["activity"] == {"trade-controls": 1, "reporting": 1}
    assert facets["tagged"] == {"yes": 2, "no": 0}
    assert facets["year"] == {2017: 2}


def test_paragraph_facets_show_on_the_first_visit(client):
    facets = client.get(PARAGRAPHS).context["facets"]
    assert facets["body"] == {"SC": 6, "GA": 1, "COP": 1}
    assert facets["addressee"]["member-states"] == 3
    assert facets["partner"] == {"unesco": 1, "interpol": 1}
    assert facets["tagged"] == {"yes": 6, "no": 2}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"addressee": "nobody"}, "There is no addressee “nobody”"),
        ({"verb": "shouts"}, "There is no operative verb “shouts”"),
        ({"activity": "knitting"}, "There is no activity “knitting”"),
        ({"partner": "acme"}, "There is no partner “acme”"),
        ({"body": "XYZ"}, "There is no body “XYZ”"),
        ({"year_from": "abc"}, "Enter a whole number"),
        ({"tagged": "maybe"}, "Tagged is “yes” or “no”, not “maybe”"),
    ],
)
def test_unknown_paragraph_filter_values_are_400_with_reasons(client, query, message):
    response = client.get(PARAGRAPHS, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["paginator"].count == 0


def test_each_selected_paragraph_filter_can_be_removed_alone(client):
    response = client.get(PARAGRAPHS + "?body=SC&verb=requests&tagged=yes")
    selected = {item["label"]: item["query"] for item in response.context["selected"]}
    assert selected["SC"] == "verb=requests&tagged=yes"
    assert selected["Requests"] == "body=SC&tagged=yes"
    assert selected["Tagged"] == "body=SC&verb=requests"


def test_paragraph_pagination_keeps_filters(client, make_mandate):
    for _ in range(14):
        make_mandate(year=2031, paragraphs=2)
    response = client.get(PARAGRAPHS, {"year_from": 2031, "addressee": "unodc"})
    assert response.context["paginator"].count == 28
    assert 'href="?year_from=2031&amp;addressee=unodc&amp;page=2"' in response.content.decode()
    page2 = client.get(PARAGRAPHS, {"year_from": 2031, "addressee": "unodc", "page": 2})
    assert len(page2.context["object_list"]) == 3
