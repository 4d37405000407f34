"""The pages staff and researchers use every day: list, filters, facets, exports, record pages."""

import csv
import io
import itertools
import json
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Instrument
from mandates.models import Body, ExpertGroup, Paragraph, Resolution, ResolutionInstrument
from pagecache import version
from partners.models import Partner

pytestmark = pytest.mark.django_db

LIST = reverse("mandates:resolution-list")
_serial = itertools.count(1)


@pytest.fixture
def make_resolution():
    """Plain-ORM factory: a synthetic GA resolution linked to instruments and partners."""

    def make(year=2030, title="Synthetic resolution", instruments=(), partners=(), paragraphs=0):
        n = next(_serial)
        resolution = Resolution.objects.create(
            body=Body.objects.get(code="GA"),
            number=f"{year - 1945}/{900 + n}",
            symbol=f"A/RES/{year - 1945}/{900 + n}",
            title=title,
            year=year,
            is_synthetic=True,
        )
        for slug in instruments:
            ResolutionInstrument.objects.create(
                resolution=resolution,
                instrument=Instrument.objects.get(slug=slug),
                relation="refers-to",
            )
        resolution.partners.set(Partner.objects.filter(slug__in=partners))
        for number in range(1, paragraphs + 1):
            Paragraph.objects.create(resolution=resolution, number=number, summary="Asks things.")
        return resolution

    return make


def listed(response):
    return [r.get_absolute_url() for r in response.context["object_list"]]


def export_json(client, query=""):
    response = client.get(reverse("mandates:export", args=["json"]) + query)
    assert response.status_code == 200
    return json.loads(response.content)


# --- filters -----------------------------------------------------------------------------------


def test_body_filter_keeps_only_that_body(client):
    response = client.get(LIST, {"body": "SC"})
    numbers = {r.number for r in response.context["object_list"]}
    assert numbers >= {"2199 (2015)", "2322 (2016)", "2347 (2017)"}
    assert {r.body.code for r in response.context["object_list"]} == {"SC"}


def test_repeated_body_is_or(client):
    response = client.get(LIST + "?body=SC&body=COP")
    bodies = {r.body.code for r in response.context["paginator"].object_list}
    assert bodies == {"SC", "COP"}
    expected = Resolution.objects.filter(body__code__in=["SC", "COP"]).count()
    assert response.context["paginator"].count == expected


def test_year_range_is_inclusive(client):
    response = client.get(LIST, {"year_from": 2015, "year_to": 2017})
    years = {r.year for r in response.context["paginator"].object_list}
    assert years == {2015, 2016, 2017}


def test_instrument_filter(client):
    response = client.get(LIST, {"instrument": "untoc"})
    expected = set(
        Resolution.objects.filter(instruments__slug="untoc").values_list("number", flat=True)
    )
    assert {r.number for r in response.context["paginator"].object_list} == expected
    assert "55/25" in expected


def test_partner_filter(client):
    response = client.get(LIST, {"partner": "wco"})
    assert [r.number for r in response.context["paginator"].object_list] == ["2347 (2017)"]


def test_filters_combine_with_and(client):
    response = client.get(LIST + "?body=SC&partner=unesco&year_from=2017")
    assert [r.number for r in response.context["paginator"].object_list] == ["2347 (2017)"]


def test_keyword_search_finds_title_summary_and_paragraph_text(client, make_resolution):
    hit = make_resolution(title="Protection of archaeological heritage")
    response = client.get(LIST, {"q": "archaeological"})
    assert hit.get_absolute_url() in listed(response)
    response = client.get(LIST, {"q": "S/RES/2199"})
    assert [r.number for r in response.context["object_list"]] == ["2199 (2015)"]
    Paragraph.objects.create(resolution=hit, number=3, summary="Calls for numismatic expertise.")
    response = client.get(LIST, {"q": "numismatic"})
    assert hit.get_absolute_url() in listed(response)


