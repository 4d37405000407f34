"""One search on both databases: English stemming on both, every word kept, the same fields with
the same weights (mandates/models/search.py says how a query is read and matched).

SQLite: mandates_resolution_fts (migration 0015) is made again with the Porter stemmer over
unicode61 ("antiquities" and "antiquity" are one word, as on PostgreSQL; accents are kept, as
PostgreSQL keeps them), a column a field: number, symbol, contained_in (the report holding a
resolution without a symbol), title, summary and paragraphs, whose text follows a tag of each
paragraph's position (char 57346, the position, char 57347: one token no query can match, so
the list can tell which paragraph holds a match). bm25 ranks it with PostgreSQL's weights.

PostgreSQL: the text search configuration mandates_english (English's, with a Snowball
stemmer that keeps stop words, as FTS5 does), and a resolution's document (0005's trigger
function, redefined) gains contained_in, reads "/", ".", ":", "@", "&", "<" and ">" as spaces
(so "A/RES/70/76" is the words a res 70 76, as FTS5 reads it, and nothing looks like HTML
to PostgreSQL's parser) and its paragraphs in their order. Every document is
computed again.

Caution: SQLite drops a table's triggers when a migration rebuilds that table (Django's SQLite
schema editor rebuilds it for most AlterField and some AddField operations). A later migration
that rebuilds mandates_resolution or mandates_paragraph must run this migration's
`install_triggers` again (RunPython(install_triggers)); tests/test_search.py fails if it does not.
"""

from importlib import import_module

from django.db import migrations

# --- SQLite ----------------------------------------------------------------------------------------

FTS = "mandates_resolution_fts"
COLUMNS = "number, symbol, contained_in, title, summary, paragraphs"
# Each paragraph's text after its position tag; in no particular order (the tags say which).
PARAGRAPHS_OF = (
    "(SELECT group_concat(' ' || char(57346) || position || char(57347) || ' ' || summary, '')"
    " FROM mandates_paragraph WHERE resolution_id = {id})"
)
ROW_OF = (
    f"INSERT INTO {FTS} (rowid, {COLUMNS})"
    " SELECT id, number, symbol, contained_in, title, summary,"
    f" {PARAGRAPHS_OF.format(id='mandates_resolution.id')}"
    " FROM mandates_resolution WHERE id = {id};"
)
PARAGRAPHS_CHANGED = f"UPDATE {FTS} SET paragraphs = {PARAGRAPHS_OF} WHERE rowid = {{id}};"

TRIGGERS = {
    "mandates_resolution_fts_insert": (
        "AFTER INSERT ON mandates_resolution",
        ROW_OF.format(id="NEW.id"),
    ),
    "mandates_resolution_fts_update": (
        "AFTER UPDATE ON mandates_resolution",
        f"DELETE FROM {FTS} WHERE rowid = OLD.id; " + ROW_OF.format(id="NEW.id"),
    ),
    "mandates_resolution_fts_delete": (
        "AFTER DELETE ON mandates_resolution",
        f"DELETE FROM {FTS} WHERE rowid = OLD.id;",
    ),
    "mandates_paragraph_fts_insert": (
        "AFTER INSERT ON mandates_paragraph",
        PARAGRAPHS_CHANGED.format(id="NEW.resolution_id"),
    ),
    "mandates_paragraph_fts_update": (
        "AFTER UPDATE ON mandates_paragraph",
        PARAGRAPHS_CHANGED.format(id="OLD.resolution_id")
        + " "
        + PARAGRAPHS_CHANGED.format(id="NEW.resolution_id"),
    ),
    "mandates_paragraph_fts_delete": (
        "AFTER DELETE ON mandates_paragraph",
        PARAGRAPHS_CHANGED.format(id="OLD.resolution_id"),
    ),
}


