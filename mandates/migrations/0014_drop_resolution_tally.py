"""The resolution tally goes: the list's facets are counted by QuerySet aggregations and kept
per data version in the cache (ResolutionFilter.cached_facet_counts()).

Its triggers are dropped first (on SQLite, a trigger left behind would make every later write
to the resolutions fail on the missing table), then its table. The triggers were installed after
every migrate by the removed mandates/tally.py; these are their names."""

from django.db import migrations

TABLES = ("mandates_resolution", "mandates_resolutioninstrument", "mandates_resolution_partners")
POSTGRESQL = [
    *(
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}"
        for table in TABLES
        for trigger in ("tally_insert", "tally_update", "tally_delete")
    ),
    *(
        f"DROP FUNCTION IF EXISTS {function}()"
        for function in ("tally_resolution", "tally_i_links", "tally_p_links")
    ),
]
SQLITE = [
    f"DROP TRIGGER IF EXISTS tally_{kind}_{event}"
    for kind in ("resolution", "i", "p")
    for event in ("insert", "update", "delete")
]


def drop_triggers(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0013_publishers"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="ResolutionTally"),
    ]