def test_unknown_filter_values_are_reported_not_dropped(client):
    response = client.get(LIST, {"body": "XYZ", "year_from": "abc"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is no body “XYZ”" in content
    assert "“abc” is not a year: write it in figures." in content
    assert 'value="abc"' not in content  # not put back into its number field
    assert "<strong>From year</strong> (<code>year_from</code>):" in content
    assert response.context["paginator"].count == 0


def test_sort_oldest_first(client):
    response = client.get(LIST, {"sort": "oldest"})
    years = [r.year for r in response.context["object_list"]]
    assert years == sorted(years)
    assert 'aria-sort="ascending"' in response.content.decode()


# --- facets, selected filters, pagination --------------------------------------------------------


def test_facet_counts_apply_the_other_filters(client):
    response = client.get(LIST, {"body": "SC", "year_from": 2016})
    facets = response.context["facets"]
    # The body facet ignores the body filter but keeps the year filter.
    assert (
        facets["body"]["SC"] == Resolution.objects.filter(body__code="SC", year__gte=2016).count()
    )
    assert (
        facets["body"]["GA"] == Resolution.objects.filter(body__code="GA", year__gte=2016).count()
    )
    # The year facet keeps the body filter but ignores the year filter.
    security_council = Resolution.objects.filter(body__code="SC")
    assert facets["year"] == {
        year: security_council.filter(year=year).count()
        for year in security_council.values_list("year", flat=True)
    }
    # The link facets keep both.
    chosen = security_council.filter(year__gte=2016)
    assert facets["partner"] == {
        slug: chosen.filter(partners__slug=slug).count()
        for slug in chosen.values_list("partners__slug", flat=True)
        if slug
    }
    assert facets["instrument"] == {
        slug: chosen.filter(instruments__slug=slug).distinct().count()
        for slug in chosen.values_list("instruments__slug", flat=True)
        if slug
    }


def test_each_selected_filter_can_be_removed_alone(client):
    response = client.get(LIST + "?body=SC&body=GA&partner=unesco")
    selected = {item["label"]: item["query"] for item in response.context["selected"]}
    assert selected["SC"] == "body=GA&partner=unesco"
    assert selected["UNESCO"] == "body=SC&body=GA"
    assert "Clear all" in response.content.decode()


def test_pagination_keeps_filters_and_sort(client, make_resolution):
    for _ in range(30):
        make_resolution(year=2031)
    response = client.get(LIST, {"year_from": 2031, "sort": "oldest"})
    content = response.content.decode()
    assert response.context["paginator"].num_pages == 2
    assert 'href="?year_from=2031&amp;sort=oldest&amp;page=2"' in content
    page2 = client.get(LIST, {"year_from": 2031, "sort": "oldest", "page": 2})
    assert 'aria-current="page"' in page2.content.decode()
    assert len(page2.context["object_list"]) == 5


def test_page_past_the_end_is_a_friendly_404(client):
    response = client.get(LIST, {"page": 999})
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["abc", "1.5", "-1", "²", "last"])
@pytest.mark.parametrize("url", [LIST, reverse("explore:paragraph-list")])
def test_a_page_that_is_not_a_number_is_a_400_that_says_so(client, url, page):
    response = client.get(url, {"page": page})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This request could not be understood" in content  # the styled 400 page
    assert f"The page number “{page}” is not a number." in content


# --- highlighting --------------------------------------------------------------------------------


def test_highlighting_escapes_markup(client, make_resolution):
    make_resolution(title='<script>alert("x")</script> looted antiquities & <b>coins</b>')
    response = client.get(LIST, {"q": "antiquities"})
    content = response.content.decode()
    assert "<script>alert" not in content
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; looted <mark>antiquities</mark>"
        in content
    )
    assert "&amp; &lt;b&gt;coins&lt;/b&gt;" in content


def test_query_markup_is_not_echoed(client):
    response = client.get(LIST, {"q": "<img src=x onerror=alert(1)>"})
    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "?body=SC", "?year_from=2010&year_to=2015", "?partner=unesco&body=ECOSOC"]
)
def test_export_holds_exactly_the_listed_rows(client, make_resolution, query):
    for _ in range(30):  # more than one page
        make_resolution(year=2012, partners=["unesco"])
    data = export_json(client, query)
    listed_urls = []
    page = 1
    while True:
        sep = "&" if query else "?"
        response = client.get(f"{LIST}{query}{sep}page={page}")
        listed_urls += listed(response)
        if not response.context["page_obj"].has_next():
            break
        page += 1
    assert data["count"] == len(data["results"]) == len(listed_urls)
    assert [row["url"] for row in data["results"]] == [
        f"http://testserver{url}" for url in listed_urls
    ]


