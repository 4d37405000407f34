"""What the public pages tell a reader: each record's status and sources by kind, when it last
changed, paragraphs as the sources show them, UNODC's mandate in brief on the home page, the
footer's date, and no research notes, file paths or dropped sources on any page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.models import BARRED_HOSTS, Status
from instruments.models import Instrument
from mandates.models import (
    Activity,
    Addressee,
    Body,
    ExpertGroup,
    Paragraph,
    Resolution,
)
from pagecache.models import DataVersion
from partners.models import Partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a French request leaves French active in the test's thread,
    where get_absolute_url() would then give /fr/ addresses."""
    translation.activate("en")
    yield
    translation.deactivate()


def url_of(record):
    """The record's English address, whatever language the last request left active."""
    with translation.override("en"):
        return record.get_absolute_url()


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(content, start, end):
    """The markup between the first `start` and the next `end` after it."""
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


def make_resolution(sources="", number="85/901", **fields):
    return Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number=number,
        symbol=f"A/RES/{number}" if number else "",
        title="A test resolution",
        year=2030,
        sources=sources,
        **fields,
    )


# --- a record's status and sources ---------------------------------------------------------------


def test_sources_are_grouped_by_kind_with_their_hosts_after_the_official_text(client):
    resolution = make_resolution(
        sources="secondary https://news.example.org/story\n"
        "copy https://www.scribd.com/document/1\n"
        "https://press.un.org/en/2030/ga1.doc.htm\n"
        "official https://www.unodc.org/unodc/en/x.html"
    )
    content = html(client, url_of(resolution))
    sources = section(content, 'id="provenance-heading"', "</section>")
    order = [
        sources.index("Official text"),
        sources.index("<h3>Official</h3>"),
        sources.index("<h3>Copy of the official document</h3>"),
        sources.index("<h3>Secondary</h3>"),
    ]
    assert order == sorted(order)
    assert 'href="https://undocs.org/en/A/RES/85/901"' in sources
    for host, url in (
        ("press.un.org", "https://press.un.org/en/2030/ga1.doc.htm"),
        ("unodc.org", "https://www.unodc.org/unodc/en/x.html"),
        ("scribd.com", "https://www.scribd.com/document/1"),
        ("news.example.org", "https://news.example.org/story"),
    ):
        assert f'<span class="source-host">{host}</span>: <a href="{url}"' in sources
    # Each under its own kind: the official ones before the copy, the copy before the news.
    assert sources.index("unodc.org/unodc") < sources.index("scribd.com/document")
    assert sources.index("scribd.com/document") < sources.index("news.example.org/story")


@pytest.mark.parametrize(
    ("sources", "status", "meaning"),
    [
        ("https://www.un.org/x", "confirmed", "read in an official source or in a copy"),
        ("copy https://www.scribd.com/d/1", "confirmed", "read in an official source or in a copy"),
        ("secondary https://news.example.org/a", "corroborated", "secondary sources only"),
        ("", "unverified", "have not been read in an official source or a copy"),
    ],
)
def test_status_badge_follows_the_sources(client, sources, status, meaning):
    resolution = make_resolution(sources=sources)
    assert resolution.verification == status
    content = html(client, url_of(resolution))
    header = section(content, '<header class="record-header">', "</header>")
    assert f'<span class="badge badge--{status}">{status.capitalize()}</span>' in header
    assert meaning in header
    others = {"confirmed", "corroborated", "unverified"} - {status}
    assert not any(f"badge--{other}" in header for other in others)
    french = html(client, "/fr" + url_of(resolution))
    label = {"confirmed": "Confirmé", "corroborated": "Corroboré", "unverified": "Non vérifié"}
    assert f'<span class="badge badge--{status}">{label[status]}</span>' in french


def test_a_record_with_an_unverified_key_fact_is_not_shown_as_confirmed(client):
    resolution = make_resolution(sources="https://www.un.org/x", unverified_fields=["title"])
    header = section(
        html(client, url_of(resolution)), '<header class="record-header">', "</header>"
    )
    assert "badge--unverified" in header and "badge--confirmed" not in header