def install_triggers(apps, schema_editor):
    """(Re)create the triggers and refill the table from the records (SQLite only)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (event, body) in TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"CREATE TRIGGER {name} {event} BEGIN {body} END")
    schema_editor.execute(f"DELETE FROM {FTS}")
    schema_editor.execute(
        f"INSERT INTO {FTS} (rowid, {COLUMNS})"
        " SELECT id, number, symbol, contained_in, title, summary,"
        f" {PARAGRAPHS_OF.format(id='mandates_resolution.id')} FROM mandates_resolution"
    )


def drop_sqlite_index(schema_editor):
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


def create_sqlite_index(apps, schema_editor):
    drop_sqlite_index(schema_editor)
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS},"
        " tokenize = 'porter unicode61 remove_diacritics 0')"
    )
    # bm25 with PostgreSQL's weights (ts_rank: A 1.0, B 0.4, C 0.2, D 0.1), a column each.
    schema_editor.execute(
        f"INSERT INTO {FTS} ({FTS}, rank) VALUES ('rank', 'bm25(10, 10, 10, 4, 2, 1)')"
    )
    install_triggers(apps, schema_editor)


def restore_sqlite_index(apps, schema_editor):
    """Back to migration 0015's table and triggers."""
    drop_sqlite_index(schema_editor)
    import_module("mandates.migrations.0015_sqlite_keyword_search").create(apps, schema_editor)


# --- PostgreSQL ------------------------------------------------------------------------------------

CONFIGURATION = [
    "CREATE TEXT SEARCH DICTIONARY mandates_english_stem (TEMPLATE = snowball, LANGUAGE = english)",
    "CREATE TEXT SEARCH CONFIGURATION mandates_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION mandates_english"
    " ALTER MAPPING REPLACE english_stem WITH mandates_english_stem",
]
# mandates.models.search.SPLIT_AT read as spaces (the parser keeps "A/RES/70/76" whole).
WORDS_OF = "to_tsvector('mandates_english'::regconfig, translate({text}, '/.:@&<>', '       '))"
# Number and symbol (A), containing report (A), title (B), summary (C), paragraphs (D); migration
# 0022 keeps the parts apart.
DOCUMENT = f"""
    setweight({WORDS_OF.format(text="COALESCE(NEW.number, '') || ' ' || COALESCE(NEW.symbol, '')")}, 'A')
    || setweight({WORDS_OF.format(text="COALESCE(NEW.contained_in, '')")}, 'A')
    || setweight({WORDS_OF.format(text="COALESCE(NEW.title, '')")}, 'B')
    || setweight({WORDS_OF.format(text="COALESCE(NEW.summary, '')")}, 'C')
    || setweight({WORDS_OF.format(text='''COALESCE((
        SELECT string_agg(p.summary, ' ' ORDER BY p.position) FROM mandates_paragraph p
        WHERE p.resolution_id = NEW.id), '')''')}, 'D')
"""
# Migration 0005's document.
PREVIOUS_DOCUMENT = """
    setweight(to_tsvector('english'::regconfig,
        COALESCE(NEW.number, '') || ' ' || COALESCE(NEW.symbol, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.summary, '')), 'C')
    || setweight(to_tsvector('english'::regconfig, COALESCE((
        SELECT string_agg(p.summary, ' ' ORDER BY p.number) FROM mandates_paragraph p
        WHERE p.resolution_id = NEW.id), '')), 'D')
"""
FUNCTION = """
    CREATE OR REPLACE FUNCTION mandates_resolution_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := {document};
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
"""
RECOMPUTE = "UPDATE mandates_resolution SET search_document = NULL"  # the trigger fills it


def postgres_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CONFIGURATION:
        schema_editor.execute(statement)
    schema_editor.execute(FUNCTION.format(document=DOCUMENT))
    schema_editor.execute(RECOMPUTE)


def postgres_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION.format(document=PREVIOUS_DOCUMENT))
    schema_editor.execute(RECOMPUTE)
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS mandates_english")
    schema_editor.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS mandates_english_stem")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_sqlite_index(apps, schema_editor)
    postgres_forward(apps, schema_editor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        restore_sqlite_index(apps, schema_editor)
    postgres_backward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0019_drop_paragraph_search_document"),
    ]

    operations = [migrations.RunPython(forward, backward)]