def test_json_export_shape(client):
    data = export_json(client, "?body=SC&year_from=2015&year_to=2015")
    assert data["count"] == 2  # 2253 (December) and 2199 (February), newest first
    assert [row["number"] for row in data["results"]] == ["2253 (2015)", "2199 (2015)"]
    assert data["results"][1] == {
        "body": "SC",
        "number": "2199 (2015)",
        "symbol": "S/RES/2199 (2015)",
        "title": data["results"][1]["title"],
        "adopted_on": "2015-02-12",
        "year": 2015,
        "url": "http://testserver/resolutions/sc/2199-2015/",
        "instruments": [],
        "partners": [],
        "paragraphs": [15, 16, 17],
        "verification": "confirmed",
        "relevance": "unodc",
        "kind": "resolution",
        "official_text": "https://undocs.org/en/S/RES/2199%20(2015)",
        "name": "SC resolution 2199 (2015)",
        "citation": "Security Council resolution 2199 (2015)",
        "verification_statement": data["results"][1]["verification_statement"],
    }
    assert data["results"][1]["verification_statement"].startswith("Confirmed: number 2199 (2015)")


def test_csv_export_has_header_and_same_rows(client):
    response = client.get(reverse("mandates:export", args=["csv"]), {"body": "ECOSOC"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys())[:3] == ["body", "number", "symbol"]
    json_rows = export_json(client, "?body=ECOSOC")["results"]
    assert [r["url"] for r in rows] == [r["url"] for r in json_rows]
    unknown_date = next(r for r in rows if r["number"] == "2011/42")
    assert unknown_date["adopted_on"] == ""


def test_citation_exports(client):
    bib = b"".join(
        client.get(reverse("mandates:export", args=["bib"]), {"body": "SC"}).streaming_content
    ).decode()
    assert bib.count("@misc{") == Resolution.objects.filter(body__code="SC").count()
    assert "number = {S/RES/2199 (2015)}" in bib
    ris = b"".join(
        client.get(reverse("mandates:export", args=["ris"]), {"body": "SC"}).streaming_content
    ).decode()
    assert ris.count("TY  - GOVDOC") == Resolution.objects.filter(body__code="SC").count()
    assert ris.count("ER  - ") == ris.count("TY  - ")


def test_export_rejects_bad_filters_and_formats(client):
    assert client.get(reverse("mandates:export", args=["csv"]), {"body": "NOPE"}).status_code == 400
    assert client.get(reverse("mandates:export", args=["xlsx"])).status_code == 404


# --- record pages ---------------------------------------------------------------------------------


def all_record_urls():
    urls = [reverse("mandates:home"), LIST, reverse("mandates:about")]
    urls += [reverse("mandates:body-list"), reverse("instruments:list"), reverse("partners:list")]
    for model in (Resolution, Instrument, Partner, Body, ExpertGroup):
        urls += [obj.get_absolute_url() for obj in model.objects.all()]
    return urls


def test_every_fixture_record_page_returns_200(client):
    urls = all_record_urls()
    assert len(urls) > 40
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_resolution_page_shows_what_a_citation_needs(client):
    content = client.get("/resolutions/sc/2199-2015/").content.decode()
    assert "Security Council resolution 2199 (2015), para. 17" in content
    assert 'id="para-17"' in content
    assert "7379th meeting" in content
    for code in ("ar", "zh", "en", "fr", "ru", "es"):
        assert f'href="https://undocs.org/{code}/S/RES/2199%20(2015)"' in content
    assert "Reaffirms" in content


def test_unknown_values_say_so(client):
    content = client.get("/resolutions/ccpcj/27-5/").content.decode()
    assert "Its title has not been established" in content
    assert "exact date not established" in content
    assert "Unverified" in content


def test_record_pages_link_to_filtered_lists(client):
    content = client.get(reverse("instruments:detail", args=["untoc"])).content.decode()
    assert "/resolutions/?instrument=untoc" in content
    content = client.get(reverse("partners:detail", args=["unesco"])).content.decode()
    assert "/resolutions/?partner=unesco" in content
    content = client.get(reverse("mandates:body-detail", args=["sc"])).content.decode()
    assert "/resolutions/?body=SC" in content


def test_unknown_record_is_404(client):
    assert client.get("/resolutions/sc/9999-2099/").status_code == 404
    assert client.get("/resolutions/xx/2199-2015/").status_code == 404
    assert client.get(reverse("partners:detail", args=["nobody"])).status_code == 404


# --- query counts do not grow with rows -----------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx)


GUARDED = [
    "/",
    LIST,
    LIST + "?q=synthetic",
    LIST + "?body=GA&year_from=2000&instrument=untoc&partner=unesco",
    "/resolutions/export.json",
    "/resolutions/export.csv",
    "/bodies/ga/",
    "/bodies/",
    "/instruments/",
    "/instruments/untoc/",
    "/partners/",
    "/partners/unesco/",
]


def test_query_count_does_not_grow_with_rows(
    client, make_resolution, django_assert_max_num_queries
):
    """Every page above, counted with one more resolution, then with 120 more: the 120 are made
    once for all of them (it is most of what the test costs)."""
    make_resolution(instruments=["untoc"], partners=["unesco"], paragraphs=2)
    baselines = {url: count_queries(client, url) for url in GUARDED}
    with version.bulk_changes():  # one data version change for the 120, not one a row
        for _ in range(120):
            make_resolution(
                instruments=["untoc", "guidelines"], partners=["unesco", "icom"], paragraphs=2
            )
    for url, baseline in baselines.items():
        with django_assert_max_num_queries(baseline, info=url):
            count_queries(client, url)


def test_resolution_page_query_count_does_not_grow_with_links(client, make_resolution):
    resolution = make_resolution(instruments=["untoc"], partners=["unesco"], paragraphs=1)
    baseline = count_queries(client, resolution.get_absolute_url())
    resolution = make_resolution(
        instruments=["untoc", "guidelines", "unesco-1970"],
        partners=["unesco", "icom", "wco"],
        paragraphs=40,
    )
    assert count_queries(client, resolution.get_absolute_url()) == baseline


def test_plain_list_has_facets_for_every_row(client):
    response = client.get(LIST)
    facets = response.context["facets"]
    assert sum(facets["body"].values()) == Resolution.objects.count()
    assert facets["body"]["SC"] == Resolution.objects.filter(body__code="SC").count()
    assert response.context["year_facets"]


# --- facets against the lists they lead to; rows ------------------------------------------------

FACET_CASES = [
    {},
    {"body": "SC"},
    {"body": ["GA", "SC"], "partner": "unesco"},
    {"year_from": 2010},
    {"year_from": 2000, "year_to": 2016, "instrument": "untoc"},
    {"q": "cultural property"},
    {"q": "trafficking", "body": "GA", "year_to": 2015},
    {"instrument": ["untoc", "guidelines"], "partner": ["unesco", "interpol"]},
]


@pytest.mark.parametrize("params", FACET_CASES)
def test_every_facet_count_is_the_number_of_results_it_leads_to(client, params):
    """For every facet value, the count shown must be the number of rows the list (here its
    JSON export) holds once that value is the facet's only choice."""
    response = client.get(LIST, params)
    assert response.status_code == 200
    listed = export_json(client, "?" + urlencode(params, doseq=True))["results"]
    assert response.context["paginator"].count == len(listed)
    for facet, counts in response.context["facets"].items():
        own = ("year_from", "year_to") if facet == "year" else (facet,)
        for value, n in counts.items():
            narrowed = {k: v for k, v in params.items() if k not in own}
            narrowed.update(dict.fromkeys(own, value))
            rows = export_json(client, "?" + urlencode(narrowed, doseq=True))["results"]
            assert n == len(rows), (facet, value, narrowed)


def test_rows_escape_every_value_without_a_query(client, make_resolution):
    make_resolution(title='<script>alert("x")</script> & <b>coins</b>', paragraphs=2)
    content = client.get(LIST).content.decode()
    assert "<script>alert" not in content and "<b>coins" not in content
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;coins&lt;/b&gt;"
        in content
    )