def test_every_record_page_shows_when_it_last_changed(client):
    resolution = make_resolution(sources="https://www.un.org/x")
    day = datetime.datetime(2031, 5, 4, 10, 0, tzinfo=datetime.UTC)
    Resolution.objects.filter(pk=resolution.pk).update(updated_at=day)
    content = html(client, url_of(resolution))
    assert 'Last changed <time datetime="2031-05-04">4 May 2031</time>.' in content
    french = html(client, "/fr" + url_of(resolution))
    assert 'Dernière modification\u00a0: <time datetime="2031-05-04">4 mai 2031</time>.' in french
    for record in (
        Instrument.objects.first(),
        Partner.objects.first(),
        Body.objects.first(),
        ExpertGroup.objects.first(),
    ):
        type(record).objects.filter(pk=record.pk).update(updated_at=day)
        url = url_of(record)
        assert '<p class="last-changed">Last changed <time datetime="2031-05-04">' in html(
            client, url
        ), url


# --- paragraphs ----------------------------------------------------------------------------------


def test_a_paragraph_without_a_number_says_so_and_is_never_numbered(client):
    resolution = make_resolution(sources="https://www.un.org/x")
    paragraph = Paragraph.objects.create(resolution=resolution, position=7, summary="Asks X.")
    content = html(client, url_of(resolution))
    block = section(content, '<div class="paragraph" id="passage-7">', "</div>")
    assert '<a href="#passage-7">Paragraph number not established</a>' in block
    assert "Paragraph 7" not in content and "para-7" not in content
    assert f"{resolution.citation}, paragraph number not established" in block
    assert paragraph.get_absolute_url().endswith("#passage-7")
    french = html(client, "/fr" + url_of(resolution))
    assert '<a href="#passage-7">Numéro de paragraphe non établi</a>' in french


def test_addressees_and_the_assistance_named_are_told_apart(client):
    """SC 2322 (2016) para. 12 asks States to act and names UNODC as a source of assistance."""
    paragraph = Paragraph.objects.get(resolution__slug="2322-2016", number=12)
    assert [a.slug for a in paragraph.addressees.all()] == ["member-states"]
    assert [a.slug for a in paragraph.assisted_by.all()] == ["unodc"]
    content = html(client, "/resolutions/sc/2322-2016/")
    block = section(content, '<div class="paragraph" id="para-12">', "</div>")
    assert "<li>Addressed to: Member States.</li>" in block
    assert "<li>Assistance named: UNODC.</li>" in block
    assert "Addressed to: UNODC" not in content


def test_no_empty_labels_on_an_untagged_paragraph(client):
    resolution = make_resolution()
    Paragraph.objects.create(resolution=resolution, number=3)
    block = section(
        html(client, url_of(resolution)), '<div class="paragraph" id="para-3">', "</div>"
    )
    for label in ("Addressed to", "Assistance named", "Partners named", "Activities", "verb"):
        assert label not in block
    assert "what it asks is not established" in block


def test_unnumbered_resolution_is_named_by_its_date(client):
    resolution = make_resolution(
        number="",
        slug="2030-03-04",
        adopted_on=datetime.date(2030, 3, 4),
        relevance=Resolution.Relevance.RELATED,
    )
    content = html(client, url_of(resolution))
    assert "<h1>GA resolution of 4 March 2030</h1>" in content
    assert "<title>GA resolution of 4 March 2030 — " in content
    assert (
        '<a href="/resolutions/?relevance=related">Related: the wider UN framework</a>' in content
    )
    assert "None" not in section(content, "<h1>", "</dl>")


# --- the home page -------------------------------------------------------------------------------


def brief(client, language=""):
    content = html(client, f"{language}/")
    return section(content, '<section aria-labelledby="brief-heading"', "</section>")


