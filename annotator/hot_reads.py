"""The reads on the path of every write to a mark, in plain SQL that gives the ORM's objects.

Adding a mark has a budget of 10 ms, and through the ORM two of its reads took more than a third of it,
almost all of that in building and compiling the queries (SQLite, 10,000 marks: the marks of a stretch
1.9 ms to build and 1 ms to run; the document with the user's membership 0.85 ms for a one-row read).
Here each statement is written once per process, and its rows become the objects `select_related()`
would give: the same fields, the database's converters applied (SQLite's datetimes come back as text),
related objects attached. Tests compare both reads with the ORM's on the same data.

- `document_with_membership`: the document, its project and the user's membership (permissions.document_for).
- `marks_overlapping`: the marks of stretches of the text with their list fields (rendering.marks_in).
"""
from __future__ import annotations

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection

from .models import Annotation, Citation, Document, Label, Link, Membership, Project, Span


class Columns:
    """Some models' columns under table aliases, and how to turn rows of them back into objects."""

    def __init__(self, *parts):
        quote = connection.ops.quote_name
        # (model, alias, fields): every concrete field of the model unless left out.
        self.parts = [
            (model, [f for f in model._meta.concrete_fields if f.attname not in left_out])
            for model, _, left_out in parts
        ]
        self.sql = ", ".join(
            f"{alias}.{quote(field.column)}"
            for (_, alias, _), (_, fields) in zip(parts, self.parts)
            for field in fields
        )
        self.width = sum(len(fields) for _, fields in self.parts)
        fields = [field for _, fields in self.parts for field in fields]
        self._compiler = Annotation.objects.none().query.get_compiler(connection=connection)
        self._converters = self._compiler.get_converters([f.get_col(f.model._meta.db_table) for f in fields])

    def rows(self, cursor) -> list:
        rows = cursor.fetchall()
        return list(self._compiler.apply_converters(rows, self._converters)) if self._converters else rows

    def objects(self, row) -> list:
        """One object per model, from the row's first `width` values."""
        found, at = [], 0
        for model, fields in self.parts:
            values = row[at : at + len(fields)]
            found.append(model.from_db(connection.alias, [f.attname for f in fields], values))
            at += len(fields)
        return found


def _attach(obj, name: str, related) -> None:
    """What select_related does: the related object kept on obj, no query when it is read."""
    obj._meta.get_field(name).set_cached_value(obj, related)


# The document and the user's membership ------------------------------------------------------------


@lru_cache(maxsize=4)
def _document_statement(vendor: str, with_text: bool):
    quote = connection.ops.quote_name
    columns = Columns(
        (Document, "d", () if with_text else ("text",)), (Project, "p", ()), (Membership, "m", ())
    )
    sql = (
        f"SELECT {columns.sql} FROM {quote(Document._meta.db_table)} d"
        f" JOIN {quote(Project._meta.db_table)} p ON p.{quote('id')} = d.{quote('project_id')}"
        f" JOIN {quote(Membership._meta.db_table)} m ON m.{quote('project_id')} = p.{quote('id')}"
        f" WHERE d.{quote('id')} = %s AND m.{quote('user_id')} = %s"
    )
    return sql, columns


def document_with_membership(user, document_id: int, *, text: bool) -> tuple[Document, Membership] | None:
    """The document (its text deferred unless `text`) with its project, and the user's membership of the
    project; None when there is no such document or the user is not a member. One query."""
    sql, columns = _document_statement(connection.vendor, text)
    with connection.cursor() as cursor:
        cursor.execute(sql, [document_id, user.pk])
        rows = columns.rows(cursor)
    if not rows:
        return None
    document, project, membership = columns.objects(rows[0])
    _attach(document, "project", project)
    _attach(membership, "user", user)
    _attach(membership, "project", project)
    return document, membership


# The marks of stretches of the text ----------------------------------------------------------------


@lru_cache(maxsize=16)
def _marks_statement(vendor: str, stretches: int, short_span: int):
    quote = connection.ops.quote_name
    User = get_user_model()
    columns = Columns((Annotation, "a", ()), (Span, "s", ()), (Label, "l", ()), (User, "u", ()))
    a_id, s_start, s_end = f"a.{quote('id')}", f"s.{quote('start')}", f"s.{quote('end')}"
    counts = [
        f"(SELECT COUNT(*) FROM {quote(Citation._meta.db_table)} c WHERE c.{quote('annotation_id')} = {a_id})",
        f"(SELECT COUNT(*) FROM {quote(Link._meta.db_table)} k WHERE k.{quote('from_annotation_id')} = {a_id}"
        f" OR k.{quote('to_annotation_id')} = {a_id})",
    ]
    # A short span overlapping [b, e) starts at most short_span before b (index on document, version, start);
    # longer ones are found by their length (index on document, version, length): rendering.overlapping().
    here = f"s.{quote('document_id')} = %s AND s.{quote('version')} = %s AND {s_start} < %s AND {s_end} > %s"
    one = f"({here} AND {s_start} >= %s) OR ({here} AND s.{quote('length')} > {short_span:d})"
    sql = (
        f"SELECT {columns.sql}, {', '.join(counts)} FROM {quote(Annotation._meta.db_table)} a"
        f" JOIN {quote(Span._meta.db_table)} s ON s.{quote('id')} = a.{quote('span_id')}"
        f" JOIN {quote(Label._meta.db_table)} l ON l.{quote('id')} = a.{quote('label_id')}"
        f" JOIN {quote(User._meta.db_table)} u ON u.{quote(User._meta.pk.column)} = a.{quote('created_by_id')}"
        f" WHERE {' OR '.join([one] * stretches)}"
        f" ORDER BY {s_start}, {s_end}, {a_id}"
    )
    return sql, columns


def marks_overlapping(document, stretches: list[tuple[int, int]], short_span: int) -> list[Annotation]:
    """Marks of the document's current version overlapping any of the [start, end) stretches (sorted, disjoint),
    in text order, each with span, label, author, source_count and link_count. One query."""
    if not stretches:
        return []
    sql, columns = _marks_statement(connection.vendor, len(stretches), short_span)
    params = []
    for start, end in stretches:
        here = [document.pk, document.version, end, start]
        params += [*here, start - short_span, *here]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = columns.rows(cursor)
    labels: dict = {}
    users: dict = {}
    marks = []
    for row in rows:
        annotation, span, label, author = columns.objects(row)
        _attach(annotation, "span", span)
        # One object per label and per author, as the list shows them.
        _attach(annotation, "label", labels.setdefault(label.pk, label))
        _attach(annotation, "created_by", users.setdefault(author.pk, author))
        annotation.source_count, annotation.link_count = row[columns.width], row[columns.width + 1]
        marks.append(annotation)
    return marks