def test_a_row_links_its_paragraphs_and_narrows_by_its_links(client, make_resolution):
    r = make_resolution(instruments=["untoc"], partners=["unesco"], paragraphs=2)
    content = client.get(LIST, {"year_from": r.year}).content.decode()
    url = r.get_absolute_url()
    assert f'<a href="{url}#para-1">1</a>, <a href="{url}#para-2">2</a>' in content
    assert (
        'href="?year_from=2030&amp;instrument=untoc" title="Filter by UNTOC">UNTOC</a>' in content
    )
    assert (
        'href="?year_from=2030&amp;partner=unesco" title="Filter by UNESCO">UNESCO</a>' in content
    )


def test_filtered_list_query_budget(client, django_assert_num_queries):
    """The bench's filtered list: the data version with the footer's date (one statement), the
    three choice lists (which check the chosen body too), the five facet counts (the list's
    length among them), the page and its instruments, partners and paragraphs. A second request
    finds the facets and the choice lists kept for this data version (mandates/filters.py)."""
    cache.clear()
    params = {"body": "SC", "year_from": 2015, "year_to": 2017}
    with django_assert_num_queries(13):
        response = client.get(LIST, params)
    assert (
        response.context["paginator"].count
        == Resolution.objects.filter(body__code="SC", year__range=(2015, 2017)).count()
    )
    with django_assert_num_queries(5):
        client.get(LIST, params)


