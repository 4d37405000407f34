"""The resolution tally: how many resolutions each (body, year) holds, in all and linked to each
instrument and partner, kept by the database itself.

The list's facets count the resolutions that match every filter but their own. With no filter,
or only bodies and years, those counts are sums over (body, year) cells, and the tally holds
the cells: a few hundred rows to add up instead of every matching resolution's index entry
(about 16,000 a request for the benchmark's list at 100,000 resolutions, three quarters of the
database's time on that page). ResolutionFilter.facet_counts() reads it when it can.

Why triggers, not signals: the ORM is not the only writer. Bulk creates, queryset updates and
deletes, raw SQL and loaddata send no save signals; database triggers see every change, and
in the same transaction, so the tally is never behind the records it counts (a rollback undoes
both). The rule they keep, on both databases:

    a resolution counts once in the cell of its (body, year) under kind "r"; and once more under
    "i" (or "p") for each instrument (partner) it is linked to, however many links it has to it.

PostgreSQL runs one statement-level trigger a table and change (transition tables: a bulk
insert of a thousand links is one set-based update); SQLite, which has only row triggers,
runs them after each row, so "the first link to this instrument" is a plain count.

The triggers are (re)installed, and the tally rebuilt from the records, after every `migrate`
(post_migrate, see MandatesConfig.ready): SQLite drops a table's triggers whenever a migration
rebuilds the table, so they must not live in a migration that ran once. The tests compare the
tally with a fresh count after every kind of change (tests/test_tally.py).
"""

import hashlib

from django.db import connections, transaction

TALLY = "mandates_resolutiontally"
RESOLUTION = "mandates_resolution"
# kind -> (link table, its column naming the other side)
LINKS = {
    "i": ("mandates_resolutioninstrument", "instrument_id"),
    "p": ("mandates_resolution_partners", "partner_id"),
}
CELL = "kind, body_id, year, linked_id"
# PostgreSQL: a trigger of each name on each counted table, for its operation.
_PG_TRIGGERS = {"tally_insert": "INSERT", "tally_update": "UPDATE", "tally_delete": "DELETE"}


def _counts_sql():
    """A SELECT of every cell, counted from the records: (kind, body_id, year, linked_id, n)."""
    return " UNION ALL ".join(
        [
            f"SELECT 'r', body_id, year, 0, COUNT(*) FROM {RESOLUTION} GROUP BY body_id, year",
            *(
                f"SELECT '{kind}', r.body_id, r.year, l.{column}, COUNT(DISTINCT r.id)"
                f" FROM {table} l JOIN {RESOLUTION} r ON r.id = l.resolution_id"
                f" GROUP BY r.body_id, r.year, l.{column}"
                for kind, (table, column) in LINKS.items()
            ),
        ]
    )


def rebuild_sql():
    """Statements that count every cell afresh."""
    return [f"DELETE FROM {TALLY}", f"INSERT INTO {TALLY} ({CELL}, resolutions) {_counts_sql()}"]


def fresh_counts(using="default"):
    """{(kind, body_id, year, linked_id): resolutions}, counted from the records now (no zeros):
    what the tally must hold. For tests and checks."""
    with connections[using].cursor() as cursor:
        cursor.execute(_counts_sql())
        return {tuple(row[:4]): row[4] for row in cursor.fetchall()}


