"""The resolution record page: everything it shows, in a fixed number of queries whatever the
number of links (ResolutionQuerySet.for_detail()), read afresh on every request, every value
escaped."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from partners.models import Partner

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def make(title="Synthetic resolution", paragraphs=0, instruments=(), partners=(), tagged=True):
    """A GA resolution with paragraphs (each tagged with an addressee and an activity unless told
    otherwise), instrument links and partners."""
    n = next(_serial)
    resolution = Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number=f"85/{700 + n}",
        symbol=f"A/RES/85/{700 + n}",
        title=title,
        year=2030,
        is_synthetic=True,
    )
    for slug in instruments:
        ResolutionInstrument.objects.create(
            resolution=resolution, instrument=Instrument.objects.get(slug=slug), relation="adopts"
        )
    resolution.partners.set(Partner.objects.filter(slug__in=partners))
    for number in range(1, paragraphs + 1):
        paragraph = Paragraph.objects.create(
            resolution=resolution, number=number, summary=f"Asks thing {number}.", verb="requests"
        )
        if tagged:
            paragraph.addressees.set(Addressee.objects.filter(slug="unodc"))
            paragraph.activities.set(Activity.objects.filter(slug="technical-assistance"))
    return resolution


def add_rare_links(resolution, n=1):
    """n of each link few resolutions have: citations both ways, a partner and a source of
    assistance named in a paragraph, expert group meetings, entries of the UNODC page and open
    questions."""
    group = ExpertGroup.objects.get()
    paragraph = resolution.paragraphs.order_by("number").first()
    for _ in range(n):
        i = next(_serial)
        ResolutionCitation.objects.create(citing=resolution, cited=make(f"Earlier text {i}"))
        ResolutionCitation.objects.create(citing=make(f"Later text {i}"), cited=resolution)
        meeting = ExpertGroupMeeting.objects.create(
            group=group,
            number=100 + i,
            starts_on=datetime.date(2030, 1, 1),
            ends_on=datetime.date(2030, 1, 2),
            place=f"Place {i}",
            report_symbol=f"REPORT/{i}",
        )
        meeting.mandated_by.add(resolution)
        PageEntry.objects.create(
            position=900 + i,
            title=f"Entry {i}",
            resolution=resolution,
            mapping_confidence="high",
            mapping_reason=f"Reason {i}.",
        )
        question = OpenQuestion.objects.create(slug=f"question-{i}", question=f"Question {i}?")
        question.resolutions.add(resolution)
    if paragraph is not None:
        paragraph.partners.add(*Partner.objects.order_by("acronym")[: min(n, 3)])
        paragraph.assisted_by.add(*Addressee.objects.order_by("position")[: min(n, 3)])


FOOTER = 1  # the footer's "last updated": one statement (mandates/context_processors.py)


def get(client, resolution):
    """The page's HTML and its number of queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(resolution.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode(), len(queries)


# --- queries --------------------------------------------------------------------------------------


# The resolution with its body, its paragraphs and their four kinds of tag, instrument links,
# partners, citations both ways, meetings, entries of the UNODC page and open questions: the
# most a page takes, whatever the number of each.
PAGE_QUERIES = 13
# The resolution, with a flag a kind of link (a kind of tag of its paragraphs included) saying
# whether it has any (an EXISTS in the same query): a kind it lacks is not read
# (ResolutionQuerySet.for_detail()).
BARE_PAGE_QUERIES = 1


def test_a_plain_page_takes_a_fixed_number_of_queries(client):
    resolution = make(paragraphs=3, instruments=["untoc", "guidelines"], partners=["unesco"])
    # No citations either way, meetings, entries of the UNODC page or open questions, and no
    # paragraph naming a partner or a source of assistance: those seven kinds are not read.
    assert get(client, resolution)[1] == PAGE_QUERIES - 7 + FOOTER
    # Without any link, only the resolution.
    assert get(client, make())[1] == BARE_PAGE_QUERIES + FOOTER


