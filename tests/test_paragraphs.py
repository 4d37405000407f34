"""/paragraphs/: "What mandates UNODC to do X?", operative paragraphs by addressee, verb,
activity, partner, body, year and tagging."""

import pytest
from django.db.models import Q
from django.urls import reverse

from mandates.models import Addressee, Paragraph

pytestmark = pytest.mark.django_db

PARAGRAPHS = reverse("explore:paragraph-list")


def paragraphs_listed(response):
    return [str(p) for p in response.context["object_list"]]


# --- paragraphs -----------------------------------------------------------------------------------


# What each filter means, said with the ORM: the page must list exactly these paragraphs.
MEANING = {
    "addressee": lambda v: Q(addressees__slug__in=v),
    "partner": lambda v: Q(partners__slug__in=v),
    "verb": lambda v: Q(verb__in=v),
    "activity": lambda v: Q(activities__slug__in=v),
    "body": lambda v: Q(resolution__body__code__in=v),
    "year_from": lambda v: Q(resolution__year__gte=v[0]),
    "year_to": lambda v: Q(resolution__year__lte=v[0]),
}


def meant(query, without=()):
    """The paragraphs `query` asks for, by the ORM (every filter but `without`); with
    assistance=include, an addressee also matches the paragraphs naming its assistance."""
    paragraphs = Paragraph.objects.all()
    for name, value in query.items():
        if name in without or name == "assistance":
            continue
        values = value if isinstance(value, list) else [value]
        if name == "addressee" and "assistance" in query and "assistance" not in without:
            paragraphs = paragraphs.filter(
                Q(addressees__slug__in=values) | Q(assisted_by__slug__in=values)
            )
        elif name == "tagged":
            paragraphs = paragraphs.tagged() if value == "yes" else paragraphs.untagged()
        else:
            paragraphs = paragraphs.filter(MEANING[name](values))
    return Paragraph.objects.filter(pk__in=paragraphs.values("pk"))


def test_every_paragraph_is_listed_untagged_ones_too(client):
    response = client.get(PARAGRAPHS)
    assert response.status_code == 200
    assert response.context["paginator"].count == Paragraph.objects.count()
    content = response.content.decode()
    untagged = Paragraph.objects.untagged().count()
    assert untagged and content.count(">untagged</span>") == untagged
    assert "Text not seen" in content


def test_addressee_filter_lists_paragraphs_with_anchor_and_citation(client):
    for slug in ("unodc", "member-states"):
        response = client.get(PARAGRAPHS, {"addressee": slug})
        wanted = meant({"addressee": slug})
        assert wanted and set(paragraphs_listed(response)) == {str(p) for p in wanted}
    numbered = wanted.filter(number__isnull=False).select_related("resolution__body").first()
    content = response.content.decode()
    assert numbered.citation in content
    url = numbered.resolution.get_absolute_url()
    assert f'href="{url}#para-{numbered.number}"' in content
    # the anchor exists on the resolution page
    assert f'id="para-{numbered.number}"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"addressee": ["unodc", "secretary-general"]},
        {"partner": "unesco"},
        {"verb": "requests"},
        {"verb": ["requests", "urges"]},
        {"activity": "reporting"},
        {"body": "GA"},
        {"body": ["GA", "COP"]},
        {"year_from": 2016, "year_to": 2017},
        {"tagged": "no"},
        {"body": "SC", "verb": "requests", "activity": "reporting"},
        {"addressee": "member-states", "year_to": 2016},
        {"addressee": "unodc", "assistance": "include"},
        {"addressee": "unodc", "assistance": "include", "body": "SC"},
        {"addressee": ["unodc", "secretary-general"], "assistance": "include", "year_to": 2016},
    ],
)
def test_each_paragraph_filter(client, query):
    response = client.get(PARAGRAPHS, query)
    assert response.status_code == 200
    expected = {str(p) for p in meant(query)}
    assert expected, "the reference data has paragraphs for each of these filters"
    assert set(paragraphs_listed(response)) == expected


def test_tagged_yes_is_the_complement_of_no(client):
    tagged = client.get(PARAGRAPHS, {"tagged": "yes"}).context["paginator"].count
    untagged = client.get(PARAGRAPHS, {"tagged": "no"}).context["paginator"].count
    assert tagged == Paragraph.objects.tagged().count() > 0
    assert tagged + untagged == Paragraph.objects.count()


def test_new_untagged_paragraph_is_shown_not_hidden(client, make_mandate):
    resolution = make_mandate(paragraphs=1, tagged=False)
    response = client.get(PARAGRAPHS, {"tagged": "no", "year_from": resolution.year, "body": "GA"})
    assert f"GA {resolution.number}, para. 1" in paragraphs_listed(response)


def facets_meant(query):
    """Each facet's counts as the ORM gives them: every filter but the facet's own."""

    def count(name, path, own=None):
        rows = meant(query, without=own or (name,)).values_list(path, flat=True)
        counts = {}
        for value in rows:
            if value not in (None, ""):
                counts[value] = counts.get(value, 0) + 1
        return counts

    tagged = meant(query, without=("tagged",))
    others = meant(query, without=("addressee",))
    addressee = {
        a.slug: n
        for a in Addressee.objects.all()
        if (
            n := others.filter(
                Q(addressees=a) | Q(assisted_by=a) if "assistance" in query else Q(addressees=a)
            )
            .distinct()
            .count()
        )
    }
    return {
        "body": count("body", "resolution__body__code"),
        "verb": count("verb", "verb"),
        "addressee": addressee,
        "assistance": {"include": meant({**query, "assistance": "include"}).count()},
        "activity": count("activity", "activities__slug"),
        "partner": count("partner", "partners__slug"),
        "year": count("year", "resolution__year", own=("year_from", "year_to")),
        "tagged": {"yes": tagged.tagged().count(), "no": tagged.untagged().count()},
    }


@pytest.mark.parametrize(
    "query",
    [
        {"body": "SC", "verb": "requests"},
        {},
        {"addressee": "unodc", "body": "SC"},
        {"addressee": "unodc", "assistance": "include", "year_from": 2010},
        # A paragraph matched through two of its tags is counted once in every other facet.
        {"activity": ["technical-assistance", "expert-group", "data-collection"]},
        {"partner": ["interpol", "unesco"], "tagged": "yes"},
    ],
)
def test_paragraph_facets_apply_the_other_filters(client, query):
    """Shown on the first visit too (no parameter: every paragraph, every facet)."""
    facets = client.get(PARAGRAPHS, query).context["facets"]
    assert facets == facets_meant(query)
    assert facets["body"] and facets["addressee"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"addressee": "nobody"}, "There is no addressee “nobody”"),
        ({"verb": "shouts"}, "There is no operative verb “shouts”"),
        ({"activity": "knitting"}, "There is no activity “knitting”"),
        ({"partner": "acme"}, "There is no partner “acme”"),
        ({"body": "XYZ"}, "There is no body “XYZ”"),
        ({"year_from": "abc"}, "“abc” is not a year"),
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