def brief_lines(shown):
    return re.findall(r'<li class="brief-line">(.*?)</li>', shown, re.S)


def test_mandate_in_brief_lines_are_the_paragraphs_addressed_to_unodc(client):
    shown = brief(client)
    addressed = (
        Paragraph.objects.filter(addressees__slug="unodc", resolution__is_synthetic=False)
        .select_related("resolution__body")
        .prefetch_related("activities")
    )
    assert addressed.exists()
    lines = brief_lines(shown)
    assert len(lines) == addressed.count()
    for paragraph in addressed:
        url = paragraph.get_absolute_url()
        # Cited once, in one line: what it asks (its summary), the kinds of work, the text.
        (line,) = [line for line in lines if f'href="{url}"' in line]
        assert escape(paragraph.summary) in line
        assert f'<a href="{url}">{escape(paragraph.short_citation)}</a>' in line
        for activity in paragraph.activities.all():
            assert f"&amp;activity={activity.slug}" in line and activity.name in line
    assert "not established" not in shown
    # Those naming UNODC's assistance without addressing it come apart.
    assistance = section(shown, "ask States to act with UNODC's assistance:", "</p>")
    assert 'href="/resolutions/sc/2322-2016/#para-12">SC 2322 (2016), para. 12</a>' in assistance
    assert "2322-2016" not in "".join(lines)
    assert 'href="/paragraphs/?addressee=unodc&amp;assistance=include"' in assistance


def test_a_new_paragraph_addressed_to_unodc_appears_in_the_brief(client):
    resolution = make_resolution(number="85/902", sources="https://www.un.org/x")
    paragraph = Paragraph.objects.create(
        resolution=resolution, number=4, summary="Asks UNODC to gather data."
    )
    paragraph.addressees.add(Addressee.objects.get(slug="unodc"))
    paragraph.activities.add(Activity.objects.get(slug="data-collection"))
    (line,) = [line for line in brief_lines(brief(client)) if "85-902" in line]
    assert "Asks UNODC to gather data." in line and ">Data collection</a>" in line
    assert '<a href="/resolutions/ga/85-902/#para-4">GA 85/902, para. 4</a>' in line
    (french,) = [line for line in brief_lines(brief(client, "/fr")) if "85-902" in line]
    assert '<span lang="en">Asks UNODC to gather data.</span>' in french
    assert ">Collecte de données</a>" in french
    assert '<a href="/fr/resolutions/ga/85-902/#para-4">AG 85/902, par. 4</a>' in french


def test_brief_query_count_does_not_grow_with_paragraphs(client, django_assert_max_num_queries):
    client.get("/")
    resolution = make_resolution(number="85/903")
    unodc = Addressee.objects.get(slug="unodc")
    activity = Activity.objects.get(slug="reporting")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for number in range(1, 16):
        paragraph = Paragraph.objects.create(resolution=resolution, number=number, summary="x")
        paragraph.addressees.add(unodc)
        paragraph.activities.add(activity)
    with django_assert_max_num_queries(len(before)):
        content = client.get("/").content.decode()
    assert content.count("/resolutions/ga/85-903/#para-") == 15


def test_home_counts_resolutions_by_relevance_with_links_to_the_filtered_list(client):
    counts = Resolution.objects.relevance_counts()
    assert counts["unodc"] and counts["related"]
    content = html(client, "/")
    assert (
        f'<a href="/resolutions/?relevance=unodc">{counts["unodc"]} resolutions and decisions '
        "mandate UNODC</a>"
    ) in content
    assert (
        f'<a href="/resolutions/?relevance=related">{counts["related"]} more belong to the '
        "wider UN framework</a>"
    ) in content


# --- the footer ----------------------------------------------------------------------------------


