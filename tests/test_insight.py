"""Explore pages: paragraphs, the citation graph, the timeline, the matrix and the Atom feed."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Instrument
from mandates import graph
from mandates.models import (
    Activity,
    Addressee,
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from partners.models import Partner

pytestmark = pytest.mark.django_db

PARAGRAPHS = reverse("mandates:paragraph-list")
GRAPH = reverse("mandates:graph")
TIMELINE = reverse("mandates:timeline")
MATRIX = reverse("mandates:matrix")
FEED = reverse("mandates:feed")
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
_serial = itertools.count(1)


@pytest.fixture
def make_mandate():
    """Plain-ORM factory: a GA resolution with links of every kind, real unless asked otherwise.

    Each new one recalls the one made before it and was adopted on its recommendation, names
    partners, links to instruments, has tagged paragraphs and mandates an expert group meeting.
    """
    made = []

    def make(year=None, synthetic=False, paragraphs=2, tagged=True):
        n = next(_serial)
        year = year or 1991 + n % 35
        resolution = Resolution.objects.create(
            body=Body.objects.get(code="GA"),
            number=f"{year - 1945}/{5000 + n}",
            symbol=f"A/RES/{year - 1945}/{5000 + n}",
            title=f"Generated mandate {n}",
            year=year,
            is_synthetic=synthetic,
        )
        for slug, relation in (("untoc", "implements"), ("guidelines", "refers-to")):
            ResolutionInstrument.objects.create(
                resolution=resolution,
                instrument=Instrument.objects.get(slug=slug),
                relation=relation,
            )
        resolution.partners.set(Partner.objects.filter(slug__in=["unesco", "icom"]))
        if made:
            for relation in ("recalls", "recommended-by"):
                ResolutionCitation.objects.create(
                    citing=resolution, cited=made[-1], relation=relation
                )
        for number in range(1, paragraphs + 1):
            paragraph = Paragraph.objects.create(
                resolution=resolution,
                number=number,
                summary="Requests UNODC to help." if tagged else "",
                verb="requests" if tagged else "",
            )
            if tagged:
                paragraph.addressees.set(Addressee.objects.filter(slug="unodc"))
                paragraph.activities.set(Activity.objects.filter(slug="technical-assistance"))
                paragraph.partners.set(Partner.objects.filter(slug="unesco"))
        group = ExpertGroup.objects.first()
        meeting = ExpertGroupMeeting.objects.create(
            group=group,
            number=100 + n,
            starts_on=dt.date(year, 6, 1),
            ends_on=dt.date(year, 6, 3),
            place="Vienna",
        )
        meeting.mandated_by.add(resolution)
        made.append(resolution)
        return resolution

    return make


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def svg_of(content, css_class="graph-svg"):
    """The first inline <svg> of the page with that class, parsed as XML (so: well-formed)."""
    match = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="' + css_class + r".*?</svg>", content, re.S
    )
    assert match, f"no <svg class={css_class}>"
    return ET.fromstring(match.group(0))


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
    assert {n.label for n in nodes} == {"SC 2199 (2015)", "SC 2322 (2016)", "SC 2347 (2017)"}
    response = client.get(GRAPH, {"body": "XX", "year_to": "soon"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is no body “XX”" in content and "Enter a whole number" in content


def test_graph_says_so_when_there_are_too_many_nodes(client, monkeypatch):
    monkeypatch.setattr(graph, "GRAPH_CAP", 10)
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
    assert '<a href="/resolutions/?partner=unesco&amp;body=SC">2</a>' in content
    listed = client.get(reverse("mandates:resolution-list"), {"partner": "unesco", "body": "SC"})
    assert listed.context["paginator"].count == 2
    assert '<a href="/resolutions/?instrument=untoc&amp;body=COP">2</a>' in content


def test_matrix_marks_the_years_without_a_new_mandate(client):
    response = client.get(MATRIX)
    content = response.content.decode()
    assert 2009 in response.context["gap_years"]
    assert 2010 not in response.context["gap_years"]
    row = re.search(
        r'<tr class="matrix__gap-year">\s*<th scope="row">2009</th>(.*?)</tr>', content, re.S
    )
    assert row and "no new mandate" in row.group(1)
    assert '<a href="/resolutions/?body=GA&amp;year_from=2011&amp;year_to=2011">1</a>' in content


def test_matrix_tables_have_captions_and_scoped_headers(client):
    content = client.get(MATRIX).content.decode()
    assert content.count("<caption") == 3
    assert content.count('<div class="table-wrap"') == 3
    assert 'scope="col"' in content and 'scope="row"' in content


# --- the Atom feed --------------------------------------------------------------------------------


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_feed_is_valid_atom(client):
    feed = parse_feed(client.get(FEED))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text.strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == Resolution.objects.count()
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):  # published: where the date is known
            assert entry.find(f"{ATOM}{name}").text.strip(), name
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/resolutions/")
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href").endswith("/resolutions/ga/74-175/")


def test_feed_entry_dates_and_categories(client):
    feed = parse_feed(client.get(FEED, {"body": "ECOSOC"}))
    entries = {e.find(f"{ATOM}title").text.split(":")[0]: e for e in feed.findall(f"{ATOM}entry")}
    unknown = entries["ECOSOC 2011/42"]
    assert unknown.find(f"{ATOM}published") is None  # no invented 1 January (tests/test_feed.py)
    assert "not known" in unknown.find(f"{ATOM}summary").text
    known = entries["ECOSOC 2010/19"]
    assert known.find(f"{ATOM}published").text.startswith("2010-07-22")
    feed = parse_feed(client.get(FEED, {"body": "GA", "instrument": "untoc"}))
    (entry,) = feed.findall(f"{ATOM}entry")
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"GA", "UNTOC"}


def test_feed_respects_filters(client):
    feed = parse_feed(client.get(FEED, {"body": "SC"}))
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == Resolution.objects.filter(body__code="SC").count()
    assert all(e.find(f"{ATOM}title").text.startswith("SC ") for e in entries)
    assert "(SC)" in feed.find(f"{ATOM}title").text
    alternate = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert alternate[0].get("href") == "http://testserver/resolutions/?body=SC"


def test_feed_rejects_bad_filters(client):
    response = client.get(FEED, {"body": "NOPE"})
    assert response.status_code == 400
    assert "There is no body “NOPE”" in response.content.decode()


def test_feed_holds_the_newest_fifty(client, make_mandate):
    for _ in range(55):
        make_mandate(year=2090, paragraphs=0)
    entries = parse_feed(client.get(FEED)).findall(f"{ATOM}entry")
    assert len(entries) == 50
    for entry in entries:  # no <published> where the adoption date is unknown (test_feed.py)
        published = entry.find(f"{ATOM}published")
        assert "2090" in (published if published is not None else entry.find(f"{ATOM}summary")).text


def test_list_page_advertises_the_feed_with_its_filters(client):
    content = client.get(
        reverse("mandates:resolution-list"), {"body": "SC", "page": 1}
    ).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in content
    assert 'href="/resolutions/feed/?body=SC"' in content
    assert ">Atom feed</a>" in content


# --- navigation -----------------------------------------------------------------------------------


def test_explore_is_reachable_from_header_and_home(client):
    home = client.get(reverse("mandates:home")).content.decode()
    header = home[home.index('<nav class="site-nav"') : home.index("</nav>")]
    assert f'href="{PARAGRAPHS}"' in header and 'href="/explore/"' in header
    assert 'id="explore-heading"' in home
    explore = client.get("/explore/")
    assert explore.status_code == 200
    for url in (PARAGRAPHS, GRAPH, TIMELINE, MATRIX):
        assert f'href="{url}"' in explore.content.decode()
    current = client.get(MATRIX).content.decode()
    assert 'href="/explore/" aria-current="page"' in current


# --- query counts do not grow with rows -----------------------------------------------------------


GUARDED = [
    PARAGRAPHS,
    PARAGRAPHS + "?addressee=unodc&verb=requests&activity=technical-assistance&partner=unesco"
    "&body=GA&year_from=1990&tagged=yes",
    GRAPH,
    GRAPH + "?body=GA&year_from=1990",
    TIMELINE,
    MATRIX,
    FEED,
    FEED + "?partner=unesco&instrument=untoc",
    reverse("mandates:explore"),
]


def test_query_count_does_not_grow_with_rows(client, make_mandate, django_assert_max_num_queries):
    """Every page above, counted with one more mandate, then with 110 more: the 110 are made
    once for all of them (it is most of what the test costs)."""
    make_mandate()
    baselines = {url: count_queries(client, url) for url in GUARDED}
    for _ in range(110):
        make_mandate()
    for url, baseline in baselines.items():
        with django_assert_max_num_queries(baseline, info=url):
            response = client.get(url)
        assert response.status_code == 200, url


def test_measured_query_counts(client):
    """The numbers behind the baselines above: small, and fixed whatever the rows."""
    counts = {
        url: count_queries(client, url) for url in (PARAGRAPHS, GRAPH, TIMELINE, MATRIX, FEED)
    }
    # count, page, 4 prefetches, 7 facets, 4 choice lists, the footer's date
    assert counts[PARAGRAPHS] <= 18
    # body choices, resolutions, instrument links, citations, partners; and on every page below,
    # the footer's date
    assert counts[GRAPH] <= 6
    # resolutions, meetings, recommendations
    assert counts[TIMELINE] <= 4
    # bodies, partners, instruments, and one grouped count a table
    assert counts[MATRIX] <= 7
    # resolutions, their instruments
    assert counts[FEED] <= 2