def test_repeated_and_unknown_choices(client):
    response = client.get(LIST, {"body": ["SC", "SC"]})
    assert [item["label"] for item in response.context["selected"]] == ["SC"]
    response = client.get(LIST, {"body": ["SC", "XX"]})
    assert response.status_code == 400
    assert "There is no body “XX”." in response.content.decode()


def test_cached_facet_counts_follow_every_change(client, make_resolution):
    """The facets are kept per data version: a new record, a queryset update (which sends no
    signal, so it moves the version on itself here) and a deletion each show at once."""
    from pagecache import version

    before = client.get(LIST, {"year_from": 2030}).context["facets"]
    resolution = make_resolution(year=2030, instruments=["untoc"])
    after = client.get(LIST, {"year_from": 2030}).context["facets"]
    assert after["year"].get(2030, 0) == before["year"].get(2030, 0) + 1
    assert after["instrument"]["untoc"] == before["instrument"].get("untoc", 0) + 1
    Resolution.objects.filter(pk=resolution.pk).update(year=2031)
    version.bump()
    moved = client.get(LIST, {"year_from": 2030}).context["facets"]
    assert moved["year"].get(2031) == 1 and moved["year"].get(2030, 0) == before["year"].get(
        2030, 0
    )
    resolution.delete()
    assert client.get(LIST, {"year_from": 2030}).context["facets"] == before


def test_relevance_filters_facets_and_exports(client):
    """relevance=unodc|related, repeatable like the others; its facet counts; the export says it."""
    unodc = Resolution.objects.published().filter(relevance="unodc")
    response = client.get(LIST, {"relevance": "unodc"})
    assert response.context["paginator"].count == unodc.count() > 0
    facets = response.context["facets"]["relevance"]
    assert facets == {
        "unodc": unodc.count(),
        "related": Resolution.objects.published().filter(relevance="related").count(),
    }
    both = client.get(LIST, {"relevance": ["unodc", "related"]})
    assert both.context["paginator"].count == Resolution.objects.published().count()
    rows = export_json(client, "?relevance=related")["results"]
    assert rows and {row["relevance"] for row in rows} == {"related"}
    bad = client.get(LIST, {"relevance": "other"})
    assert bad.status_code == 400
    assert "There is no relevance “other”" in bad.content.decode()
