"""Keyword search: the same answers on both databases, the marks of what each one matched, and
indexes that every kind of change keeps up to date.

The suite runs on SQLite and again on PostgreSQL (.ci/run); every test here but the few marked
for one database asserts the same sets on both. On PostgreSQL the search reads a stored
document (Resolution.search_document) that triggers keep (migrations 0005, 0020); on SQLite an
FTS5 table that triggers keep (migrations 0015, 0020). The tests write the way the admin,
loaddata and bulk_create do, and search straight after, without any step of ours in between:
they fail if a later migration lost the triggers.
"""

import re
import sqlite3
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mandates.models import Body, Paragraph, Resolution
from mandates.models.search import MARK_START, MARK_STOP, SEARCH_CONFIG, WORD_PART, Marked

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored documents are PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")

LIST = reverse("mandates:resolution-list")


def make(number, title="", summary="", paragraphs=()):
    resolution = Resolution.objects.create(
        body=Body.objects.get(code="GA"),
        number=f"85/{number}",
        symbol=f"A/RES/85/{number}",
        title=title,
        summary=summary,
        year=2030,
        is_synthetic=True,
    )
    for position, text in enumerate(paragraphs, 1):
        Paragraph.objects.create(resolution=resolution, number=position, summary=text)
    return resolution


@pytest.fixture
def resolution():
    return make(901, "Protection of archaeological heritage")


@pytest.fixture
def records():
    """Four resolutions, each word below in one form or another in one field or another."""
    return [
        make(
            901,
            "Protection of archaeological heritage",
            "Calls for the return of looted antiquities to their countries of origin.",
        ),
        make(
            902,
            "Cooperation against trafficking",
            paragraphs=["Museums should check objects before acquiring an antiquity."],
        ),
        make(
            903,
            "Smuggling of cultural property",
            "Looting and smuggling of properties; the museum returned the object.",
        ),
        make(904, "Technical assistance", "Training on illicit excavation in 2031."),
    ]


def found(text):
    return set(Resolution.objects.search(text).values_list("number", flat=True))


def ours(text):
    """What a search finds among the records above (the reference data is there too)."""
    return {number for number in found(text) if number.startswith("85/")}


# --- a word and its other forms find the same records, on both databases --------------------------

FORMS = [
    (("antiquity", "antiquities", "Antiquities"), {"85/901", "85/902"}),
    (("loot", "looting", "looted"), {"85/901", "85/903"}),
    (("museum", "museums"), {"85/902", "85/903"}),
    (("object", "objects"), {"85/902", "85/903"}),
    (("property", "properties"), {"85/903"}),
    (("smuggle", "smuggling", "smuggled"), {"85/903"}),
    (("return", "returned", "returning", "returns"), {"85/901", "85/903"}),
    (("country", "countries"), {"85/901"}),
    (("excavation", "excavations"), {"85/904"}),
]


@pytest.mark.parametrize(("words", "expected"), FORMS, ids=[forms[0] for forms, _ in FORMS])
def test_every_form_of_a_word_finds_the_same_records(records, words, expected):
    for word in words:
        assert ours(word) == expected, word


def test_phrases_exclusions_and_or(records):
    assert ours('"cultural property"') == {"85/903"}
    assert ours('"property cultural"') == set()
    assert ours("looted -antiquities") == {"85/903"}
    assert ours('looted -"looted antiquities"') == {"85/903"}
    assert ours("museum or excavation") == {"85/902", "85/903", "85/904"}
    assert ours("-looting") == {"85/902", "85/904"}  # excluded words alone: all the others


def test_every_word_must_match(records):
    assert ours("archaeological heritage") == {"85/901"}
    assert ours("archaeological museum") == set()
    assert ours("the museum") == {"85/903"}  # every word, none ignored: "the" too


def test_whole_words_not_the_start_of_one(records):
    """As on PostgreSQL: "archaeo" is not a word of any record (it was a prefix on SQLite)."""
    assert ours("archaeo") == set()
    assert ours("archaeological") == {"85/901"}


def test_symbols_and_numbers_by_their_parts(records):
    assert ours("A/RES/85/902") == {"85/902"}
    assert ours("RES/85/902") == {"85/902"}
    assert ours("85/902") == {"85/902"}
    assert ours("2031") == {"85/904"}


