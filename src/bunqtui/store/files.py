"""Private files: 0700 directories, 0600 files written atomically, and an inter-process lock.

Atomic = temp file in the same directory (mkstemp creates it 0600), fsync, rename; a reader
sees the old file or the new one, never half of one. The lock is an fcntl lock on a side file,
so two bunqtui processes serialise their read-modify-write cycles instead of losing writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make sure it is 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def atomic_write(path: Path, data: bytes, *, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically; the file has ``mode`` from its first byte."""
    with atomic_stream(path, mode=mode) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_stream(path: Path, *, mode: int = FILE_MODE) -> Iterator[BinaryIO]:
    """``atomic_write`` for data written a piece at a time (an export of 100,000 payments):
    the pieces go to the temp file, which replaces ``path`` only when the block ends
    without an error; on an error it is removed and ``path`` stays as it was."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # the rename is durable only once the directory entry is on disk
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive fcntl lock on ``path`` (created 0600) for the ``with`` block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_private(path: Path) -> bool:
    """True when neither group nor others can read or write ``path``."""
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
