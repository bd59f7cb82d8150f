"""The query plans of the hot queries, on the database DATABASE_URL names (SQLite: EXPLAIN QUERY PLAN; PostgreSQL:
EXPLAIN). `make bench` prints them after its figures; to regenerate them on a database with data in it:

    DATABASE_URL=postgres://... .venv/bin/python bench/explain.py

They are read on the document with the most marks, as one of its editors.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plans(document, user) -> str:
    """The plans of the idle poll, the document read of every write, the marks of a stretch of text, and a page of
    the mark list, as text."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone

    from annotator import hot_reads, idle_poll, rendering
    from annotator.sessions import SessionStore

    # A stretch in the middle of the text: its marks are those that overlap it.
    middle = len(document.text) // 2
    member_sql = idle_poll._sql()
    session_sql = SessionStore.statement()
    session_key = Session.objects.values_list("session_key", flat=True).first() or "no-session"
    document_sql, _ = hot_reads._document_statement(connection.vendor, False)
    marks_sql, _ = hot_reads._marks_statement(connection.vendor, 1, rendering.SHORT_SPAN)
    here = [document.pk, document.version, middle + 2000, middle]
    page = rendering.with_list_fields(rendering.current_marks(document).filter(span__start__gt=middle))[: rendering.LIST_PAGE + 1]
    statements = [
        ("The session, read on every request (annotator/sessions.py; the idle poll's first statement)", session_sql, [session_key, timezone.now()]),
        ("The idle poll, 2 of 2: membership, login check and revision", member_sql, [document.pk, user.pk]),
        ("The document with the user's membership (hot_reads.document_with_membership, every document view)",
         document_sql, [document.pk, user.pk]),
        (f"The marks of a stretch of text ({middle}-{middle + 2000}; hot_reads.marks_overlapping: every write, every part)",
         marks_sql, [*here, middle - rendering.SHORT_SPAN, *here]),
        ("A page of the mark list (rendering.list_page, after an entry in the middle)", *page.query.sql_with_params()),
    ]
    postgres = connection.vendor == "postgresql"
    engine = "PostgreSQL EXPLAIN ANALYZE" if postgres else "SQLite EXPLAIN QUERY PLAN"
    out = []
    with connection.cursor() as cursor:
        for title, sql, params in statements:
            cursor.execute(("EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN ") + sql, params)
            plan = "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())
            out += [f"-- {title}: {engine}", short_sql(sql), plan, ""]
    return "\n".join(out)


def short_sql(sql: str) -> str:
    """The query with its long lists of plain columns (SELECT, GROUP BY) cut to their count: the plan depends on the
    rest. Subqueries and aggregates in the SELECT list are kept."""
    return _cut(_cut(sql, "SELECT ", " FROM "), " GROUP BY ", " ORDER BY ")


def _cut(sql: str, opening: str, closing: str) -> str:
    start = _top_level(sql, opening, 0)
    if start == len(sql):
        return sql
    start += len(opening)
    end = _top_level(sql, closing, start)
    if end - start <= 200:
        return sql
    items = _split_top_level(sql[start:end])
    kept = [item for item in items if "(" in item]
    return sql[:start] + ", ".join(kept + [f"<{len(items) - len(kept)} columns>"]) + sql[end:]


def _top_level(sql: str, needle: str, start: int) -> int:
    depth = 0
    for i in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0 and sql.startswith(needle, i):
            return i
    return len(sql)


def _split_top_level(part: str) -> list[str]:
    items, depth, current = [], 0, []
    for ch in part:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return items


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from annotator.models import Document, Membership

    document = Document.objects.annotate(n=Count("spans__annotations")).order_by("-n").first()
    if document is None:
        sys.exit("No document in this database: run `make bench` (with this DATABASE_URL) first, or point at one.")
    user = Membership.objects.filter(project_id=document.project_id).first().user
    print(plans(document, user))


if __name__ == "__main__":
    main()
