"""Rows written by the thousand: the bulk writers' INSERTs, of values Django prepared once per write.

`QuerySet.bulk_create` prepares every value of every row through its field (pre_save, get_db_prep_save: ~10 µs a
value in CPython). A bulk request of 10,000 marks writes 40,000 rows (spans, marks, their history, their search
entries) of a dozen values each: 4 of its 5 seconds went there, against the 0.4 s issue 23 sets. Here each column's
value is prepared by Django once for the whole write (`prepared`: a template instance with the model's defaults, the
timestamp, the author), and only the columns that differ from row to row are given per row, as the database stores
them already (ids, code-point offsets, text). The statements are the plain multi-row INSERT ... RETURNING both
backends run (SQLite 3.35+, PostgreSQL), as bulk_create sends them, in batches under the backend's parameter limit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, cast

from django.db import connection, models

ROWS_PER_STATEMENT = 1_000


def prepared(instance: models.Model) -> dict[str, Any]:
    """Every column the model writes, with the instance's value as Django stores it on this connection: the
    defaults, auto_now(_add) timestamps and the foreign keys set on it. The shared values of a bulk write."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key and getattr(instance, field.attname) is None or field.generated:
            continue
        values[cast(str, field.column)] = field.get_db_prep_save(field.pre_save(instance, True), connection)
    return values


def _most_parameters() -> int:
    """The most parameters one statement may take on SQLite: its own limit (32,766 since 3.32; Django assumes the old
    999, which would cut 10,000 marks into 140 statements)."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def insert(
    model: type[models.Model],
    shared: dict[str, Any],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
    sql_of: dict[str, str] | None = None,
) -> list[int]:
    """Insert a row per item of `rows`: its values for `columns` (stored as given), and `shared`'s value for every
    other column. Returns the new primary keys in the order of `rows` when `returning`.

    `sql_of` gives a column whose value is an SQL expression of its parameters (a search vector): the row then holds
    that expression's parameters, as a tuple, in the column's place.
    """
    if not rows:
        return []
    statement = _unnest if connection.vendor == "postgresql" else _values
    sql_of = sql_of or {}
    fixed = [column for column in shared if column not in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in [*columns, *fixed])}) "
    tail = f" RETURNING {quote(cast(str, model._meta.pk.column))}" if returning else ""
    made: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in statement(model, shared, columns, fixed, rows, sql_of):
            cursor.execute(head + sql + tail, params)
            if returning:
                # Ids of one statement's rows come from the table's sequence in the order of its rows: sorted, they
                # are the rows' in order, whatever order RETURNING lists them in.
                made += sorted(pk for (pk,) in cursor.fetchall())
    return made


def _values(model, shared, columns, fixed, rows, sql_of) -> Iterator[tuple[str, list]]:
    """SQLite: VALUES (...), (...), as many rows a statement as its parameter limit lets."""
    holders = [sql_of.get(column, "%s") for column in columns] + ["%s"] * len(fixed)
    row_sql = f"({', '.join(holders)})"
    fixed_values = [shared[column] for column in fixed]
    expanded = [index for index, column in enumerate(columns) if column in sql_of]
    width = sum(holder.count("%s") for holder in holders)
    per_statement = max(1, min(ROWS_PER_STATEMENT, _most_parameters() // width))
    for at in range(0, len(rows), per_statement):
        batch = rows[at : at + per_statement]
        params: list[Any] = []
        for row in batch:
            if expanded:
                row = list(row)
                for index in reversed(expanded):
                    row[index : index + 1] = row[index]
            params += row
            params += fixed_values
        yield "VALUES " + ", ".join([row_sql] * len(batch)), params


def _unnest(model, shared, columns, fixed, rows, sql_of) -> Iterator[tuple[str, list]]:
    """PostgreSQL: SELECT ... FROM unnest(one array a column): a few parameters whatever the number of rows (as
    bulk_create sends it there), so neither the driver nor the server parses 10,000 placeholders."""
    fields = {field.column: field for field in model._meta.concrete_fields}

    def kind(column: str) -> str:  # without a length: varchar[], as bulk_create casts it
        return fields[column].db_type(connection).split("(")[0]

    arrays: list[tuple[str, list]] = []
    chosen: list[str] = []
    for index, column in enumerate(columns):
        if column in sql_of:
            expression = sql_of[column]
            for part in range(expression.count("%s")):
                arrays.append(("text", [row[index][part] for row in rows]))
                expression = expression.replace("%s", f"u.c{len(arrays) - 1}", 1)
            chosen.append(expression)
        else:
            arrays.append((kind(column), [row[index] for row in rows]))
            chosen.append(f"u.c{len(arrays) - 1}")
    chosen += [f"%s::{fields[column].db_type(connection)}" for column in fixed]
    unnest = ", ".join(f"%s::{array_type}[]" for array_type, _ in arrays)
    names = ", ".join(f"c{number}" for number in range(len(arrays)))
    sql = f"SELECT {', '.join(chosen)} FROM unnest({unnest}) AS u({names})"
    yield sql, [shared[column] for column in fixed] + [values for _, values in arrays]