def test_every_kind_of_link_whatever_their_number(client):
    resolution = make(paragraphs=2, instruments=["untoc"], partners=["unesco"])
    add_rare_links(resolution)
    content, queries = get(client, resolution)
    assert queries == PAGE_QUERIES + FOOTER
    for shown in (
        "Earlier text ",
        "Later text ",
        "(January 2030, Place ",  # a meeting
        'report <span class="symbol">REPORT/',
        "Entry ",
        "Question ",
        "Partners named: <a href=",
        "Assistance named: ",
    ):
        assert shown in content, shown
    add_rare_links(resolution, n=4)
    for number in range(3, 30):
        Paragraph.objects.create(resolution=resolution, number=number, verb="urges")
    content, more = get(client, resolution)
    assert more == queries
    assert content.count("Earlier text ") == 5 + 5  # the list, and the drawing's node titles
    assert content.count("Later text ") == 5 + 5
    assert content.count("(January 2030, Place ") == content.count("Question ") == 5
    assert content.count('class="paragraph"') == 29


# --- read afresh ----------------------------------------------------------------------------------


def test_every_request_reads_the_database_again(client):
    """Only the SQL of the queries outlives a request: an edit shows on the next one, even one
    that sends no signal, and each resolution gets its own rows."""
    first = make(title="First title", paragraphs=1, instruments=["untoc"])
    second = make(title="Second title", paragraphs=2, partners=["icom"])
    assert "First title" in get(client, first)[0]
    content = get(client, second)[0]
    assert "Second title" in content and "First title" not in content
    assert "/instruments/untoc/" not in content and "/partners/icom/" in content

    Resolution.objects.filter(pk=first.pk).update(title="Edited title")
    Paragraph.objects.filter(resolution=first).update(summary="Edited paragraph.")
    ResolutionCitation.objects.create(citing=first, cited=second)
    content = get(client, first)[0]
    assert "Edited title" in content and "First title" not in content
    assert "Edited paragraph." in content
    assert f'href="{second.get_absolute_url()}"' in content
    assert "Recalled by" in get(client, second)[0]


def link_values(paragraphs, tags, instrument_links, partners):
    """The values the record page shows of what links to a resolution, comparable whoever read
    them: `tags(paragraph)` gives its (addressee names, names of the bodies whose assistance
    it names, activity names, partners)."""
    return {
        "paragraphs": [
            (
                p.pk,
                p.number,
                p.position,
                p.in_annex,
                p.summary,
                p.verb,
                p.cited_on_page,
                p.verification,
                *tags(p)[:3],
                [(x.pk, x.slug, x.acronym) for x in tags(p)[3]],
            )
            for p in paragraphs
        ],
        "instrument_links": [
            (link.pk, link.relation, link.note, link.instrument.slug, link.instrument.title)
            for link in instrument_links
        ],
        "partners": [(x.pk, x.slug, x.acronym, x.full_name) for x in partners],
    }


def orm_links(resolution):
    """What linked() reads, read by the ORM, in the models' orders."""
    return link_values(
        resolution.paragraphs.order_by("position").prefetch_related(
            "addressees", "assisted_by", "activities", "partners"
        ),
        lambda p: (
            [a.name for a in p.addressees.all()],
            [a.name for a in p.assisted_by.all()],
            [a.name for a in p.activities.all()],
            list(p.partners.all()),
        ),
        ResolutionInstrument.objects.filter(resolution=resolution).select_related("instrument"),
        resolution.partners.all(),
    )


# --- what it shows --------------------------------------------------------------------------------


def test_paragraph_line_escapes_names_and_keeps_translations(client):
    addressee = Addressee.objects.create(slug="markup", name="<b>Bold</b> & co", position=99)
    resolution = make(paragraphs=1, tagged=False)
    resolution.paragraphs.get().addressees.add(addressee)
    content = get(client, resolution)[0]
    assert "Addressed to: &lt;b&gt;Bold&lt;/b&gt; &amp; co." in content
    assert "<b>Bold</b>" not in content
    assert "Paragraph 1" in content and "Operative verb: requests." in content

    french = client.get("/fr" + resolution.get_absolute_url()).content.decode()
    assert "Paragraphe 1" in french
    # French puts a no-break space before a colon.
    assert "Verbe du dispositif\u00a0: prie." in french
    assert "Destinataires\u00a0: &lt;b&gt;Bold&lt;/b&gt; &amp; co." in french


