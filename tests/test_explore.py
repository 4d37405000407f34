"""The Explore pages together: reachable from the header and the home page, and their query
counts flat whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pagecache import version

pytestmark = pytest.mark.django_db

PARAGRAPHS = reverse("explore:paragraph-list")
GRAPH = reverse("explore:graph")
TIMELINE = reverse("explore:timeline")
MATRIX = reverse("explore:matrix")
FEED = reverse("mandates:feed")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


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
    reverse("explore:index"),
]


def test_query_count_does_not_grow_with_rows(client, make_mandate, django_assert_max_num_queries):
    """Every page above, counted with one more mandate, then with 110 more: the 110 are made
    once for all of them (it is most of what the test costs)."""
    make_mandate()
    baselines = {url: count_queries(client, url) for url in GUARDED}
    with version.bulk_changes():  # one data version change for the 110, not one a row
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
    # count, page, 4 prefetches, the data version (the facets' cache key), 8 facets (assistance
    # included), 4 choice lists, the footer's date
    assert counts[PARAGRAPHS] <= 20
    # body choices, resolutions, instrument links, citations, partners; and on every page below,
    # the footer's date
    assert counts[GRAPH] <= 6
    # resolutions, meetings, recommendations
    assert counts[TIMELINE] <= 4
    # bodies, partners, instruments, and one grouped count a table
    assert counts[MATRIX] <= 7
    # resolutions, their instruments
    assert counts[FEED] <= 2
