"""The SQLite database: one file in WAL mode, many readers, one writer at a time.

Writes go through `Store.write()`, which holds a process-wide lock and runs the block inside
`BEGIN IMMEDIATE`, so two writers never race for the lock inside SQLite and SQLITE_BUSY never
reaches a request. Readers use a connection per thread and never block the writer.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from server.core.migrations import migrations

BUSY_TIMEOUT_MS = 10_000


class GenbaDatabase(Database):
    """sqlite-utils' Database, with `query` for SELECTs only.

    sqlite-utils wraps every `query` in a SAVEPOINT so that a statement that writes can be
    undone; ours only read, and on a reader that wrapper opens and commits a transaction per
    query, which costs more than the query on the sync path.
    """

    def query(self, sql: str, params=None):
        cursor = self.conn.execute(sql, params or [])
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def connect(path: Path | str) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # NORMAL is durable across application crashes in WAL mode; only power loss may
    # drop the last commits, which devices then replay.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return GenbaDatabase(conn, execute_plugins=False)


class Store:
    """Owns the database connections of one data dir."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._writer = connect(self.path)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[Database] = []
        # Values that never change once written (published checklists), kept decoded.
        self.memo: dict = {}
        with self._write_lock:
            if migrations.pending(self._writer):
                # An upgrade: a database that holds data is backed up first (ops/backup.py).
                from server.ops.backup import backup_before_upgrade

                backup_before_upgrade(self._writer, self.path)
            migrations.apply(self._writer)

    def read(self) -> Database:
        """A connection for this thread, for reads only."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            self._local.db = db
            self._readers.append(db)
        return db

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One transaction at a time; commits at the end of the block, rolls back on error."""
        with self._write_lock:
            db = self._writer
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK")
                raise
            db.conn.execute("COMMIT")

    @contextlib.contextmanager
    def trial(self) -> Iterator[Database]:
        """Like `write()`, but always rolled back: a dry run meets every check a real one does."""
        with self._write_lock:
            db = self._writer
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            finally:
                db.conn.execute("ROLLBACK")

    def write_connection(self) -> sqlite3.Connection:
        """The writer's raw connection, for maintenance outside a transaction (benchmarks)."""
        return self._writer.conn

    def close(self) -> None:
        for db in [*self._readers, self._writer]:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._readers.clear()


def insert_row(db: Database, table: str, row: dict) -> None:
    """A plain INSERT: on hot paths sqlite-utils' table API costs more than the write itself."""
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    db.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))


def update_row(db: Database, table: str, key: str, key_value, row: dict) -> None:
    assignments = ", ".join(f"{column} = ?" for column in row)
    db.execute(f"update {table} set {assignments} where {key} = ?", [*row.values(), key_value])
