"""Rows written by the thousand: the bulk writers' INSERTs, of values Django prepared once per write.

`QuerySet.bulk_create` prepares every value of every row through its field (pre_save, get_db_prep_save: ~10 µs a
value in CPython), and sends each value as a parameter of its own. A bulk request of 10,000 marks writes 40,000 rows
(spans, marks, their history, their search entries) of a dozen values each: 4 of its 5 seconds went there, against
the 0.4 s issue 23 sets. Here each column's value is prepared by Django once for the whole write (`prepared`: a
template instance with the model's defaults, the timestamp, the author), and only the columns that differ from row to
row are given per row, as the database stores them already (ids, code-point offsets, text), all rows as one JSON
array, one parameter that the database takes apart (`json_each` on SQLite, `json_array_elements` on PostgreSQL): no
driver binds, converts or quotes 10,000 rows of parameters one by one. Plain SQL, INSERT ... SELECT ... RETURNING on
both (SQLite 3.38+, PostgreSQL); tests/test_services_bulk.py compares what it writes with what the single-mark path
writes through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models

ROWS_PER_STATEMENT = 5_000


def prepared(instance: models.Model) -> dict[str, Any]:
    """Every column the model writes, with the instance's value as Django stores it on this connection: the
    defaults, auto_now(_add) timestamps and the foreign keys set on it. The shared values of a bulk write."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key and getattr(instance, field.attname) is None or field.generated:
            continue
        values[cast(str, field.column)] = field.get_db_prep_save(field.pre_save(instance, True), connection)
    return values


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
    sql_of = sql_of or {}
    fixed = [column for column in shared if column not in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in [*columns, *fixed])}) "
    tail = f" RETURNING {quote(cast(str, model._meta.pk.column))}" if returning else ""
    made: list[int] = []
    with connection.cursor() as cursor:
        for at in range(0, len(rows), ROWS_PER_STATEMENT):
            sql, params = _select(model, shared, columns, fixed, rows[at : at + ROWS_PER_STATEMENT], sql_of)
            cursor.execute(head + sql + tail, params)
            if returning:
                # Ids of one statement's rows come from the table's sequence in the order of its rows: sorted, they
                # are the rows' in order, whatever order RETURNING lists them in.
                made += sorted(pk for (pk,) in cursor.fetchall())
    return made


def _select(model, shared, columns, fixed, rows, sql_of) -> tuple[str, list]:
    """SELECT ... FROM the rows, given as one JSON array of rows (a parameter), in their order."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    postgres = connection.vendor == "postgresql"
    taken = 0  # the rows' values read so far, by their place in a row

    def read(kind: str) -> str:
        nonlocal taken
        taken += 1
        return f"(u.value->>{taken - 1})::{kind}" if postgres else f"json_extract(u.value, '$[{taken - 1}]')"

    chosen: list[str] = []
    for column in columns:
        if column in sql_of:
            expression = sql_of[column]
            for _ in range(expression.count("%s")):
                expression = expression.replace("%s", read("text"), 1)
            chosen.append(expression)
        else:
            chosen.append(read(fields[column].db_type(connection)))
    # A cast tells PostgreSQL the type of a parameter in a SELECT (a None would be text).
    chosen += [f"%s::{fields[column].db_type(connection)}" if postgres else "%s" for column in fixed]
    if postgres:
        source = "json_array_elements(%s::json) WITH ORDINALITY AS u(value, n) ORDER BY u.n"
    else:
        source = "json_each(%s) AS u ORDER BY u.key"
    expanded = {index for index, column in enumerate(columns) if column in sql_of}
    if expanded:  # a column written by an expression of several values: its values take their places in the row
        rows = [
            [part for index, value in enumerate(row) for part in (value if index in expanded else (value,))]
            for row in rows
        ]
    params = [shared[column] for column in fixed]
    params.append(json.dumps(rows, ensure_ascii=False))
    return f"SELECT {', '.join(chosen)} FROM {source}", params
