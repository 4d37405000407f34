"""The researcher's day (issue 16) without a browser: the filters' disclosure, search that shows
why a record matched, case-insensitive parameters, reversed years, facets that lead nowhere."""

import re

import pytest
from django.urls import reverse

from mandates.models import Resolution

pytestmark = pytest.mark.django_db

LIST = reverse("mandates:resolution-list")
PARAGRAPHS = reverse("explore:paragraph-list")


def listed(response):
    return [r.get_absolute_url() for r in response.context["object_list"]]


# --- 1. phone first -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, PARAGRAPHS])
def test_filters_sit_in_a_disclosure_that_counts_them_and_lands_on_the_results(client, url):
    content = client.get(url, {"body": ["SC", "GA"], "year_from": 2015}).content.decode()
    details = re.search(
        r'<details class="filters-disclosure"( open)?>\s*<summary>([^<]*)<', content
    )
    assert details and details.group(1) is None  # closed: the results come first
    assert details.group(2) == "Filters (3)"
    assert re.search(r'<form class="filters" method="get" action="[^"]+#results"', content)
    assert '<section id="results"' in content


def test_disclosure_opens_when_a_filter_needs_correcting(client):
    content = client.get(LIST, {"year_from": "abc"}).content.decode()
    assert '<details class="filters-disclosure" open>' in content


def test_a_row_without_links_has_no_links_label(client):
    content = client.get(LIST, {"body": "SC", "year_from": 2017, "year_to": 2017}).content.decode()
    rows = re.findall(r"<tr>.*?</tr>", content, re.S)[1:]
    assert rows
    for row in rows:
        links_cell = re.search(r'<td([^>]*) class="links">(.*?)</td>', row, re.S)
        assert ('data-label="Links"' in links_cell.group(1)) == bool(links_cell.group(2).strip())
    assert any('class="links"></td>' in row for row in rows)  # SC 2368 (2017) has none


# --- 2. search that shows why ---------------------------------------------------------------


def test_search_marks_the_words_in_title_summary_and_a_paragraph_snippet(client):
    content = client.get(LIST, {"q": "Iraqi"}).content.decode()
    snippet = re.search(
        r'<small class="snippet"><a href="/resolutions/sc/2199-2015/#para-17">para\. 17</a>: '
        r'<span lang="en">(.*?)</span></small>',
        content,
    )
    assert snippet, "a snippet of SC 2199's paragraph 17, linked to it"
    assert "<mark>Iraqi</mark>" in snippet.group(1)
    summary = Resolution.objects.get(slug="2199-2015").summary
    start = summary.index("Iraqi")
    assert start > 200  # far into the summary: the snippet is centred on it, not cut before
    assert re.search(r'<small lang="en">… [^<]*<mark>Iraqi</mark>', content)


def test_sort_control_says_relevance_when_searching(client):
    response = client.get(LIST, {"q": "cultural property"})
    content = response.content.decode()
    options = re.findall(r'<option value="(\w+)"', content)
    assert options[0] == "relevance"  # the first, so what the control shows
    assert "sorted by relevance" in content
    response = client.get(LIST)
    assert "relevance" not in re.findall(r'<option value="(\w+)"', response.content.decode())
    assert "sorted by newest first" in response.content.decode()


def test_relevance_without_keywords_is_the_default_order(client):
    response = client.get(LIST, {"sort": "relevance"})
    assert response.status_code == 200
    assert listed(response) == listed(client.get(LIST))


def test_relevance_ranks_the_best_match_first(client):
    results = listed(client.get(LIST, {"q": "Iraqi"}))
    newest = listed(client.get(LIST, {"q": "Iraqi", "sort": "newest"}))
    assert sorted(results) == sorted(newest)


def test_header_search_box_keeps_the_query(client):
    content = client.get(LIST, {"q": "looted & sold"}).content.decode()
    box = re.search(r'<input id="site-search-q"[^>]*>', content).group()
    assert 'value="looted &amp; sold"' in box


@pytest.mark.parametrize(
    "lower, upper",
    [
        ({"body": "ga"}, {"body": "GA"}),
        ({"body": "Sc"}, {"body": "SC"}),
        ({"instrument": "UNTOC"}, {"instrument": "untoc"}),
        ({"partner": "UNESCO"}, {"partner": "unesco"}),
    ],
)
def test_parameter_values_are_case_insensitive(client, lower, upper):
    response = client.get(LIST, lower)
    assert response.status_code == 200
    assert listed(response) == listed(client.get(LIST, upper))
    value = next(iter(upper.values()))
    assert re.search(rf'value="{value}"[^>]* checked', response.content.decode())


