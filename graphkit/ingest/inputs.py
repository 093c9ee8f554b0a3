"""Reading input files: gzip detected from content, lines as bytes with their numbers, pipes
spooled to a file, a rejected line's text read again. Every stream is bounded (see
graphkit.ingest.bounded)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import BinaryIO

from graphkit.errors import GraphkitError
from graphkit.ingest.bounded import LINE_LIMIT, Bounded, Inflated, LongLine

GZIP_MAGIC = b"\x1f\x8b"
STDIN = Path("-")


def open_binary(
    path: Path,
    on_corrupt: Callable[[str], None] | None = None,
    *,
    on_long_line: LongLine | None = None,
    line_limit: int | None = LINE_LIMIT,
    size_limit: int | None = None,
    on_too_large: Callable[[str], None] | None = None,
) -> tuple[BinaryIO, BinaryIO]:
    """(stream to read, underlying raw file whose tell() measures progress). A gzip file is
    decompressed; where its data breaks off, `on_corrupt` hears why and the stream ends. Lines
    longer than `line_limit` are read as empty and told to `on_long_line`; a gzip bomb, or more
    than `size_limit` bytes, is told to `on_too_large` (by default an error), and the stream ends."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as exc:
        raise GraphkitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    too_large = on_too_large or _raise_too_large(path)
    stream: BinaryIO = raw
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        stream = Inflated(raw, on_corrupt or _raise_corrupt, too_large)  # type: ignore[assignment]
    else:
        raw.seek(0)
    bounded = Bounded(stream, line_limit, on_long_line or _ignore_long_line, size_limit, too_large)
    return io.BufferedReader(bounded, 1 << 20), raw  # type: ignore[return-value]


@contextlib.contextmanager
def readable(path: Path) -> Iterator[Path]:
    """A file the parsers can open, seek and read more than once: the file itself, or for
    standard input ('-') or a pipe, a temporary copy (copied in blocks, removed afterwards)."""
    if path != STDIN:
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            regular = True  # opening it says why it cannot be read
        if regular:
            yield path
            return
    with tempfile.NamedTemporaryFile(prefix="graphkit-input-") as spool:
        try:
            with contextlib.nullcontext(sys.stdin.buffer) if path == STDIN else open(path, "rb") as source:
                shutil.copyfileobj(source, spool, 1 << 20)
            spool.flush()
        except OSError as exc:
            raise GraphkitError(f"{path}: cannot read ({exc.strerror or exc})") from None
        yield Path(spool.name)


def _raise_corrupt(reason: str) -> None:
    raise GraphkitError(reason)


def _raise_too_large(path: Path) -> Callable[[str], None]:
    def report(reason: str) -> None:
        raise GraphkitError(f"{path}: {reason}")

    return report


def _ignore_long_line(number: int, reason: str, head: bytes) -> None:
    pass


def ignore(reason: str) -> None:
    """For a caller that reports a problem another way (or not at all)."""


EMPTY_PROBE = 1 << 20  # bytes read to tell an empty (whitespace only) file


def is_empty(path: Path) -> bool:
    """Whether a regular file holds nothing but whitespace (decompressed). Pipes are not probed:
    reading them would consume them; corrupt input is left to the parser to report."""
    try:
        if not path.is_file():
            return False
        stream, raw = open_binary(path, line_limit=None)  # one long line is not an empty file
        try:
            head = stream.read(EMPTY_PROBE)
            return not head.strip() and len(head) < EMPTY_PROBE
        finally:
            stream.close()
            raw.close()
    except (GraphkitError, OSError, EOFError):
        return False


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


def sha256_beside(path: Path) -> Future[str]:
    """sha256_of(path), read on a thread of its own (hashlib lets go of the GIL), a daemon's:
    a process stopped meanwhile does not wait for it."""
    digest: Future[str] = Future()

    def read() -> None:
        try:
            digest.set_result(sha256_of(path))
        except BaseException as exc:  # handed to whoever asks for the result
            digest.set_exception(exc)

    threading.Thread(target=read, name="sha256", daemon=True).start()
    return digest


class LineReader:
    """The text of a line of a file, read again: a columnar reader keeps no line text, and
    rejects are rare. Asked in file order (rejects are made in file order), it reads the file
    at most once more, forward, and holds one line's start at a time."""

    TEXT_BYTES = 1200  # more than a reject shows (300 characters)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream: BinaryIO | None = None
        self._line = 1  # the line the stream is at the start of
        self._offset = 0  # its byte offset in the (decompressed) data

    def text(self, line: int, start: tuple[int, int] | None = None) -> bytes:
        """Line `line` (1-based) without its end; `start` = (line, offset) of a known line start
        at or before it, to skip to. b"" when the file can no longer be read there."""
        try:
            if self._stream is None or line < self._line:
                self._open()
            if start is not None and self._line < start[0] <= line:
                self._skip_to(start[1])
                self._line = start[0]
            while self._line < line:
                if not self._read_line(keep=False):
                    return b""
            return self._read_line(keep=True).rstrip(b"\r\n")
        except (OSError, EOFError, zlib.error, GraphkitError):
            return b""

    def _open(self) -> None:
        self.close()
        self._stream, _ = open_binary(self.path, on_corrupt=ignore)
        self._line, self._offset = 1, 0

    def _skip_to(self, offset: int) -> None:
        assert self._stream is not None  # bounded streams cannot seek: read forward
        while self._offset < offset and (block := self._stream.read(min(1 << 20, offset - self._offset))):
            self._offset += len(block)
        self._offset = offset

    def _read_line(self, keep: bool) -> bytes:
        """The next line's first TEXT_BYTES; when not kept, only whether there was one (b"" at the end)."""
        assert self._stream is not None
        kept, got_any = b"", False
        while chunk := self._stream.readline(1 << 16):
            got_any = True
            self._offset += len(chunk)
            if keep and len(kept) < self.TEXT_BYTES:
                kept += chunk[: self.TEXT_BYTES - len(kept)]
            if chunk.endswith(b"\n"):
                break
        if got_any:
            self._line += 1
        return kept if keep else (b"\n" if got_any else b"")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
