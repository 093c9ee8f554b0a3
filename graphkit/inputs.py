"""Reading input files: gzip detected from content, lines as bytes with their numbers."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from graphkit.errors import GraphkitError

GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """(stream to read, underlying raw file whose tell() measures progress)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as exc:
        raise GraphkitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw), raw  # type: ignore[return-value]
    raw.seek(0)
    return raw, raw


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its end) for every line."""
    for number, line in enumerate(stream, 1):
        yield number, line.rstrip(b"\r\n")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise GraphkitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return digest.hexdigest()
