"""Upgrades keep a way back: a database with data is backed up before migrations change it.

An "older" data dir is made by the code itself with the last migration held back (as a data
dir of the previous release would be), with the demo's sites and users and one photo.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tarfile

import pytest

import images
from conftest import CHECKLISTS
from server.app import open_store
from server.core.db import Store, connect
from server.core.migrations import migrations
from server.core.settings import Settings
from server.ops.backup import BackupError
from server.people.users import get_user, user_id_by_name
from server.photos.files import PhotoFiles
from server.photos.store import save_photo

LAST = migrations._migrations[-1].name
BACKUP_NAME = re.compile(r"pre-upgrade-\d{8}T\d{6}Z\.tar\.gz")


def genba(*args):
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GENBA_DATA": "", "GENBA_PASSWORD_COST": "test"},
    )


def _applied(db_path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {row[0] for row in conn.execute("select name from _sqlite_migrations")}


def _events(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select seq, hash from events order by seq").fetchall()


@pytest.fixture
def older(tmp_path, monkeypatch):
    """A data dir of the release before: every migration but the last, demo data, a photo."""
    settings = Settings(
        data_dir=tmp_path / "old", checklists_dir=CHECKLISTS, demo=True, password_cost="test"
    )
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "_migrations", migrations._migrations[:-1])
        store = open_store(settings)
        try:
            officer = get_user(store, user_id_by_name(store, "officer"))
            data = images.camera_jpeg()
            files = PhotoFiles(settings.photos_dir)
            save_photo(store, files, officer, images.sha(data), data, settings.max_photo_pixels)
        finally:
            store.close()
    assert LAST not in _applied(settings.db_path)
    assert not (settings.data_dir / "backups").exists()
    return settings


def _backups(settings: Settings) -> list:
    folder = settings.data_dir / "backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_pending_migration_backs_up_first_and_the_backup_restores(older, tmp_path):
    events_before = _events(older.db_path)
    opened = genba("verify", "--data", str(older.data_dir))
    assert opened.returncode == 0, opened.stderr + opened.stdout
    assert LAST in _applied(older.db_path), "the upgrade ran"
    [made] = _backups(older)
    assert BACKUP_NAME.fullmatch(made.name), made.name
    assert str(made) in opened.stderr, "it says where the backup went"
    assert LAST in opened.stderr and "2 photo files" in opened.stderr  # photo, thumb

    # The backup holds the database as it was before the migration, and the photo.
    with tarfile.open(made) as archive:
        names = archive.getnames()
        archive.extract("genba.db", tmp_path / "peek", filter="data")
    assert LAST not in _applied(tmp_path / "peek" / "genba.db")
    assert any(n.startswith("photos/") and n.endswith(".thumb.jpg") for n in names)

    restored = tmp_path / "restored"
    result = genba("restore", str(made), "--data", str(restored))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "is whole" in result.stdout
    # Migrations only append: the old chain is there, event for event.
    assert _events(restored / "genba.db")[: len(events_before)] == events_before
    assert len(list((restored / "photos").rglob("*.thumb.jpg"))) == 1

    # Opened again, nothing is pending: no second backup.
    Store(older.db_path).close()
    assert _backups(older) == [made]


def test_a_new_database_is_not_backed_up(tmp_path):
    (tmp_path / "data").mkdir()
    Store(tmp_path / "data" / "genba.db").close()
    assert not (tmp_path / "data" / "backups").exists()


def test_an_up_to_date_database_is_not_backed_up(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", checklists_dir=CHECKLISTS, demo=True, password_cost="test"
    )
    open_store(settings).close()
    Store(settings.db_path).close()
    assert not (settings.data_dir / "backups").exists()


def test_an_older_database_without_rows_is_migrated_without_a_backup(tmp_path):
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "genba.db"
    db = connect(path)
    migrations.apply(db, stop_before=LAST)
    db.close()
    Store(path).close()
    assert LAST in _applied(path)
    assert not (tmp_path / "data" / "backups").exists()


def test_a_failed_backup_migrates_nothing(older):
    (older.data_dir / "backups").write_text("a file where the folder goes")
    with pytest.raises(BackupError, match="nothing was migrated"):
        Store(older.db_path)
    assert LAST not in _applied(older.db_path)
