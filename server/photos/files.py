"""Photo files on disk, named by hash; narrow on purpose, so an object store could replace it.

The sanitized copy lives at photos_dir/ab/<sha>.<ext>, its JPEG thumbnail at
photos_dir/ab/<sha>.thumb.jpg. Writes go to a temporary name, are fsynced and renamed, so an
interrupted write leaves nothing at the final path and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from server.photos.images import FORMATS

# fullmatch, not match with `$`: `$` also matches before a trailing newline.
SHA256 = re.compile(r"[0-9a-f]{64}")


def valid_sha256(value: str) -> bool:
    return SHA256.fullmatch(value) is not None


class PhotoFiles:
    """Where photo files live; narrow on purpose, so an object store could take its place."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _folder(self, sha: str) -> Path:
        if not valid_sha256(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        return self.root / sha[:2]

    def path(self, sha: str, content_type: str) -> Path:
        return self._folder(sha) / f"{sha}.{FORMATS[content_type][1]}"

    def thumb_path(self, sha: str) -> Path:
        return self._folder(sha) / f"{sha}.thumb.jpg"

    def exists(self, sha: str, content_type: str) -> bool:
        return self.path(sha, content_type).is_file() and self.thumb_path(sha).is_file()

    def read(self, sha: str, content_type: str, thumb: bool = False) -> bytes:
        target = self.thumb_path(sha) if thumb else self.path(sha, content_type)
        return target.read_bytes()

    def put(self, sha: str, content_type: str, data: bytes, thumb: bytes) -> None:
        """Write both files atomically; a failure leaves no temporary file behind."""
        folder = self._folder(sha)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path(sha, content_type), data)
        write_atomic(self.thumb_path(sha), thumb)
        _fsync_dir(folder)


def write_atomic(target: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, synced, then renamed."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