def test_footer_date_is_when_what_the_public_sees_last_changed(client):
    day = datetime.datetime(2032, 7, 1, 9, 0, tzinfo=datetime.UTC)
    before = html(client, "/about/")
    assert 'Last updated <time datetime="2032-07-01">' not in before
    DataVersion.objects.update(published_at=day)  # as a public write on that day leaves it
    for url in ("/", "/about/", "/resolutions/sc/2322-2016/", "/fr/"):
        content = html(client, url)
        footer = section(content, '<footer class="site-footer">', "</footer>")
        assert '<time datetime="2032-07-01">' in footer, url
    assert "1 July 2032" in html(client, "/about/")
    assert "1 juillet 2032" in html(client, "/fr/about/")


def test_footer_date_moves_with_a_public_change_and_not_with_a_draft(client):
    day = datetime.datetime(2020, 7, 1, 9, 0, tzinfo=datetime.UTC)
    DataVersion.objects.update(published_at=day)
    draft = Resolution.objects.create(
        body=Body.objects.get(code="GA"), number="96/175", year=2041, status=Status.DRAFT
    )
    draft.title = "A draft's title"
    draft.save()
    draft.partners.add(Partner.objects.first())
    Paragraph.objects.create(resolution=draft, number=1, summary="A draft's paragraph.")
    assert '<time datetime="2020-07-01">' in html(client, "/")
    partner = Partner.objects.first()
    partner.founding_detail = "Checked again."
    partner.save()
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert f'Last updated <time datetime="{today}">' in html(client, "/")
    DataVersion.objects.update(published_at=day)
    draft.status = Status.PUBLISHED  # publishing changes what the public sees
    draft.save()
    assert f'Last updated <time datetime="{today}">' in html(client, "/")
    DataVersion.objects.update(published_at=day)
    draft.status = Status.DRAFT  # and so does taking a record off the site
    draft.save()
    assert f'Last updated <time datetime="{today}">' in html(client, "/")


# --- no research notes, paths or dropped sources on any public page ------------------------------

LEAKS = ("../", ".yaml", ".txt", "stored copy", "reference data", *BARRED_HOSTS)
# "Recalled by" is a relation between resolutions; "recalled" alone was research jargon.
RECALLED = re.compile(r"recalled(?! by)", re.IGNORECASE)


def public_urls():
    urls = ["/", "/about/", "/resolutions/", "/paragraphs/", "/instruments/", "/partners/"]
    urls += ["/bodies/", "/resolutions/?relevance=unodc", "/paragraphs/?page=2"]
    for model in (Resolution, Instrument, Partner, Body, ExpertGroup):
        urls += [record.get_absolute_url() for record in model.objects.all()]
    return urls


def test_no_public_page_leaks_notes_paths_or_dropped_sources(client):
    urls = public_urls()
    assert len(urls) > 60 and reverse("mandates:about") in urls
    checked = 0
    for language in ("", "/fr"):
        for url in urls:
            response = client.get(language + url)
            if response.status_code == 404 and "page=" in url:
                continue  # fewer paragraphs than two pages
            assert response.status_code == 200, language + url
            content = response.content.decode()
            for leak in LEAKS:
                assert leak not in content.lower(), (language + url, leak)
            # In-page anchors are made from the records' keys, never shown as text.
            shown = re.sub(r'(id="|href="#)[^"]*"', "", content)
            assert not RECALLED.search(shown), (language + url, RECALLED.search(shown))
            checked += 1
    assert checked >= 2 * (len(urls) - 1)


@pytest.mark.django_db
def test_home_offers_no_link_to_an_empty_list(client):
    """Every list the home page links to by partner or instrument has results (issue 16: never
    a dead end); a partner no resolution names says so instead."""
    import re

    content = client.get("/").content.decode()
    links = re.findall(r'href="/resolutions/\?((?:partner|instrument)=[^"]+)"', content)
    assert links
    for query in links:
        response = client.get(f"/resolutions/?{query.replace('&amp;', '&')}")
        assert response.context["paginator"].count > 0, query
    assert "No resolution here names ICOM yet" in content