def test_paragraph_line_names_partners_with_links(client):
    content = client.get("/resolutions/sc/2322-2016/").content.decode()
    assert (
        'Partners named: <a href="/partners/interpol/">INTERPOL</a>, '
        '<a href="/partners/unesco/">UNESCO</a>.'
    ) in content
    french = client.get("/fr/resolutions/sc/2322-2016/").content.decode()
    assert 'Partenaires mentionnés\u00a0: <a href="/fr/partners/interpol/">INTERPOL</a>' in french


# --- the drawing ----------------------------------------------------------------------------------


# What graph_svg.html and graph_legend.html wrote before Node.svg and EdgeKind.stroke.
def test_paragraphs_escape_what_they_show(client):
    resolution = make(title="Plain", paragraphs=2)
    first = resolution.paragraphs.get(number=1)
    first.summary = "<script>x()</script> & more"
    first.cited_on_page = True
    first.save()
    Paragraph.objects.filter(number=2, resolution=resolution).update(summary="")
    content = get(client, resolution)[0]
    assert "&lt;script&gt;x()&lt;/script&gt; &amp; more" in content
    assert "<script>x()" not in content
    assert '<div class="paragraph" id="para-1">' in content
    assert '<h3><a href="#para-1">Paragraph 1</a> <span class="badge badge--body">' in content
    assert "cited by UNODC" in content
    assert "The text of this paragraph has not been seen" in content  # paragraph 2
    assert f">{resolution.paragraph_citation(2)}</code>" in content
    french = client.get("/fr" + resolution.get_absolute_url()).content.decode()
    assert "cité par l’ONUDC" in french or "cité par l'ONUDC" in french


# What mandates/includes/graph_svg.html wrote before Graph.svg (its parts as they are now drawn).
def test_link_lists_escape_what_they_show(client):
    resolution = make(instruments=["untoc"], partners=["unesco", "icom"])
    ResolutionInstrument.objects.filter(resolution=resolution).update(note="<i>note</i> & co")
    cited = make(title="<b>Cited</b> & co")
    ResolutionCitation.objects.create(citing=resolution, cited=cited, note="<u>why</u>")
    content = get(client, resolution)[0]
    assert " <small>(&lt;i&gt;note&lt;/i&gt; &amp; co)</small></li>" in content
    assert (
        ": &lt;b&gt;Cited&lt;/b&gt; &amp; co <small>(&lt;u&gt;why&lt;/u&gt;)</small></li>"
        in content
    )
    assert (
        '<a href="/partners/icom/">ICOM</a>, <a href="/partners/unesco/">UNESCO</a></p>' in content
    )
    assert (
        f'<li><a href="https://undocs.org/ar/{resolution.symbol}" hreflang="ar" lang="ar"'
        in content
    )
    later = get(client, cited)[0]
    assert f'<a href="{resolution.get_absolute_url()}">GA {resolution.number}</a>' in later


# --- facts, sources and verification (resolution_facts.html, provenance.html) -----------------


def test_facts_and_provenance_escape_what_they_show(client):
    odd = make(title="Odd")
    odd.symbol = ""
    odd.contained_in = "<b>E/2019/30</b> & co"
    odd.contained_in_title = 'Report <i>of</i> the "Council"'
    odd.session = "<script>x()</script>"
    odd.meeting = "8th & 9th"
    odd.adoption_note = "<u>by vote</u>"
    odd.verification_note = "Line <one> & more\nLine two"
    odd.sources = "official https://www.un.org/?a=1&b=<2>\nsecondary https://example.org/two"
    odd.unverified_fields = ["session"]
    odd.save()
    content = get(client, odd)[0]
    assert "&lt;b&gt;E/2019/30&lt;/b&gt; &amp; co" in content
    assert "Report &lt;i&gt;of&lt;/i&gt; the &quot;Council&quot;" in content
    assert "&lt;script&gt;x()&lt;/script&gt;" in content and "<script>x()" not in content
    assert "8th &amp; 9th" in content and "(&lt;u&gt;by vote&lt;/u&gt;)" in content
    assert "Line &lt;one&gt; &amp; more<br>Line two" in content
    assert 'href="https://www.un.org/?a=1&amp;b=&lt;2&gt;"' in content