def test_paragraph_text_is_searched(records):
    assert ours("acquiring") == {"85/902"}


@pytest.mark.parametrize(
    "text", ['"', "*", "NEAR(a b)", "title:x", "a AND", "OR", "(", "-", "<b>", 'a"b', "_", "or or"]
)
def test_search_syntax_in_the_query_is_taken_as_text(resolution, text):
    list(Resolution.objects.search(text))  # no error, whatever it finds
    assert "85/901" not in found(text)


def test_punctuation_alone_finds_nothing(resolution):
    assert found("*") == set() and found("-") == set()


@postgres_only
def test_the_two_stemmers_group_the_records_words_alike():
    """Every word of the reference data, and the forms above, stems into the same groups with
    PostgreSQL's configuration as with SQLite's FTS5 Porter tokenizer (run here in memory), but
    for the pairs listed: where they differ, a search differs."""
    texts = [
        value
        for row in Resolution.objects.real().values_list("number", "symbol", "title", "summary")
        for value in row
    ]
    texts += list(Paragraph.objects.values_list("summary", flat=True))
    texts += [word for forms, _ in FORMS for word in forms]
    words = sorted({part.lower() for text in texts for part in WORD_PART.findall(text)})
    assert len(words) > 400

    memory = sqlite3.connect(":memory:")
    memory.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
    memory.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    memory.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(words))
    terms = [term for (term,) in memory.execute("SELECT term FROM v ORDER BY doc")]
    sqlite_stem = dict(zip(words, terms, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, strip(to_tsvector(%s::regconfig, w))::text FROM unnest(%s::text[]) AS w",
            [SEARCH_CONFIG, words],
        )
        postgres_stem = {word: vector.strip("'") for word, vector in cursor.fetchall()}

    def groups(stems):
        by_stem = defaultdict(set)
        for word, stem in stems.items():
            by_stem[stem].add(word)
        return {word: frozenset(by_stem[stem]) for word, stem in stems.items()}

    sqlite_groups, postgres_groups = groups(sqlite_stem), groups(postgres_stem)
    differ = {
        frozenset(sqlite_groups[word] | postgres_groups[word])
        for word in words
        if sqlite_groups[word] != postgres_groups[word]
    }
    assert differ <= {frozenset({"general", "generate"}), frozenset({"on", "one"})}


# --- the marks: what the database matched ---------------------------------------------------------


def marks(text):
    """The words in <mark> in `text` (HTML or a marked text)."""
    text = text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return re.findall(r"<mark>(.*?)</mark>", text)


def test_marks_are_the_forms_the_database_matched(records):
    rows = {r.number: r for r in Resolution.objects.search("antiquity").marked("antiquity")}
    assert set(rows) >= {"85/901", "85/902"}
    summary = rows["85/901"].search_marks.summary
    assert [piece for piece, matched in summary.pieces if matched] == ["antiquities"]
    assert not rows["85/901"].search_marks.title.matched
    paragraph = rows["85/902"].search_marks
    assert paragraph.paragraph.number == 1
    assert [piece for piece, matched in paragraph.paragraph_text.pieces if matched] == ["antiquity"]


def test_the_list_marks_a_match_in_every_row_and_nothing_else(client, records):
    for query, forms in [
        ("looted", {"looted", "looting"}),
        ("museums", {"museums", "museum"}),
        ("smuggle property", {"smuggling", "property", "properties"}),
    ]:
        content = client.get(LIST, {"q": query}).content.decode()
        rows = re.findall(r"<tr>.*?</tr>", content, re.S)[1:]
        assert rows, query
        for row in rows:
            marked = {word.lower() for word in marks(row)}
            assert marked, (query, row)
            assert marked <= forms, (query, marked)


def test_a_symbol_is_marked_by_its_parts(records):
    """PostgreSQL marks each part ("RES", "85", "902"), SQLite the phrase ("RES/85/902")."""
    row = Resolution.objects.search("RES/85/902").marked("RES/85/902").get()
    symbol = row.search_marks.symbol
    assert "".join(piece for piece, _ in symbol.pieces) == "A/RES/85/902"
    matched = "".join(piece for piece, is_match in symbol.pieces if is_match)
    assert matched.replace("/", "") == "RES85902"


def test_marks_escape_what_they_mark(client):
    make(905, "Museums <script>alert(1)</script> & numismatics")
    content = client.get(LIST, {"q": "numismatics"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>numismatics</mark>" in content


def test_no_marking_without_a_search(client, records):
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST)
    assert not any(re.search(r"highlight\(|ts_headline", q["sql"]) for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST, {"q": "museum"})
    assert any(re.search(r"highlight\(|ts_headline", q["sql"]) for q in ctx.captured_queries)


def test_a_snippet_is_centred_on_the_first_match_and_says_where_it_was_cut():
    text = " ".join(f"w{i}" for i in range(100)).replace("w50", f"{MARK_START}w50{MARK_STOP}")
    snippet = Marked.of(text, 30)
    assert snippet.cut_before and snippet.cut_after
    shown = "".join(piece for piece, _ in snippet.pieces).split()
    assert shown[0] == "w35" and shown[-1] == "w64" and ("w50", True) in snippet.pieces
    assert Marked.of("a b c", 30) == Marked((("a b c", False),))


def test_a_snippet_cut_inside_a_phrase_keeps_it_marked():
    text = f"{MARK_START}{' '.join(f'w{i}' for i in range(40))}{MARK_STOP} end"
    snippet = Marked.of(text, 10)
    assert all(matched for piece, matched in snippet.pieces if piece.strip() != "end")


# --- the indexes follow every change --------------------------------------------------------------


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


def test_the_report_holding_a_resolution_is_searched(resolution):
    resolution.symbol = ""
    resolution.contained_in = "A/85/49 (Vol. III)"
    resolution.save()
    assert "85/901" in found("A/85/49")


def test_a_deleted_resolution_is_no_longer_found(resolution):
    resolution.delete()
    assert "85/901" not in found("archaeological")


def test_ranked_by_relevance_title_before_paragraph(resolution):
    other = make(902, "Cooperation", paragraphs=["Archaeological sites."])
    ranked = list(Resolution.objects.search("archaeological").values_list("number", flat=True))
    assert ranked.index("85/901") < ranked.index(other.number)


def test_a_phrase_is_found_within_one_field_or_paragraph_never_across_two():
    """As SQLite's FTS5 keeps them apart (a column a field, a tag between paragraphs), so does
    PostgreSQL's document (migration 0022): the end of one part and the start of the next are
    not a phrase."""
    make(905, "Cooperation", paragraphs=["Protection of cultural", "Property returned."])
    make(906, "Protection of cultural", "Property returned.")
    make(907, "Cooperation", paragraphs=["Return of cultural property."])
    assert ours('"cultural property"') == {"85/907"}
    assert ours("cultural property") == {"85/905", "85/906", "85/907"}  # the words, anywhere
    assert ours('"906 A/RES"') == set()  # the number's last word, the symbol's first
    assert ours('"A/RES/85/906"') == {"85/906"}


@postgres_only
def test_the_stored_document_weighs_each_part_and_keeps_them_apart():
    """The trigger's document (migrations 0020, 0022): number, symbol and containing report
    weigh A, the title B, the summary C, the paragraphs D (shown without a letter), in that
    order, with a position left empty after each part and between two paragraphs."""
    make(905, "Cultural heritage", "Property rights.", paragraphs=["Museums cultural", "property"])
    document = Resolution.objects.values_list("search_document", flat=True).get(number="85/905")
    assert document == (
        "'85':1A,6A '905':2A,7A 'a':4A 'cultur':10B,17 'heritag':11B 'museum':16"
        " 'properti':13C,19 'res':5A 'right':14C"
    )


@sqlite_only
def test_the_unfiltered_list_reads_the_newest_first_index():
    """With a thousand resolutions and the planner's statistics (ANALYZE, as `make bench`
    leaves them), the first page is read in index order, not sorted from every row.
    PostgreSQL's plan at 100,000: docs/performance.md."""
    call_command("generate_synthetic", resolutions=1000, verbosity=0)
    page = Resolution.objects.for_list().order_by(*Resolution._meta.ordering)[:25]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "resolution_newest_first" in plan, plan
