"""manage.py backup and restore: a round trip on the tests' database (SQLite, or PostgreSQL when DATABASE_URL says so),
and clear refusals of anything that is not a backup of this database."""

import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from annotator import integrity, services
from annotator.models import Annotation, Citation, Link, LinkType, Source
from annotator.services import links as link_services
from annotator.services import sources as source_services

from .factories import SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)  # backups read committed data; restore runs outside a transaction


def mark(user, document, start, end, label, note=""):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label, note=note
    )


def everything():
    """What a restore must bring back: marks, sources, citations, links and the history of each."""
    return {
        "marks": list(
            Annotation.objects.order_by("pk").values_list(
                "pk",
                "span__start",
                "span__end",
                "span__exact",
                "label__key",
                "note",
                "status",
                "created_by__username",
                "version",
            )
        ),
        "sources": list(Source.objects.order_by("pk").values_list("pk", "title", "doi")),
        "citations": list(Citation.objects.order_by("pk").values_list("pk", "annotation_id", "source_id", "locator")),
        "links": list(
            Link.objects.order_by("pk").values_list("pk", "from_annotation_id", "to_annotation_id", "type__key", "note")
        ),
        "mark history": list(
            Annotation.history.order_by("history_id").values_list(
                "history_id", "id", "history_type", "note", "history_user__username"
            )
        ),
        "link history": list(Link.history.order_by("history_id").values_list("history_id", "id", "history_type")),
    }


def test_a_backup_brings_back_marks_sources_links_and_history(
    tmp_path, project, document, annotator, annotator2, labels
):
    claim = mark(annotator, document, 0, 10, labels["claim"])
    evidence = mark(annotator2, document, document.text.index("Getty"), document.text.index(";"), labels["evidence"])
    services.update_annotation(user=annotator, annotation=claim, version=claim.version, note="Rests on the archive")
    source = SourceFactory(project=project, title="Origins of the Great Purges", doi="10.1017/cbo9780511572616")
    source_services.cite_source(user=annotator2, annotation=evidence, source=source, locator="p. 57")
    link_services.create_link(
        user=annotator2,
        from_annotation=evidence,
        type=LinkType.objects.get(project=project, key="supports"),
        to_annotation=claim,
    )
    before = everything()
    assert all(before.values())

    call_command("backup", tmp_path / "annotator.backup")
    # Then it all goes wrong: marks deleted (their links with them), the source gone, a stray mark added.
    services.delete_annotation(user=annotator2, annotation=evidence, version=evidence.version)
    services.delete_annotation(
        user=annotator, annotation=Annotation.objects.get(pk=claim.pk), version=claim.version + 1
    )
    Source.objects.all().delete()
    mark(annotator, document, 20, 30, labels["quotation"])
    assert everything() != before

    call_command("restore", tmp_path / "annotator.backup", interactive=False)
    assert everything() == before
    assert list(integrity.problems()) == []
    # The app carries on where the backup left off: a new mark gets an id of its own.
    after = mark(annotator, document, 20, 30, labels["quotation"])
    assert after.pk not in [row[0] for row in before["marks"]]


def test_backup_refuses_to_overwrite_a_file(tmp_path, db):
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "keep me"
    with pytest.raises(CommandError, match="no folder"):
        call_command("backup", tmp_path / "missing" / "annotator.backup")


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(tmp_path, document, annotator, labels):
    kept = mark(annotator, document, 0, 10, labels["claim"])
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore", tmp_path / "nothing-here", interactive=False)
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", tmp_path / "notes.txt", interactive=False)
    assert list(Annotation.objects.values_list("pk", flat=True)) == [kept.pk]


def test_restore_refuses_a_backup_of_the_other_database_engine(tmp_path, db):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        message = "is a PostgreSQL backup, and this database is SQLite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE django_migrations (id integer)").connection.close()
        message = "is a SQLite backup, and this database is PostgreSQL"
    with pytest.raises(CommandError, match=message):
        call_command("restore", other, interactive=False)


def test_restore_refuses_a_backup_of_the_right_kind_that_is_not_of_this_app(tmp_path, db):
    foreign = tmp_path / "foreign.backup"
    if connection.vendor == "sqlite":
        sqlite3.connect(foreign).execute("CREATE TABLE t (id integer)").connection.close()
        message = "not of this app"
    else:
        foreign.write_bytes(b"PGDMP" + b"\x00" * 50)  # the signature, then nothing pg_restore can read
        message = "pg_restore says"
    with pytest.raises(CommandError, match=message):
        call_command("restore", foreign, interactive=False)


def test_restore_asks_first_and_an_answer_other_than_yes_restores_nothing(
    tmp_path, document, annotator, labels, monkeypatch
):
    call_command("backup", tmp_path / "annotator.backup")
    added = mark(annotator, document, 0, 10, labels["claim"])
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing restored"):
        call_command("restore", tmp_path / "annotator.backup")
    assert Annotation.objects.filter(pk=added.pk).exists()
