"""Streams with limits, so that no input can take unbounded memory or time: a line longer
than LINE_LIMIT is never held (it is reported and read as an empty line), a gzip that
expands like a decompression bomb is refused, and a reader of whole documents sets a size
limit."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

# Bytes in one line. Real lines are far shorter (a zone's longest TXT record, a Zeek answer
# list or a JSON record take kilobytes); a longer line is a broken file or an attack, and
# parsing it (dnspython's tokenizer, json) would take many times its size in memory.
LINE_LIMIT = 1 << 20
# Decompressed bytes per compressed byte beyond which a gzip is refused as a decompression
# bomb. Text logs, zones and JSON compress 5-30 fold; gzip's ceiling is about 1000 (zeros).
RATIO_LIMIT = 200
RATIO_AFTER = 64 << 20  # decompressed bytes before the ratio is judged: small files may compress well
# Bytes of a document read whole (an RDAP answer, an AS names file): json takes up to 25
# times that in memory (a list of empty objects). Real ones are a few megabytes at most.
DOCUMENT_LIMIT = 8 << 20
CHUNK = 256 << 10  # bytes read at once by the bounding streams (at most LINE_LIMIT)

LongLine = Callable[[int, str, bytes], None]  # (line number, reason, its first bytes)


class _Counted:
    """The compressed file as gzip reads it, counting the bytes read (pipes have no tell())."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0
        self.mode, self.name = "rb", getattr(raw, "name", "")

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def seek(self, *args: Any) -> int:
        return self.raw.seek(*args)

    def tell(self) -> int:
        return self.raw.tell()


class Inflated(io.RawIOBase):
    """A gzip stream that ends, instead of raising, where the compressed data is corrupt or
    cut short, and reports that once: the lines before it still count. A stream expanding
    beyond RATIO_LIMIT is refused through `on_too_large` (which raises, or the stream ends)."""

    def __init__(self, raw: BinaryIO, on_corrupt: Callable[[str], None], on_too_large: Callable[[str], None]) -> None:
        self.compressed = _Counted(raw)
        self.inner = gzip.GzipFile(fileobj=self.compressed)  # type: ignore[arg-type]
        self.on_corrupt, self.on_too_large = on_corrupt, on_too_large
        self.broken = False
        self.out = 0

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
        self.out += len(data)
        if self.out > RATIO_AFTER and self.out > RATIO_LIMIT * self.compressed.count:
            self.broken = True
            self.on_too_large(
                f"gzip expands more than {RATIO_LIMIT} fold ({self.out >> 20} MiB from "
                f"{self.compressed.count >> 10} KiB): a decompression bomb? not read further"
            )
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


class Bounded(io.RawIOBase):
    """The stream with every line longer than `line_limit` replaced by an empty line (so later
    lines keep their numbers) and reported to `on_long_line`, without ever being held whole;
    with a `size_limit`, refused through `on_too_large` once more than that was read."""

    def __init__(
        self,
        inner: BinaryIO,
        line_limit: int | None,
        on_long_line: LongLine,
        size_limit: int | None,
        on_too_large: Callable[[str], None],
    ) -> None:
        self.inner, self.line_limit, self.on_long_line = inner, line_limit, on_long_line
        self.size_limit, self.on_too_large = size_limit, on_too_large
        self.chunk = min(CHUNK, line_limit or CHUNK)  # so a line inside one chunk is within the limit
        self.read_bytes = 0
        self.line = 1  # the number of the line being read
        self.carry = bytearray()  # its start, held back until its end is read
        self.skipping = 0  # its length so far when it is too long, else 0
        self.head = b""  # and then its first bytes
        self.ready = memoryview(b"")  # what readinto hands out next
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.ready:
            if self.done:
                return 0
            self.ready = memoryview(self._next())
        n = min(len(buffer), len(self.ready))
        buffer[:n] = self.ready[:n]
        self.ready = self.ready[n:]
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()

    def _next(self) -> bytes | bytearray:
        chunk = self.inner.read(self.chunk)
        self.read_bytes += len(chunk)
        if self.size_limit is not None and self.read_bytes > self.size_limit:
            self.done = True
            self.on_too_large(f"larger than {self.size_limit >> 20} MiB, the limit for reading it whole")
            return b""
        if not chunk:
            self.done = True
            if self.skipping:
                self._long()
            return self.carry
        if self.line_limit is None:
            return chunk
        out = bytearray()
        if self.skipping:
            end = chunk.find(b"\n")
            if end < 0:
                self.skipping += len(chunk)
                return out
            self.skipping += end
            self._long()
            out += b"\n"
            chunk = chunk[end + 1 :]
        last = chunk.rfind(b"\n")
        if last < 0:
            if len(self.carry) + len(chunk) > self.line_limit:
                self._start_skipping(chunk, len(chunk))
            else:
                self.carry += chunk
            return out
        first = chunk.find(b"\n")
        if len(self.carry) + first > self.line_limit:  # lines after the first are shorter than a chunk
            self._start_skipping(chunk, first)
            self._long()
            out += b"\n"
        else:
            out += self.carry
            out += chunk[: first + 1]
            self.line += 1
        out += chunk[first + 1 : last + 1]
        self.line += chunk.count(b"\n", first + 1, last + 1)
        self.carry = bytearray(chunk[last + 1 :])
        return out

    def _start_skipping(self, chunk: bytes, used: int) -> None:
        self.skipping = len(self.carry) + used
        self.head = (bytes(self.carry[:300]) + chunk[:300])[:300]
        self.carry = bytearray()

    def _long(self) -> None:
        reason = f"line too long ({self.skipping:,} bytes, over the limit of {self.line_limit:,}): skipped"
        self.on_long_line(self.line, reason, self.head)
        self.line, self.skipping, self.head = self.line + 1, 0, b""
