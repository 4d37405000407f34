"""SQLite's keyword search: an FTS5 table of the resolutions' searchable text, kept by triggers.

PostgreSQL searches the stored search_document instead (migration 0005); on PostgreSQL this
migration does nothing.

mandates_resolution_fts holds, for each resolution (rowid = its id), its number, symbol (or
containing report), title, summary and its paragraphs' text. The triggers below keep it in step
with every writer (admin, loaddata, bulk_create, raw SQL); ResolutionQuerySet.search() reads it
(the one place the app queries it). tests/test_search.py checks what a search finds after each
kind of change.

Caution: SQLite drops a table's triggers when a migration rebuilds that table (Django's SQLite
schema editor rebuilds it for most AlterField and some AddField operations). A later migration
that rebuilds mandates_resolution or mandates_paragraph must run `install_triggers` again
(RunPython(install_triggers)), as this one does; tests/test_search.py fails if it does not.
Migration 0020 made the table again (stemmed, a column a field): use its install_triggers.
"""

from django.db import migrations

FTS = "mandates_resolution_fts"
PARAGRAPHS_OF = (
    "(SELECT group_concat(summary, ' ') FROM mandates_paragraph WHERE resolution_id = {id})"
)
ROW_OF = (
    f"INSERT INTO {FTS} (rowid, number, symbol, title, summary, paragraphs)"
    " SELECT id, number, symbol || ' ' || contained_in, title, summary,"
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
        f"INSERT INTO {FTS} (rowid, number, symbol, title, summary, paragraphs)"
        " SELECT id, number, symbol || ' ' || contained_in, title, summary,"
        f" {PARAGRAPHS_OF.format(id='mandates_resolution.id')} FROM mandates_resolution"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    # Words split on anything but letters and digits, accents folded ("Côte" finds "cote").
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5("
        "number, symbol, title, summary, paragraphs, tokenize = 'unicode61 remove_diacritics 2')"
    )
    install_triggers(apps, schema_editor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0014_drop_resolution_tally"),
    ]

    operations = [migrations.RunPython(create, drop)]
