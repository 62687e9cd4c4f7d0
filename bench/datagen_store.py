"""Bulk writes for the data generator: id ranges, COPY or chunked inserts, index rebuilds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import Connection, Table, func, insert, select, text

from engine.persistence.tables import (
    AuditEvent,
    CareCase,
    CaseGoal,
    CaseReferral,
    CaseScore,
    CaseScoreTrend,
    HumanTask,
    HumanTaskRole,
    ProcessInstance,
    Timer,
)

CHUNK = 5_000
# Insert order: parents before the rows that point at them.
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        ProcessInstance,
        CareCase,
        CaseGoal,
        CaseScore,
        CaseScoreTrend,
        CaseReferral,
        HumanTask,
        HumanTaskRole,
        Timer,
        AuditEvent,
    )
)
SERIAL = tuple(t.name for t in TABLES if "id" in t.c and t.name != "human_task")

Row = dict[str, Any]


class Ids:
    """The next free id of each table with a numeric id (after the rows already there)."""

    def __init__(self, connection: Connection) -> None:
        """Read max(id) of each table once."""
        self._next: dict[str, int] = {}
        for table in TABLES:
            if table.name in SERIAL:
                top = connection.scalar(select(func.max(table.c.id)))
                self._next[table.name] = int(top or 0) + 1

    def take(self, table: str) -> int:
        """A new id for a row of table."""
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Batch:
    """Rows waiting to be written, per table, and running totals of what was written."""

    def __init__(self) -> None:
        """Empty lists for every table."""
        self.rows: dict[str, list[Row]] = {t.name: [] for t in TABLES}
        self.written: dict[str, int] = {t.name: 0 for t in TABLES}

    def add(self, table: str, row: Row) -> None:
        """Queue one row."""
        self.rows[table].append(row)

    def pending(self) -> int:
        """How many rows are queued."""
        return sum(len(rows) for rows in self.rows.values())

    def flush(self, connection: Connection) -> None:
        """Write every queued row, parents first (COPY on PostgreSQL), and commit."""
        copy = connection.dialect.name == "postgresql"
        for table in TABLES:
            rows = self.rows[table.name]
            if rows and copy:
                _copy(connection, table.name, rows)
            else:
                for chunk in _chunks(rows):
                    connection.execute(insert(table), chunk)
            self.written[table.name] += len(rows)
            rows.clear()
        connection.commit()


def _copy(connection: Connection, table: str, rows: list[Row]) -> None:
    """Binary COPY of rows into a table through the connection's psycopg driver.

    Same transaction as the connection; psycopg's C dumpers do the per-value work.
    """
    columns = list(rows[0])
    types = _column_types(connection, table)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    driver: Any = connection.connection.driver_connection
    json_columns = [n for n, column in enumerate(columns) if types[column] in ("json", "jsonb")]
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([types[column] for column in columns])
        for row in rows:
            values = [row[column] for column in columns]
            for n in json_columns:
                values[n] = Json(values[n])
            copy.write_row(values)


def _column_types(connection: Connection, table: str) -> dict[str, str]:
    """The PostgreSQL type name of each column of a table."""
    found = connection.execute(
        text(
            "SELECT column_name, udt_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :table"
        ),
        {"table": table},
    )
    return {str(name): str(kind) for name, kind in found}


def _chunks(rows: list[Row]) -> Iterator[list[Row]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


@contextmanager
def indexes_deferred(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, drop the loaded tables' plain indexes and build them again afterwards.

    One sorted index build after the load is much cheaper than maintaining every index row by
    row; primary keys and unique constraints stay, so the load is still checked.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    names = ", ".join(f"'{table.name}'" for table in TABLES)
    dropped = list(
        connection.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " JOIN pg_class c ON c.relname = i.indexname"
                " JOIN pg_index x ON x.indexrelid = c.oid"
                f" WHERE i.schemaname = current_schema() AND i.tablename IN ({names})"
                " AND NOT x.indisunique"
            )
        )
    )
    for name, _ in dropped:
        connection.execute(text(f'DROP INDEX "{name}"'))
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        for _, definition in dropped:
            connection.execute(text(definition))
        connection.commit()


def reset_sequences(connection: Connection) -> None:
    """After explicit ids on PostgreSQL: move each serial sequence past the highest id."""
    if connection.dialect.name != "postgresql":
        return
    for name in SERIAL:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )
    connection.execute(text("ANALYZE"))
    connection.commit()
