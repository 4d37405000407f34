"""A quoted phrase is found where its words follow each other within one field or one paragraph,
on PostgreSQL as on SQLite.

SQLite's FTS5 table has a column a field and a tag between paragraphs (migration 0020), so a
phrase never runs from the end of one part into the start of the next. PostgreSQL's document
(migration 0020) joined its parts end to end: `tsvector || tsvector` numbers the words of the
right part on from the last word of the left, and the paragraphs were one string. So
"cultural property" found a resolution whose paragraph ends with "cultural" and whose next
paragraph starts with "Property" (22 of the 10,000 synthetic resolutions that SQLite did not).

Now the document leaves a hole in the word positions after each part: each part is followed by
a lexeme no parser makes (a space, GAP), removed again at the end (ts_delete()); the paragraphs
are read as a JSON array, in their order, which to_tsvector() reads as though a word stood
between two strings. The weights stay as they were (number, symbol and containing report A,
title B, summary C, paragraphs D). Every document is computed again.
"""

from importlib import import_module

from django.db import migrations

SEARCH = import_module("mandates.migrations.0020_stemmed_search")
CONFIG = "'mandates_english'::regconfig"
SPACES = "'/.:@&<>', '       '"  # as in 0020's WORDS_OF: SPLIT_AT read as spaces
# After each part, the lexeme " " (no parser makes one of a text) at one position, so the next
# part's words are numbered from one further on; ts_delete() removes every " " at the end.
GAP = "' '"
GAP_AFTER = "''' '':1'::tsvector"  # the tsvector  ' ':1

PARTS = (
    ("COALESCE(NEW.number, '')", "A"),
    ("COALESCE(NEW.symbol, '')", "A"),
    ("COALESCE(NEW.contained_in, '')", "A"),
    ("COALESCE(NEW.title, '')", "B"),
    ("COALESCE(NEW.summary, '')", "C"),
)
PARAGRAPHS = f"""setweight(to_tsvector({CONFIG}, COALESCE((
        SELECT jsonb_agg(translate(p.summary, {SPACES}) ORDER BY p.position)
        FROM mandates_paragraph p WHERE p.resolution_id = NEW.id), '[]'::jsonb)), 'D')"""
PARTS_WITH_GAPS = " || ".join(
    f"setweight({SEARCH.WORDS_OF.format(text=part)}, '{weight}') || {GAP_AFTER}"
    for part, weight in PARTS
)
DOCUMENT = f"ts_delete({PARTS_WITH_GAPS} || {PARAGRAPHS}, {GAP})"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SEARCH.FUNCTION.format(document=DOCUMENT))
    schema_editor.execute(SEARCH.RECOMPUTE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SEARCH.FUNCTION.format(document=SEARCH.DOCUMENT))
    schema_editor.execute(SEARCH.RECOMPUTE)


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0021_resolution_newest_first"),
    ]

    operations = [migrations.RunPython(forward, backward)]
