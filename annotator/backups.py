"""Database-native backup and restore: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore.

A backup is one file: a copy of the SQLite database, or a pg_dump archive in custom format. Restoring
replaces everything in the configured database with the file's contents. Both refuse, with a message,
anything they cannot do whole: an existing target, a file that is not a backup, or one of the other engine.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connections

# The first bytes of each kind of backup file.
SIGNATURES = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """Refused or failed; the message says why, for the operator."""


def kind_of(path: Path) -> str | None:
    """'sqlite' or 'postgresql' by the file's first bytes, None for anything else."""
    with open(path, "rb") as f:
        head = f.read(16)
    return next((kind for kind, signature in SIGNATURES.items() if head.startswith(signature)), None)


def _vendor(connection) -> str:
    if connection.vendor not in NAMES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL databases, not {connection.vendor}.")
    return connection.vendor


def backup(path: Path, *, using: str = "default") -> None:
    """Write a consistent copy of the database to path, a new file (written aside, then renamed into place)."""
    connection = connections[using]
    vendor = _vendor(connection)
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; back up to a new file.")
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent} to write {path.name} into.")
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        if vendor == "sqlite":
            _sqlite_backup(connection, Path(partial))
        else:
            _run([_tool("pg_dump"), "--format=custom", "--file", partial], connection)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def check_restorable(path: Path, *, using: str = "default") -> str:
    """Refuse, with a message, a file that cannot be restored into this database; else say what it is."""
    connection = connections[using]
    vendor = _vendor(connection)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    kind = kind_of(path)
    if kind is None:
        raise BackupError(f"{path} is not a backup: neither a SQLite database nor a pg_dump archive (custom format).")
    if kind != vendor:
        raise BackupError(
            f"{path} is a {NAMES[kind]} backup, and this database is {NAMES[vendor]}; restore it into {NAMES[kind]}."
        )
    if vendor == "sqlite":
        return _check_sqlite_file(path)
    listing = _run([_tool("pg_restore"), "--list", str(path)], connection, what="read")
    if "TABLE DATA public django_migrations" not in listing:
        raise BackupError(f"{path} is a pg_dump archive, but not of this app's database (it has no django_migrations).")
    return "a pg_dump archive"


def restore(path: Path, *, using: str = "default") -> None:
    """Replace everything in the database with the backup at path (checked first, restored in one transaction)."""
    check_restorable(path, using=using)
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            # Page by page into the live database, which readers see whole once it is done.
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # pg_restore drops and recreates the tables; no session of ours in the way
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            connection,
            what="restore",
        )


def _sqlite_backup(connection, target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # SQLite's online backup: a consistent copy even while others write (they wait, or it restarts).
        connection.connection.backup(destination)
        # The copy carries the live database's WAL mode; one self-contained file is what a backup should be.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _check_sqlite_file(path: Path) -> str:
    try:
        source = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            ok = source.execute("PRAGMA integrity_check").fetchone()[0]
            ours = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}.") from None
    if ok != "ok":
        raise BackupError(f"{path} is a damaged SQLite database: {ok}.")
    if not ours:
        raise BackupError(f"{path} is a SQLite database, but not of this app (it has no django_migrations table).")
    return "a SQLite database"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client programs (Debian: postgresql-client).")
    return found


def _run(command: list[str], connection, *, what: str = "back up") -> str:
    """Run a PostgreSQL client program against the connection's database; the password goes in its
    environment, never on the command line."""
    settings = connection.settings_dict
    options = settings.get("OPTIONS", {})
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for variable, value in [
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGSSLMODE", options.get("sslmode")),
    ]:
        if value:
            env[variable] = str(value)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"Could not {what}: {os.path.basename(command[0])} says: {result.stderr.strip()[-2000:]}")
    return result.stdout
