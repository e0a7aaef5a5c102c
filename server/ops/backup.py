"""Backup and restore of a data dir: a consistent SQLite snapshot plus the photo files.

The database is copied with SQLite's online backup API, so a backup taken while devices sync
is a consistent snapshot; photos never change once written (they are named by hash), so
copying the files after the snapshot covers every photo the snapshot refers to.

Before an upgrade migrates a database that holds data, `backup_before_upgrade` writes one to
`<data>/backups/pre-upgrade-<UTC time>.tar.gz` (server/core/db.py calls it): the way back
is `genba restore` of that file with the old version.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from pathlib import Path

from sqlite_utils import Database

from server.core.migrations import migrations
from server.core.settings import Settings

DB_NAME = "genba.db"
PHOTOS = "photos"
BACKUPS = "backups"


class BackupError(RuntimeError):
    pass


def backup(settings: Settings, target: Path) -> int:
    """Write the backup to `target` (atomically); returns the number of photo files.

    Raises BackupError, naming the file and the reason, when it cannot be written.
    """
    try:
        return _write_backup(settings.db_path, settings.photos_dir, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"cannot write the backup {target}: {exc}") from None


def _write_backup(db_path: Path, photos_dir: Path, target: Path) -> int:
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}")
    target = target.resolve()
    if target.is_relative_to(photos_dir.resolve()):
        raise BackupError(f"{target} is inside the photos folder it would copy: write it elsewhere")
    # The database's snapshot is staged beside the backup, on the disk that must hold the
    # backup anyway: /tmp is a RAM disk on Debian 13, and a service may not write it at all.
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as scratch:
        snapshot = Path(scratch) / DB_NAME
        source = sqlite3.connect(db_path)
        dest = sqlite3.connect(snapshot)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        partial = target.with_name(target.name + ".partial")
        try:
            count = _write_archive(snapshot, photos_dir, partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)  # a failed backup leaves nothing half-written
            raise
    return count


def _write_archive(snapshot: Path, photos_dir: Path, partial: Path) -> int:
    """The snapshot and every photo file into `partial`, synced; the number of photo files."""
    count = 0
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(snapshot, arcname=DB_NAME)
        for path in sorted(photos_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                archive.add(path, arcname=f"{PHOTOS}/{path.relative_to(photos_dir)}")
                count += 1
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    return count


def backup_before_upgrade(db: Database, db_path: Path) -> Path | None:
    """Back up the data dir before migrations change a database that holds data.

    Runs with the store's writer `db` (no transaction open) just before the migrations are
    applied. Nothing to do for a new database (no migration applied yet), nor when none is
    pending, nor when no table holds a row. A failed backup raises BackupError, and nothing is
    migrated. Returns the backup's path, also printed to stderr (the journal under systemd).
    """
    pending = [m.name for m in migrations.pending(db)]
    if not pending or not migrations.applied(db) or not _holds_data(db):
        return None
    folder = db_path.parent / BACKUPS
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"pre-upgrade-{stamp}.tar.gz"
    n = 1
    while target.exists():  # two starts within a second: keep both
        n += 1
        target = folder / f"pre-upgrade-{stamp}-{n}.tar.gz"
    try:
        folder.mkdir(exist_ok=True)
        count = _write_backup(db_path, db_path.parent / PHOTOS, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(
            f"cannot back up {db_path} before upgrading it (migrations pending: "
            f"{', '.join(pending)}): {exc}; nothing was migrated"
        ) from None
    print(
        f"genba: upgrading {db_path} (migrations pending: {', '.join(pending)}); "
        f"backed up first, the database and {count} photo files, to {target}",
        file=sys.stderr,
        flush=True,
    )
    return target


# Tables the migrations themselves fill: rows there are no one's data.
SEEDED = {migrations.migrations_table, "counters"}


def _holds_data(db: Database) -> bool:
    tables = [n for n in db.table_names() if n not in SEEDED and not n.startswith("sqlite_")]
    return any(db.execute(f'select 1 from "{name}" limit 1').fetchone() for name in tables)


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = member.name
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or "\0" in name:
            raise BackupError(f"refusing unsafe path in backup: {name!r}")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"refusing a link or device in backup: {name!r}")
        if name != DB_NAME and parts[0] != PHOTOS:
            raise BackupError(f"unexpected file in backup: {name!r}")
        members.append(member)
    _check_shape(members)
    return members


def _check_shape(members: list[tarfile.TarInfo]) -> None:
    """Refuse an archive whose files and folders contradict each other before writing anything:
    a file where a folder must be (`photos`, or a photo's parent), or a folder named genba.db."""
    folders = {PHOTOS}
    for member in members:
        folders.update(str(parent) for parent in Path(member.name).parents if str(parent) != ".")
    for member in members:
        if member.isfile() and member.name in folders:
            raise BackupError(f"backup holds a file {member.name!r} where a folder must be")
        if member.isdir() and member.name == DB_NAME:
            raise BackupError(f"backup holds a folder {DB_NAME!r} where the database must be")
    if sum(1 for m in members if m.name == DB_NAME) != 1:
        raise BackupError(f"a backup holds exactly one {DB_NAME}")


def restore(settings: Settings, source: Path) -> None:
    """Unpack a backup into an empty data dir: all of it, or nothing."""
    data = settings.data_dir
    if data.exists() and any(data.iterdir()):
        raise BackupError(f"{data} is not empty: restore into a new data dir")
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read backup {source}: {exc}") from None
    data.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data.name}.restore-", dir=data.parent))
    try:
        with archive:
            _extract(archive, _safe_members(archive), staging)
        (staging / PHOTOS).mkdir(exist_ok=True)
        for entry in staging.iterdir():
            data.mkdir(exist_ok=True)
            os.replace(entry, data / entry.name)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"cannot restore {source}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract(archive: tarfile.TarFile, members: list[tarfile.TarInfo], into: Path) -> None:
    for member in members:
        target = into / member.name
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as src, open(target, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
