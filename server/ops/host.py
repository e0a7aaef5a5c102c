"""The facts a monitor asks of the machine a server runs on: its uptime, the data dir's free
disk, the database's and the photo folder's sizes. Read by /api/health and the 需关注 screen.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path

from server.core.settings import Settings

STARTED = time.monotonic()  # when the server's code was loaded: its uptime counts from here
SIZES_TTL = 60.0  # seconds a photo folder's size is reused: walking it reads every entry


def uptime_s() -> int:
    return int(time.monotonic() - STARTED)


def disk_free(path: Path) -> int | None:
    """Free bytes on the disk holding `path` (for unprivileged users), None when unreadable."""
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def database_bytes(db_path: Path) -> int:
    """The database file with its write-ahead log and shared-memory index."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{db_path}{suffix}").st_size
    return total


def _walk_bytes(root: Path) -> int:
    total, folders = 0, [str(root)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


_sizes: dict[str, tuple[float, int]] = {}
_sizes_lock = threading.Lock()


def folder_bytes(root: Path) -> int:
    """Bytes of every file under `root`, walked at most once a minute."""
    key, now = str(root), time.monotonic()
    with _sizes_lock:
        found = _sizes.get(key)
        if found and now - found[0] < SIZES_TTL:
            return found[1]
    size = _walk_bytes(root)
    with _sizes_lock:
        _sizes[key] = (now, size)
    return size


def disk_state(settings: Settings) -> tuple[int | None, bool]:
    """The data dir's free bytes, and whether that is at least `min_free_disk_bytes`."""
    free = disk_free(settings.data_dir)
    return free, free is not None and free >= settings.min_free_disk_bytes
