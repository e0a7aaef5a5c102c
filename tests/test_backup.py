"""A backup taken under load restores and verifies; hostile archives are refused."""

import io
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import uuid

import httpx
import pytest

from conftest import CHECKLISTS, audit_body
from live import LiveServer
from server.core.settings import Settings
from server.ops import backup


def genba(*args):
    return subprocess.run(
        [sys.executable, "-m", "server", *args], capture_output=True, text=True, timeout=120
    )


def test_backup_under_load_restores_and_verifies(tmp_path):
    live = LiveServer(tmp_path / "data").start()
    headers = live.login("officer")
    stop = threading.Event()
    stored = []

    def sync():
        with httpx.Client(base_url=live.base, headers=headers) as client:
            body = audit_body(client, headers)
            while not stop.is_set() and len(stored) < 300:
                audit_id = str(uuid.uuid4())
                if client.put(f"/api/audits/{audit_id}", json=body).status_code == 201:
                    stored.append(audit_id)

    writer = threading.Thread(target=sync)
    writer.start()
    try:
        while len(stored) < 10:
            threading.Event().wait(0.02)
        result = genba("backup", str(tmp_path / "b.tar.gz"), "--data", str(live.data))
    finally:
        stop.set()
        writer.join()
        live.stop()
    assert result.returncode == 0, result.stderr
    restored = genba("restore", str(tmp_path / "b.tar.gz"), "--data", str(tmp_path / "new"))
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "is whole" in restored.stdout


def test_restore_refuses_a_non_empty_data_dir(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "genba.db").write_bytes(b"precious")
    backup = tmp_path / "b.tar.gz"
    with tarfile.open(backup, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("genba.db"), io.BytesIO(b""))
    result = genba("restore", str(backup), "--data", str(tmp_path / "data"))
    assert result.returncode == 1 and "not empty" in result.stderr
    assert (tmp_path / "data" / "genba.db").read_bytes() == b"precious"


def test_restore_refuses_paths_that_escape(tmp_path):
    for name in ["../evil", "/etc/evil", "photos/../../evil"]:
        backup = tmp_path / "b.tar.gz"
        with tarfile.open(backup, "w:gz") as archive:
            archive.addfile(tarfile.TarInfo("genba.db"), io.BytesIO(b""))
            info = tarfile.TarInfo(name)
            info.size = 4
            archive.addfile(info, io.BytesIO(b"evil"))
        target = tmp_path / f"new-{uuid.uuid4().hex[:6]}"
        result = genba("restore", str(backup), "--data", str(target))
        assert result.returncode == 1 and "unsafe" in result.stderr, name
        assert not (tmp_path / "evil").exists()


def _archive(path, entries):
    """A .tar.gz of (name, bytes or None for a folder)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


def test_restore_refuses_files_where_folders_must_be(tmp_path):
    cases = {
        "photos is a file": [("genba.db", b""), ("photos", b"x"), ("photos/ab/p.jpg", b"x")],
        "a photo folder is a file": [("genba.db", b""), ("photos/ab", b"x"), ("photos/ab/p", b"x")],
        "the database is a folder": [("genba.db", None)],
        "two databases": [("genba.db", b""), ("genba.db", b"")],
    }
    for case, entries in cases.items():
        backup = _archive(tmp_path / "b.tar.gz", entries)
        target = tmp_path / f"new-{uuid.uuid4().hex[:6]}"
        result = genba("restore", str(backup), "--data", str(target))
        assert result.returncode == 1, case
        assert "Traceback" not in result.stderr and "genba: " in result.stderr, case
        assert not target.exists() or not any(target.iterdir()), f"{case}: something was written"


def _small_data_dir(root):
    """A data dir with a database and two photo files, made without the app."""
    data = root / "data"
    (data / "photos" / "ab").mkdir(parents=True)
    with sqlite3.connect(data / "genba.db") as db:
        db.execute("create table t (x)")
        db.execute("insert into t values (42)")
    (data / "photos" / "ab" / "ab12.jpg").write_bytes(b"\xff\xd8photo")
    (data / "photos" / "ab" / "ab12.thumb.jpg").write_bytes(b"\xff\xd8thumb")
    return Settings(data_dir=data, checklists_dir=CHECKLISTS)


def test_a_backup_stages_its_snapshot_beside_itself_not_in_tmp(tmp_path, monkeypatch):
    # /tmp is a RAM disk on Debian 13 and a locked-down service may not write it: with no
    # usable temporary folder at all, the backup still succeeds and leaves only itself.
    settings = _small_data_dir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-tmp"))
    (tmp_path / "out").mkdir()
    assert backup.backup(settings, tmp_path / "out" / "b.tar.gz") == 2
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.tar.gz"]
    with tarfile.open(tmp_path / "out" / "b.tar.gz") as archive:
        names = sorted(archive.getnames())
    assert names == ["genba.db", "photos/ab/ab12.jpg", "photos/ab/ab12.thumb.jpg"]


def test_a_failed_backup_leaves_nothing_half_written(tmp_path, monkeypatch):
    settings = _small_data_dir(tmp_path)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "b.tar.gz"
    target.write_bytes(b"last night's backup")

    def disk_full(snapshot, photos_dir, partial):
        partial.write_bytes(b"half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_write_archive", disk_full)
    with pytest.raises(backup.BackupError, match="No space left on device"):
        backup.backup(settings, target)
    # The earlier backup under that name is untouched; no partial file, no staging folder.
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.tar.gz"]
    assert target.read_bytes() == b"last night's backup"


def test_a_backup_inside_the_photos_folder_is_refused(tmp_path):
    settings = _small_data_dir(tmp_path)
    with pytest.raises(backup.BackupError, match="inside the photos folder"):
        backup.backup(settings, settings.photos_dir / "ab" / "b.tar.gz")
    assert sorted(p.name for p in (settings.photos_dir / "ab").iterdir()) == [
        "ab12.jpg",
        "ab12.thumb.jpg",
    ]


def test_a_backup_to_a_missing_folder_says_so_without_a_traceback(tmp_path):
    settings = _small_data_dir(tmp_path)
    target = tmp_path / "no-such-folder" / "b.tar.gz"
    result = genba("backup", str(target), "--data", str(settings.data_dir))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot write the backup {target}" in result.stderr and "No such file" in result.stderr
