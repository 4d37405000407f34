"""The drawings: the citation graph, a record page's neighbourhood, the timeline and the matrix."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from explore import graph as explore_graph
from mandates.models import (
    Body,
    ExpertGroupMeeting,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)

pytestmark = pytest.mark.django_db

GRAPH = reverse("explore:graph")
TIMELINE = reverse("explore:timeline")
MATRIX = reverse("explore:matrix")
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(content, css_class="graph-svg"):
    """The first inline <svg> of the page with that class, parsed as XML (so: well-formed)."""
    match = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="' + css_class + r".*?</svg>", content, re.S
    )
    assert match, f"no <svg class={css_class}>"
    return ET.fromstring(match.group(0))


# --- the citation graph ---------------------------------------------------------------------------


def test_graph_is_an_accessible_svg_of_links(client):
    response = client.get(GRAPH)
    assert response.status_code == 200
    content = response.content.decode()
    svg = svg_of(content)
    assert svg.find(f"{SVG}title").text.strip()
    assert svg.find(f"{SVG}desc").text.strip()
    assert svg.get("aria-labelledby") and svg.get("aria-describedby")
    nodes = svg.findall(f".//{SVG}g[@class='graph-nodes']/{SVG}a")
    assert nodes
    for node in nodes:  # every node is a link to its record, with a name
        assert node.get("href").startswith("/")
        assert node.find(f"{SVG}title").text.strip()
    real = Resolution.objects.real()
    hrefs = {node.get("href") for node in nodes}
    assert {r.get_absolute_url() for r in real} <= hrefs
    assert "/instruments/untoc/" in hrefs and "/partners/unesco/" in hrefs
    # the text alternative lists as many links as the drawing has lines
    edges = svg.findall(f".//{SVG}path[@class='graph-edge']")
    assert (
        len(edges) == content.count('<tr class="edge-row"') == len(response.context["graph"].edges)
    )
    expected = (
        ResolutionInstrument.objects.filter(resolution__is_synthetic=False).count()
        + ResolutionCitation.objects.filter(
            citing__is_synthetic=False, cited__is_synthetic=False
        ).count()
        + Resolution.partners.through.objects.filter(resolution__is_synthetic=False).count()
    )
    assert len(edges) == expected


def test_graph_draws_typed_edges(client):
    response = client.get(GRAPH)
    content = response.content.decode()
    sentences = {e.sentence for e in response.context["graph"].edges}
    assert "GA 55/25 — adopts — UNTOC" in sentences
    assert "GA 66/180 — recalls — ECOSOC 2010/19" in sentences
    assert "GA 66/180 — was adopted on the recommendation of — ECOSOC 2011/42" in sentences
    assert "SC 2347 (2017) — names — WCO" in sentences
    assert "GA 55/25 — adopts — UNTOC" in content  # the line's own <title>
    assert re.search(
        r'<a href="/resolutions/ga/55-25/">GA 55/25</a></td>\s*<td[^>]*>.*?adopts.*?</td>\s*'
        r'<td[^>]*><a href="/instruments/untoc/">UNTOC</a>',
        content,
    )
    relations = {e.get("data-relation") for e in svg_of(content).iter(f"{SVG}path")} - {None}
    assert relations == {
        "adopts",
        "endorses",
        "implements",
        "refers-to",
        "recalls",
        "reaffirms",
        "welcomes",
        "recommended-by",
        "names",
    }


def test_graph_legend_names_each_type_not_by_colour_alone(client):
    response = client.get(GRAPH)
    content = response.content.decode()
    kinds = response.context["graph"].kinds
    dashes = [k.dash for k in kinds if k.family == "instrument"]
    assert len(set(dashes)) == len(dashes)  # told apart by dash pattern within a family
    for kind in kinds:
        assert f"</svg> {kind.label}</li>" in content


def test_graph_leaves_out_synthetic_records(client, make_mandate):
    synthetic = make_mandate(synthetic=True)
    hrefs = {n.url for n in client.get(GRAPH).context["graph"].nodes}
    assert synthetic.get_absolute_url() not in hrefs


def test_graph_filters_by_body_and_years(client):
    response = client.get(GRAPH, {"body": "SC", "year_from": 2015})
    nodes = [n for n in response.context["graph"].nodes if n.kind == "resolution"]
    chosen = Resolution.objects.real().filter(body__code="SC", year__gte=2015)
    assert chosen.exists()
    assert {n.label for n in nodes} == {
        f"SC {number}" for number in chosen.values_list("number", flat=True)
    }
    response = client.get(GRAPH, {"body": "XX", "year_to": "soon"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is no body “XX”" in content and "“soon” is not a year" in content


def test_graph_says_so_when_there_are_too_many_nodes(client, monkeypatch):
    monkeypatch.setattr(explore_graph, "GRAPH_CAP", 10)
    response = client.get(GRAPH)
    assert response.status_code == 200
    assert response.context["graph"].too_many
    content = response.content.decode()
    assert "Too many records to draw" in content
    assert 'class="graph-svg' not in content
    narrower = client.get(GRAPH, {"body": "CCPCJ"}).context["graph"]
    assert not narrower.too_many and len(narrower.nodes) == 1


def edge_titles(svg):
    return {
        p.find(f"{SVG}title").text for p in svg.iter(f"{SVG}path") if p.get("class") == "graph-edge"
    }


def test_resolution_page_draws_its_neighbourhood(client):
    content = client.get("/resolutions/ga/66-180/").content.decode()
    svg = svg_of(content)
    titles = edge_titles(svg)
    assert "GA 66/180 — recalls — ECOSOC 2004/34" in titles
    assert "GA 66/180 — refers to — Salvador Declaration" in titles
    hrefs = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert "/resolutions/ecosoc/2011-42/" in hrefs
    # and in the other direction: what cites ECOSOC 2010/19
    titles = edge_titles(svg_of(client.get("/resolutions/ecosoc/2010-19/").content.decode()))
    assert "COP 5/7 — welcomes — ECOSOC 2010/19" in titles
    assert "ECOSOC 2010/19 — names — INTERPOL" in titles
    # a resolution with no recorded link has no drawing
    assert 'class="graph-svg' not in client.get("/resolutions/ccpcj/27-5/").content.decode()


# --- the timeline ---------------------------------------------------------------------------------


def test_timeline_has_a_row_per_body_and_the_meetings(client):
    response = client.get(TIMELINE)
    assert response.status_code == 200
    content = response.content.decode()
    svg = svg_of(content, "graph-svg timeline-svg")
    assert svg.find(f"{SVG}title").text.strip() and svg.find(f"{SVG}desc").text.strip()
    rows = [g.get("data-row") for g in svg.iter(f"{SVG}g") if g.get("class") == "timeline-row"]
    bodies = list(
        Body.objects.filter(resolutions__is_synthetic=False)
        .distinct()
        .values_list("code", flat=True)
    )
    assert sorted(rows) == sorted(bodies)
    assert len(rows) == len(set(rows))
    marks = [a for a in svg.iter(f"{SVG}a") if (a.get("class") or "").startswith("timeline-mark")]
    resolution_marks = [
        a for a in marks if a.get("class") == "timeline-mark timeline-mark--resolution"
    ]
    meeting_marks = [a for a in marks if a.get("class") == "timeline-mark timeline-mark--meeting"]
    assert len(resolution_marks) == Resolution.objects.real().count()
    assert len(meeting_marks) == ExpertGroupMeeting.objects.count() == 3
    for a in marks:  # every mark is a link
        assert a.get("href").startswith("/")
    assert "/expert-group/cultural-property-expert-group/#meeting-2" in {
        a.get("href") for a in meeting_marks
    }


def test_timeline_draws_and_lists_the_path_of_a_text(client):
    response = client.get(TIMELINE)
    content = response.content.decode()
    timeline = response.context["timeline"]
    chains = [[f"{r.body.code} {r.number}" for r in chain] for chain in timeline.chains]
    assert ["ECOSOC 2011/42", "GA 66/180"] in chains
    connectors = [
        p
        for p in svg_of(content, "graph-svg timeline-svg").iter(f"{SVG}path")
        if p.get("class") == "timeline-chain"
    ]
    assert len(connectors) == ResolutionCitation.objects.recommendations().count() == 1
    assert re.search(
        r'<li class="chain"><a href="/resolutions/ecosoc/2011-42/">ECOSOC 2011/42</a>.*?'
        r'<a href="/resolutions/ga/66-180/">GA 66/180</a>',
        content,
    )


def test_timeline_table_by_year(client, make_mandate):
    synthetic = make_mandate(year=2024, synthetic=True)
    response = client.get(TIMELINE)
    content = response.content.decode()
    years = [year for year, _, _ in response.context["timeline"].by_year]
    resolution_years = set(Resolution.objects.real().values_list("year", flat=True))
    meeting_years = {m.starts_on.year for m in ExpertGroupMeeting.objects.all()}  # 2024 too
    assert years == sorted(resolution_years | meeting_years)
    assert synthetic.get_absolute_url() not in content
    assert '<th scope="row" data-label="Year">2011</th>' in content


def test_timeline_chains_follow_several_steps(client, make_mandate):
    first, second, third = make_mandate(year=2040), make_mandate(year=2041), make_mandate(year=2042)
    chains = client.get(TIMELINE).context["timeline"].chains
    assert [first, second, third] in chains


# --- the matrix -----------------------------------------------------------------------------------


def test_matrix_counts_match_the_lists_they_link_to(client):
    response = client.get(MATRIX)
    assert response.status_code == 200
    content = response.content.decode()
    for partner, cells, _total in response.context["partner_rows"]:
        for body, n in cells:
            assert (
                n
                == Resolution.objects.filter(
                    partners__slug=partner.slug, body__code=body.code
                ).count()
            )
    for instrument, cells, _total in response.context["instrument_rows"]:
        for body, n in cells:
            assert (
                n
                == Resolution.objects.filter(
                    instruments__slug=instrument.slug, body__code=body.code
                )
                .distinct()
                .count()
            )
    # Each count is a link to the list it counts.
    n = Resolution.objects.filter(partners__slug="unesco", body__code="SC").count()
    assert n and f'<a href="/resolutions/?partner=unesco&amp;body=SC">{n}</a>' in content
    listed = client.get(reverse("mandates:resolution-list"), {"partner": "unesco", "body": "SC"})
    assert listed.context["paginator"].count == n
    n = Resolution.objects.filter(instruments__slug="untoc", body__code="COP").distinct().count()
    assert n and f'<a href="/resolutions/?instrument=untoc&amp;body=COP">{n}</a>' in content


def test_matrix_marks_the_years_without_a_new_mandate(client):
    response = client.get(MATRIX)
    content = response.content.decode()
    years = set(Resolution.objects.values_list("year", flat=True))
    gaps = set(range(min(years), max(years) + 1)) - years
    assert gaps and set(response.context["gap_years"]) == gaps
    gap = max(gaps)
    row = re.search(
        rf'<tr class="matrix__gap-year">\s*<th scope="row">{gap}</th>(.*?)</tr>', content, re.S
    )
    assert row and "no new mandate" in row.group(1)
    assert '<a href="/resolutions/?body=GA&amp;year_from=2011&amp;year_to=2011">1</a>' in content


def test_matrix_tables_have_captions_and_scoped_headers(client):
    content = client.get(MATRIX).content.decode()
    assert content.count("<caption") == 3
    # each in a box that scrolls sideways on a phone, named by the caption, with a cue in words
    assert content.count('<div class="table-scroll" tabindex="0" role="region"') == 3
    assert content.count('<p class="scroll-cue"') == 3
    assert 'scope="col"' in content and 'scope="row"' in content


def test_node_titles_say_the_year_once(client):
    """ "Security Council resolution 2199 (2015)", not "... (2015) (2015)"; a number without
    its year gets it: "General Assembly resolution 74/175 (2019)"."""
    content = client.get("/graph/").content.decode()
    assert "Security Council resolution 2199 (2015)<" in content or (
        "Security Council resolution 2199 (2015):" in content
    )
    assert "(2015) (2015)" not in content
    assert "General Assembly resolution 74/175 (2019)" in content
