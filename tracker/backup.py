"""Consistent backups of the database, and restores from them (docs/security.md, "Backup and restore").

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database page by page under
  SQLite's own locking, so the copy is consistent even while the app writes (WAL mode).
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore --clean --if-exists`.

Connection details come from the Django database settings (`connections[alias].settings_dict`); a
PostgreSQL password goes to the tools through the environment, never on a command line. Backup files hold
children's health data: they are created readable by their owner only (mode 0600) and never overwritten.
"""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump/pg_restore, fixed arguments, no shell)
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import connections

SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
PREFIX = "tracker-"


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why and what to do."""


def vendor(alias: str = "default") -> str:
    name = connections[alias].vendor
    if name not in SUFFIX:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def default_name(alias: str, now: datetime | None = None) -> str:
    """`tracker-<alias>-<UTC time>.<suffix>`: sortable by name, recognisable when pruning."""
    now = now or datetime.now(UTC)
    return f"{PREFIX}{alias}-{now:%Y%m%dT%H%M%SZ}{SUFFIX[vendor(alias)]}"


def _create_private(path: Path) -> None:
    """Create an empty file only its owner can read; refuse to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose a new file name.") from None
    os.close(descriptor)


# --- Backup -------------------------------------------------------------------------


def backup(destination: Path, *, alias: str = "default") -> Path:
    """Write a consistent copy of database `alias` to `destination` (a new file)."""
    kind = vendor(alias)
    destination = Path(destination)
    _create_private(destination)
    try:
        if kind == "sqlite":
            _backup_sqlite(alias, destination)
        else:
            _backup_postgres(alias, destination)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return destination


def _backup_sqlite(alias: str, destination: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    target = sqlite3.connect(destination)
    try:
        # Django's own connection, so an in-memory database (the tests') is backed up too.
        connection.connection.backup(target)
    finally:
        target.close()


def _backup_postgres(alias: str, destination: Path) -> None:
    settings_dict = connections[alias].settings_dict
    _run(
        [_tool("pg_dump"), "--format=custom", "--no-password", f"--file={destination}"],
        env=_pg_env(settings_dict, settings_dict["NAME"]),
    )


# --- Restore ------------------------------------------------------------------------


def restore(source: Path, *, alias: str = "default", into: str | None = None) -> None:
    """Replace the contents of database `alias` with the backup at `source`.

    `into` restores instead into another database with the same connection details: for SQLite a new
    file's path, for PostgreSQL the name of an existing (normally empty) database. Restoring into a
    scratch database first is how a backup is checked before it replaces anything.
    """
    kind = vendor(alias)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    if kind == "sqlite":
        _restore_sqlite(alias, source, into)
    else:
        _restore_postgres(alias, source, into)


def _restore_sqlite(alias: str, source: Path, into: str | None) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            verdict = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite database: {error}") from None
        if verdict != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check: {verdict}")
        if into is not None:
            target_path = Path(into)
            if not target_path.exists():
                _create_private(target_path)
            elif target_path.stat().st_size:
                raise BackupError(f"{target_path} already holds a database; restore into a new file.")
            target = sqlite3.connect(target_path)
            try:
                backup_db.backup(target)
            finally:
                target.close()
        else:
            connection = connections[alias]
            connection.close()
            connection.ensure_connection()
            backup_db.backup(connection.connection)
            connection.close()
    finally:
        backup_db.close()


def _restore_postgres(alias: str, source: Path, into: str | None) -> None:
    connection = connections[alias]
    settings_dict = connection.settings_dict
    name = into or settings_dict["NAME"]
    # Our own open connection would hold locks that DROP TABLE waits for.
    connection.close()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(source),
        ],
        env=_pg_env(settings_dict, name),
    )


# --- Retention ----------------------------------------------------------------------


def prune(directory: Path, *, older_than: timedelta, now: datetime | None = None) -> list[Path]:
    """Delete this app's backup files in `directory` made more than `older_than` ago; return them."""
    cutoff = (now or datetime.now(UTC)) - older_than
    removed = []
    for path in sorted(Path(directory).glob(f"{PREFIX}*")):
        if path.suffix in SUFFIX.values() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
            path.unlink()
            removed.append(path)
    return removed


# --- PostgreSQL tools ---------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools (postgresql-client).")
    return found


def _pg_env(settings_dict: dict, database: str) -> dict[str, str]:
    """The libpq environment for the tools: the app's connection settings, password included."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": database,
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("service", "PGSERVICE")):
        values[variable] = options.get(option)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")