def tallied_counts(using="default"):
    """The tally's cells, without those at zero."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {CELL}, resolutions FROM {TALLY} WHERE resolutions <> 0")
        return {tuple(row[:4]): row[4] for row in cursor.fetchall()}


# --- PostgreSQL: statement-level triggers with transition tables ---------------------------------


def _pg_upsert(select):
    """Add the (cell..., delta) rows of `select` to the tally (one row per cell: grouped)."""
    return (
        f"INSERT INTO {TALLY} ({CELL}, resolutions)"
        f" SELECT kind, body_id, year, linked_id, SUM(delta) FROM ({select}) AS changes"
        f" GROUP BY kind, body_id, year, linked_id HAVING SUM(delta) <> 0"
        f" ON CONFLICT ({CELL}) DO UPDATE"
        f" SET resolutions = {TALLY}.resolutions + EXCLUDED.resolutions;"
    )


def _pg_resolution_cells(rows, sign):
    """The cells the resolutions in transition table `rows` count in, each with `sign`:
    theirs under "r", and one a linked instrument or partner (links as they are now)."""
    parts = [f"SELECT 'r' AS kind, body_id, year, 0 AS linked_id, {sign} AS delta FROM {rows}"]
    for kind, (table, column) in LINKS.items():
        parts.append(
            f"SELECT '{kind}', r.body_id, r.year, l.{column}, {sign} FROM {rows} r"
            f" JOIN (SELECT DISTINCT resolution_id, {column} FROM {table}"
            f" WHERE resolution_id IN (SELECT id FROM {rows})) l ON l.resolution_id = r.id"
        )
    return " UNION ALL ".join(parts)


def _pg_link_cells(kind, table, column, changes):
    """The cells a change of link rows moves: for each (resolution, instrument) pair touched,
    +1 if it has links now and had none before, -1 the other way round. `changes` gives
    (resolution_id, column, d), d the links added (+1) or removed (-1); the links before
    are the links now minus their sum."""
    return (
        f"SELECT '{kind}' AS kind, r.body_id, r.year, p.{column} AS linked_id,"
        f" (CASE WHEN p.links_now > 0 THEN 1 ELSE 0 END)"
        f" - (CASE WHEN p.links_now - p.d > 0 THEN 1 ELSE 0 END) AS delta"
        f" FROM (SELECT t.resolution_id, t.{column}, t.d,"
        f" (SELECT COUNT(*) FROM {table} l WHERE l.resolution_id = t.resolution_id"
        f" AND l.{column} = t.{column}) AS links_now"
        f" FROM (SELECT resolution_id, {column}, SUM(d) AS d FROM ({changes}) AS c"
        f" GROUP BY resolution_id, {column}) AS t) AS p"
        f" JOIN {RESOLUTION} r ON r.id = p.resolution_id"
    )


def _pg_function(name, statements):
    """A trigger function running one statement for each operation (TG_OP); a branch names
    only the transition tables its trigger has."""
    branches = "\n  ELS".join(
        f"IF TG_OP = '{op}' THEN\n    {sql}" for op, sql in statements.items()
    )
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {branches}\n  END IF;\n  RETURN NULL;\nEND;\n$$"
    )


def _pg_install_sql():
    statements = []
    tables = {RESOLUTION: "tally_resolution"}
    statements.append(
        _pg_function(
            "tally_resolution",
            {
                "INSERT": _pg_upsert(_pg_resolution_cells("new_rows", 1)),
                "UPDATE": _pg_upsert(
                    _pg_resolution_cells("old_rows", -1)
                    + " UNION ALL "
                    + _pg_resolution_cells("new_rows", 1)
                ),
                "DELETE": _pg_upsert(_pg_resolution_cells("old_rows", -1)),
            },
        )
    )
    for kind, (table, column) in LINKS.items():
        added = f"SELECT resolution_id, {column}, 1 AS d FROM new_rows"
        removed = f"SELECT resolution_id, {column}, -1 AS d FROM old_rows"
        function = f"tally_{kind}_links"
        tables[table] = function
        statements.append(
            _pg_function(
                function,
                {
                    "INSERT": _pg_upsert(_pg_link_cells(kind, table, column, added)),
                    "UPDATE": _pg_upsert(
                        _pg_link_cells(kind, table, column, f"{added} UNION ALL {removed}")
                    ),
                    "DELETE": _pg_upsert(_pg_link_cells(kind, table, column, removed)),
                },
            )
        )
    for table, function in tables.items():
        for trigger, event in _PG_TRIGGERS.items():
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }[event]
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table}"
                f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            ]
    return statements


# --- SQLite: row triggers, run after each row ----------------------------------------------------


def _sqlite_add(kind, body, year, linked, where=""):
    """Add 1 to a cell (creating it at 1). `linked` is an expression, or a SELECT of them."""
    return (
        f"INSERT INTO {TALLY} ({CELL}, resolutions) SELECT '{kind}', {body}, {year}, {linked}, 1"
        f" {where} ON CONFLICT ({CELL}) DO UPDATE SET resolutions = resolutions + 1;"
    )


def _sqlite_resolution_cells(row, sign):
    """Statements adding `sign` (1 or -1) to the cells of resolution `row` (NEW or OLD)."""
    if sign > 0:
        statements = [_sqlite_add("r", f"{row}.body_id", f"{row}.year", "0", "WHERE true")]
        for kind, (table, column) in LINKS.items():
            statements.append(
                _sqlite_add(
                    kind,
                    f"{row}.body_id",
                    f"{row}.year",
                    column,
                    f"FROM (SELECT DISTINCT {column} FROM {table}"
                    f" WHERE resolution_id = {row}.id) WHERE true",
                )
            )
        return statements
    # Subtract without creating: a cell that is not there (the tally emptied first, as a flush
    # may do) stays away rather than going negative.
    where = f"body_id = {row}.body_id AND year = {row}.year"
    statements = [
        f"UPDATE {TALLY} SET resolutions = resolutions - 1"
        f" WHERE kind = 'r' AND {where} AND linked_id = 0;"
    ]
    for kind, (table, column) in LINKS.items():
        statements.append(
            f"UPDATE {TALLY} SET resolutions = resolutions - 1 WHERE kind = '{kind}' AND {where}"
            f" AND linked_id IN (SELECT {column} FROM {table} WHERE resolution_id = {row}.id);"
        )
    return statements


def _sqlite_link_statements(kind, table, column, row, sign):
    """Statements for link `row` (NEW: added, OLD: removed): the pair's first link adds its
    resolution to the cell, its last one removes it. The resolution's cell is read from the
    resolution; if the resolution is not there (yet, or any more), its own trigger counts."""
    pair = f"resolution_id = {row}.resolution_id AND {column} = {row}.{column}"
    of = f"FROM {RESOLUTION} r WHERE r.id = {row}.resolution_id"
    if sign > 0:
        return [
            _sqlite_add(
                kind,
                "r.body_id",
                "r.year",
                f"{row}.{column}",
                f"{of} AND (SELECT COUNT(*) FROM {table} WHERE {pair}) = 1",
            )
        ]
    return [
        f"UPDATE {TALLY} SET resolutions = resolutions - 1"
        f" WHERE kind = '{kind}' AND linked_id = {row}.{column}"
        f" AND (body_id, year) = (SELECT r.body_id, r.year {of})"
        f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE {pair});"
    ]


def _sqlite_trigger(name, event, table, statements, when=""):
    body = "\n  ".join(statements)
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table}{' WHEN ' + when if when else ''}"
        f"\nBEGIN\n  {body}\nEND"
    )


def _sqlite_install_sql():
    statements = []
    triggers = []
    moved = "OLD.body_id <> NEW.body_id OR OLD.year <> NEW.year OR OLD.id <> NEW.id"
    triggers.append(
        ("tally_resolution_insert", "INSERT", RESOLUTION, _sqlite_resolution_cells("NEW", 1), "")
    )
    triggers.append(
        (
            "tally_resolution_update",
            "UPDATE",
            RESOLUTION,
            _sqlite_resolution_cells("OLD", -1) + _sqlite_resolution_cells("NEW", 1),
            moved,
        )
    )
    triggers.append(
        ("tally_resolution_delete", "DELETE", RESOLUTION, _sqlite_resolution_cells("OLD", -1), "")
    )
    for kind, (table, column) in LINKS.items():
        repaired = f"OLD.resolution_id <> NEW.resolution_id OR OLD.{column} <> NEW.{column}"
        triggers += [
            (
                f"tally_{kind}_insert",
                "INSERT",
                table,
                _sqlite_link_statements(kind, table, column, "NEW", 1),
                "",
            ),
            (
                f"tally_{kind}_update",
                "UPDATE",
                table,
                _sqlite_link_statements(kind, table, column, "OLD", -1)
                + _sqlite_link_statements(kind, table, column, "NEW", 1),
                repaired,
            ),
            (
                f"tally_{kind}_delete",
                "DELETE",
                table,
                _sqlite_link_statements(kind, table, column, "OLD", -1),
                "",
            ),
        ]
    for name, event, table, body, when in triggers:
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            _sqlite_trigger(name, event, table, body, when),
        ]
    return statements


def install(using="default"):
    """Put the triggers in place, unless they are there already as this code writes them, then
    count every cell afresh; in one transaction. Replacing triggers locks the tables they are on,
    so a `migrate` that finds them current (most do) leaves them be."""
    connection = connections[using]
    tables = connection.introspection.table_names()
    if TALLY not in tables:  # migrated back past the tally: no trigger may write to it
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in _drop_sql(connection.vendor, tables):
                cursor.execute(sql)
        return
    if connection.vendor == "postgresql":
        statements = _pg_install_sql()
    elif connection.vendor == "sqlite":
        statements = _sqlite_install_sql()
    else:  # pragma: no cover - the two databases the project supports
        raise NotImplementedError(f"No tally triggers for {connection.vendor}")
    version = hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if not _current(cursor, statements, version):
            for sql in statements:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute(f"COMMENT ON TABLE {TALLY} IS 'triggers {version}'")
        for sql in rebuild_sql():
            cursor.execute(sql)


def _current(cursor, statements, version):
    """Whether the triggers in place are the ones `statements` create: on PostgreSQL, all there
    and marked with `version` (a hash of the statements) on the tally table; on SQLite, which
    keeps each trigger's CREATE statement, exactly those statements."""
    if cursor.db.vendor == "postgresql":
        tables = [RESOLUTION, *(table for table, _column in LINKS.values())]
        cursor.execute(
            "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)"
            " AND tgrelid::regclass::text = ANY(%s)",
            [list(_PG_TRIGGERS), tables],
        )
        if cursor.fetchone()[0] != len(_PG_TRIGGERS) * len(tables):
            return False
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [TALLY])
        return cursor.fetchone()[0] == f"triggers {version}"
    wanted = {sql for sql in statements if sql.startswith("CREATE TRIGGER")}
    names = _trigger_names(wanted)
    cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN"
        f" ({', '.join(['%s'] * len(names))})",
        names,
    )
    return {row[0] for row in cursor.fetchall()} == wanted


def _drop_sql(vendor, tables):
    """Statements removing the triggers (and PostgreSQL's functions) from the tables there are."""
    counted = [RESOLUTION, *(table for table, _column in LINKS.values())]
    if vendor == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {trigger} ON {table}"
            for table in counted
            if table in tables
            for trigger in _PG_TRIGGERS
        ]
        functions = ["tally_resolution", *(f"tally_{kind}_links" for kind in LINKS)]
        return statements + [f"DROP FUNCTION IF EXISTS {name}()" for name in functions]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _trigger_names(_sqlite_install_sql())]


def _trigger_names(statements):
    """The names of the triggers that these statements create ("CREATE TRIGGER name ...")."""
    return [sql.split()[2] for sql in statements if sql.startswith("CREATE TRIGGER")]
