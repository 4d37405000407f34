"""Keyword search finds what each kind of change makes findable, on both databases.

On PostgreSQL the search reads a stored document (Resolution.search_document) that triggers
keep up to date (migration mandates/0005); on SQLite an FTS5 table that triggers keep
(migration mandates/0015). These tests write the way the admin, loaddata and bulk_create do,
and search straight after, without any step of ours in between: they fail if a later migration
lost the triggers.
"""

import pytest
from django.db import connection

from mandates.models import Body, Paragraph, Resolution

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored documents are PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")


@pytest.fixture
def resolution():
    return Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number="85/901",
        symbol="A/RES/85/901",
        title="Protection of archaeological heritage",
        year=2030,
        is_synthetic=True,
    )


def found(text):
    return set(Resolution.objects.search(text).values_list("number", flat=True))


def test_title_symbol_and_number(resolution):
    assert "85/901" in found("archaeological")
    assert "85/901" in found("A/RES/85/901")
    assert "85/901" in found("85/901")


def test_a_paragraph_makes_its_resolution_findable_and_stops_when_deleted(resolution):
    assert "85/901" not in found("numismatic")
    paragraph = Paragraph.objects.create(
        resolution=resolution, number=1, summary="Calls for numismatic expertise."
    )
    assert "85/901" in found("numismatic")
    paragraph.summary = "Calls for philatelic expertise."
    paragraph.save()
    assert "85/901" not in found("numismatic")
    assert "85/901" in found("philatelic")
    paragraph.delete()
    assert "85/901" not in found("philatelic")


def test_bulk_created_paragraphs_are_findable(resolution):
    Paragraph.objects.bulk_create(
        [
            Paragraph(resolution=resolution, number=n, position=n, summary=f"Word{n} sigillography")
            for n in (1, 2)
        ]
    )
    assert "85/901" in found("sigillography")


def test_an_edited_title_is_found_by_its_new_words(resolution):
    resolution.title = "Return of looted manuscripts"
    resolution.save()
    assert "85/901" in found("manuscripts")
    assert "85/901" not in found("archaeological")


@postgres_only
def test_stored_documents_match_their_definition():
    """The trigger computes RESOLUTION_SEARCH_VECTOR (plus paragraphs, weight D): for a
    resolution without paragraphs the two are the same tsvector."""
    from mandates.models import RESOLUTION_SEARCH_VECTOR

    plain = Resolution.objects.filter(paragraphs__isnull=True).annotate(
        expected=RESOLUTION_SEARCH_VECTOR
    )
    pairs = list(plain.values_list("search_document", "expected"))
    assert pairs
    assert all(stored == expected for stored, expected in pairs)


@postgres_only
def test_ranked_by_relevance_title_before_paragraph(resolution):
    other = Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number="85/902",
        symbol="A/RES/85/902",
        title="Cooperation",
        year=2030,
        is_synthetic=True,
    )
    Paragraph.objects.create(resolution=other, number=1, summary="Archaeological sites.")
    ranked = list(Resolution.objects.search("archaeological").values_list("number", flat=True))
    assert ranked.index("85/901") < ranked.index("85/902")


def test_a_deleted_resolution_is_no_longer_found(resolution):
    resolution.delete()
    assert "85/901" not in found("archaeological")


def test_every_word_must_match(resolution):
    assert "85/901" in found("archaeological heritage")
    assert "85/901" not in found("archaeological numismatic")


@pytest.mark.parametrize(
    "text", ['"', "*", "NEAR(a b)", "title:x", "a AND", "OR", "(", "-", "<b>", 'a"b', "_"]
)
def test_search_syntax_in_the_query_is_taken_as_text(resolution, text):
    list(Resolution.objects.search(text))  # no error, whatever it finds


@sqlite_only
def test_sqlite_finds_the_start_of_a_word_and_a_symbol_by_its_parts(resolution):
    assert "85/901" in found("archaeo")
    assert "85/901" in found("RES/85")
    assert "85/901" not in found("chaeological")  # words, not any substring
