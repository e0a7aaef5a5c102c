"""A backup taken under load restores and verifies; hostile archives are refused."""

import io
import subprocess
import sys
import tarfile
import threading
import uuid

import httpx

from conftest import audit_body
from live import LiveServer


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
