"""Paragraph.search_document goes: nothing read it.

Migration 0005 gave every paragraph a stored full-text document (PostgreSQL), kept by a trigger
and GIN-indexed, but the search reads each resolution's document, which holds its paragraphs'
text already (weight D), and the list marks the matching paragraph with ts_headline over its
text (ResolutionQuerySet.marked()). The statement-level triggers that recompute a resolution's
document when its paragraphs change stay.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS paragraph_search_document",
    "DROP TRIGGER IF EXISTS mandates_paragraph_search_document ON mandates_paragraph",
    "DROP FUNCTION IF EXISTS mandates_paragraph_search_document()",
]
# Back to 0005's: the function, its trigger, every row's document and the index.
BACKWARD = [
    """
    CREATE FUNCTION mandates_paragraph_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := to_tsvector('english'::regconfig, COALESCE(NEW.summary, ''));
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER mandates_paragraph_search_document
    BEFORE INSERT OR UPDATE ON mandates_paragraph
    FOR EACH ROW EXECUTE FUNCTION mandates_paragraph_search_document()
    """,
    "UPDATE mandates_paragraph SET search_document = NULL",
    "SET CONSTRAINTS ALL IMMEDIATE",
    "CREATE INDEX paragraph_search_document ON mandates_paragraph USING gin (search_document)",
]


def postgres_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0018_loaded_records"),
    ]

    operations = [
        migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD)),
        migrations.RemoveField(model_name="paragraph", name="search_document"),
    ]

