"""Reading input files: gzip detected from content, lines as bytes with their numbers."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from graphkit.errors import GraphkitError

GZIP_MAGIC = b"\x1f\x8b"


class _CorruptionStop(io.RawIOBase):
    """A gzip stream that ends, instead of raising, where the compressed data is corrupt or
    cut short, and reports that once: the lines before it still count."""

    def __init__(self, inner: gzip.GzipFile, on_corrupt: Callable[[str], None]) -> None:
        self.inner, self.on_corrupt = inner, on_corrupt
        self.broken = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.broken:
            return 0
        try:
            data = self.inner.read1(len(buffer))  # read1, not read: the data before a break comes first
        except (EOFError, OSError, zlib.error) as exc:
            self.broken = True
            self.on_corrupt(f"compressed data is corrupt or truncated here ({exc})")
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_binary(path: Path, on_corrupt: Callable[[str], None] | None = None) -> tuple[BinaryIO, BinaryIO]:
    """(stream to read, underlying raw file whose tell() measures progress). A gzip file is
    decompressed; where its data breaks off, `on_corrupt` hears why and the stream ends."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as exc:
        raise GraphkitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        report = on_corrupt or _raise_corrupt
        stream = io.BufferedReader(_CorruptionStop(gzip.GzipFile(fileobj=raw), report), 1 << 20)
        return stream, raw  # type: ignore[return-value]
    raw.seek(0)
    return raw, raw


def _raise_corrupt(reason: str) -> None:
    raise GraphkitError(reason)


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