@pytest.mark.parametrize("url", [LIST, PARAGRAPHS])
def test_body_on_the_paragraph_page_is_case_insensitive_too(client, url):
    assert client.get(url, {"body": "sc"}).status_code == 200


@pytest.mark.parametrize("url", [LIST, PARAGRAPHS])
def test_reversed_years_are_a_400_naming_both(client, url):
    response = client.get(url, {"year_from": 2017, "year_to": 2015})
    assert response.status_code == 400
    content = response.content.decode()
    assert re.search(r'role="alert".*2017.*2015', content, re.S)


def test_reversed_years_are_a_400_in_the_exports_too(client):
    url = reverse("mandates:export", args=["csv"])
    assert client.get(url, {"year_from": 2017, "year_to": 2015}).status_code == 400


# --- 5. never a dead end --------------------------------------------------------------------


def test_a_facet_choice_with_nothing_to_show_is_greyed_and_cannot_be_ticked(client):
    response = client.get(LIST, {"body": "SC"})
    content = response.content.decode()
    counts = response.context["facets"]["instrument"]
    for checkbox in re.findall(r'<input type="checkbox" name="instrument"[^>]*>', content):
        slug = re.search(r'value="([^"]+)"', checkbox).group(1)
        assert ("disabled" in checkbox) == (not counts.get(slug)), checkbox
    assert any("disabled" in c for c in re.findall(r"<input[^>]*>", content))


def test_a_ticked_choice_stays_tickable_even_at_zero(client):
    content = client.get(LIST, {"body": "SC", "partner": "icom"}).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="partner" value="icom"[^>]*>', content)
    assert "checked" in checkbox.group() and "disabled" not in checkbox.group()


def test_year_links_lead_to_results(client):
    response = client.get(LIST, {"body": "CCPCJ"})
    for _label, start, end, n in response.context["year_facets"]:
        assert n > 0
        shown = client.get(LIST, {"body": "CCPCJ", "year_from": start, "year_to": end})
        assert shown.context["page_obj"].paginator.count == n


# --- 4. titles and file names that name the filters -------------------------------------------


@pytest.mark.parametrize(
    "params, title",
    [
        ({}, "Resolutions"),
        (
            {"body": "SC", "year_from": 2015, "year_to": 2017},
            "Security Council resolutions, 2015–2017",
        ),
        (
            {"body": ["GA", "SC"], "year_from": 2015},
            "General Assembly and Security Council resolutions, from 2015",
        ),
        ({"instrument": "untoc", "year_to": 2010}, "Resolutions, to 2010, linked to UNTOC"),
        ({"partner": "unesco", "q": "looting"}, "Resolutions, naming UNESCO, matching “looting”"),
    ],
)
def test_page_title_names_the_filters(client, params, title):
    content = client.get(LIST, params).content.decode()
    assert f"<title>{title} — Mandate Reference</title>" in content.replace("&ldquo;", "“")


def test_page_title_in_french(client):
    content = client.get("/fr" + LIST, {"body": "SC", "year_from": 2015, "year_to": 2017}).content
    assert "<title>Résolutions du Conseil de sécurité, 2015–2017 — " in content.decode()


@pytest.mark.parametrize(
    "params, filename",
    [
        ({}, "resolutions.csv"),
        ({"body": "SC", "year_from": 2015, "year_to": 2017}, "resolutions-sc-2015-2017.csv"),
        ({"body": "sc", "year_from": 2015, "year_to": 2015}, "resolutions-sc-2015.csv"),
        ({"partner": "unesco", "q": "Looted art"}, "resolutions-unesco-looted-art.csv"),
        ({"year_from": 2010}, "resolutions-from-2010.csv"),
    ],
)
def test_export_file_is_named_after_the_filters(client, params, filename):
    response = client.get(reverse("mandates:export", args=["csv"]), params)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_other_formats_are_named_alike(client):
    response = client.get(reverse("mandates:export", args=["bib"]), {"body": "GA"})
    assert response["Content-Disposition"] == 'attachment; filename="resolutions-ga.bib"'
