"""Storing uploaded files under UPLOAD_DIR: generated names only, atomic writes, and nothing
left behind when a write fails (e.g. the disk is full).

A file is written to ``<name>.part``, flushed to disk and renamed; a failed write removes the
part file and raises :class:`StorageError` with a Chinese message for the person uploading.
:class:`FileBatch` removes every file a use case wrote when the use case fails afterwards.
"""
from __future__ import annotations

import errno
import os
import re
import uuid
from pathlib import Path

DISK_FULL = "服务器存储空间不足，文件未能保存，本次提交未生效，未保存任何内容。请稍后重试；如问题持续，请联系系统管理员。"
WRITE_FAILED = "服务器保存文件失败，本次提交未生效，未保存任何内容。请稍后重试；如问题持续，请联系系统管理员。"
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class StorageError(Exception):
    """A file could not be written; ``str(e)`` is the Chinese message."""


def storage_message(e: OSError) -> str:
    return DISK_FULL if e.errno in _FULL else WRITE_FAILED


def is_disk_full(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno in _FULL


def display_name(name: str | None, default: str = "附件") -> str:
    """The name a browser sent, reduced to its last path part (either separator) without
    control characters: shown to people and used as the download name, never as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).strip().lstrip(".").strip()
    return (base or default)[:255]


def write_new(root: Path, suffix: str, data: bytes) -> str:
    """Write ``data`` into ``root`` under a new generated name ending in ``suffix`` (which must be
    a fixed extension chosen by the application, not the sender); return the name."""
    if suffix and not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        raise ValueError(f"unsafe suffix {suffix!r}")
    name = uuid.uuid4().hex + suffix
    path = root / name
    tmp = root / (name + ".part")
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StorageError(storage_message(e)) from e
    return name


class FileBatch:
    """The files one use case writes: ``with FileBatch(root) as batch: batch.write(ext, data)``;
    if anything in the block raises, every file written in it is removed again."""

    def __init__(self, root: Path):
        self.root = root
        self.names: list[str] = []

    def write(self, suffix: str, data: bytes) -> str:
        name = write_new(self.root, suffix, data)
        self.names.append(name)
        return name

    def discard(self) -> None:
        for name in self.names:
            (self.root / name).unlink(missing_ok=True)
        self.names.clear()

    def __enter__(self) -> FileBatch:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
