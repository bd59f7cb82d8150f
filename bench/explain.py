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
    the mark list, as text (QuerySet.explain(); ANALYZE on PostgreSQL)."""
    from django.db import connection

    from annotator import reads
    from annotator.models import Annotation, Document

    # A stretch in the middle of the text: its marks are those that overlap it.
    middle = len(document.text) // 2
    reads = [
        (
            "The idle poll with its pass (poll_pass.unchanged): membership, active user and revision",
            Document.objects.filter(
                pk=document.pk, project__memberships__user_id=user.pk, project__memberships__user__is_active=True
            ).values_list("revision", flat=True),
        ),
        (
            "The document with the user's membership (permissions.document_for, every document view)",
            Document.objects.of_member(user, text=False).filter(pk=document.pk),
        ),
        (
            f"The marks a stretch of text shows ({middle}-{middle + 2000}; reads.block_marks: every part, every new mark)",
            Annotation.objects.overlapping(document, [(middle, middle + 2000)]).for_blocks(),
        ),
        (
            f"The same with list fields ({middle}-{middle + 2000}; reads.marks_in: every other change)",
            Annotation.objects.overlapping(document, [(middle, middle + 2000)]).for_list().in_text_order(),
        ),
        (
            "A page of the mark list (reads.list_page, after an entry in the middle)",
            Annotation.objects.current(document)
            .in_text_order()
            .filter(span__start__gt=middle)
            .for_list()[: reads.LIST_PAGE + 1],
        ),
    ]
    postgres = connection.vendor == "postgresql"
    engine = "PostgreSQL EXPLAIN ANALYZE" if postgres else "SQLite EXPLAIN QUERY PLAN"
    out = []
    for title, queryset in reads:
        plan = queryset.explain(analyze=True) if postgres else queryset.explain()
        out += [f"-- {title}: {engine}", short_sql(str(queryset.query)), plan, ""]
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
