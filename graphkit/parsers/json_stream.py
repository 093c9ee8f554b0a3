"""JSON values one at a time from a stream: the items of a top-level array, or values one after
another (JSON lines, or several documents), without reading the whole file into memory.

Each item is decoded by itself, so memory is bounded by the largest item, not the file; an
item larger than `limit` ends the reading, with the reason.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK = 1 << 20


@dataclass
class Item:
    line: int  # where it starts
    value: Any
    text: str  # its start, for a reject message


class NotJson(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def items(stream: BinaryIO, limit: int) -> Iterator[Item]:
    """The values of a top-level array (or the values one after another, when not an array)."""
    decoder = json.JSONDecoder()
    reader = _Reader(stream)
    reader.skip_blanks()
    in_array = reader.peek() == "["
    if in_array:
        reader.advance(1)
    while True:
        reader.skip_blanks()
        if in_array and reader.peek() == "]":
            return
        if reader.peek() == "":
            if in_array:
                raise NotJson(reader.line, "the array is not closed: the file is cut off")
            return
        line = reader.line
        while True:
            try:
                value, end = decoder.raw_decode(reader.buffer, reader.pos)
                break
            except json.JSONDecodeError as exc:
                # the text ran out within the item (more may come), or a bad character
                cut_off = exc.pos >= len(reader.buffer) - 16 or exc.msg.startswith("Unterminated string")
                if reader.eof or not cut_off:
                    raise NotJson(exc.lineno + line - 1, f"not JSON: {exc.msg}") from None
                if len(reader.buffer) - reader.pos > limit:
                    raise NotJson(line, f"an item larger than {limit >> 20} MiB") from None
                reader.fill()
            except RecursionError:
                raise NotJson(line, "not JSON: nested too deeply") from None
        text = reader.buffer[reader.pos : min(end, reader.pos + 300)]
        reader.advance(end - reader.pos)
        yield Item(line, value, text)
        reader.skip_blanks()
        if in_array:
            if reader.peek() == ",":
                reader.advance(1)
            elif reader.peek() == "":
                raise NotJson(reader.line, "the array is not closed: the file is cut off")
            elif reader.peek() != "]":
                raise NotJson(reader.line, "expected ',' or ']' between array items")


class _Reader:
    """Decoded text in a sliding buffer, with the line number of its position."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.buffer, self.pos, self.line, self.eof = stream, "", 0, 1, False
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._first = True

    def fill(self) -> None:
        chunk = self.stream.read(CHUNK)
        self.eof = not chunk
        try:  # an incremental decoder: a character split between chunks is joined
            text = self._decoder.decode(chunk, final=self.eof)
        except UnicodeDecodeError as exc:
            raise NotJson(self.line, f"undecodable bytes: not UTF-8 ({exc.reason})") from None
        if self._first:
            text, self._first = text.removeprefix("\ufeff"), False
        self.buffer = self.buffer[self.pos :] + text
        self.pos = 0

    def peek(self) -> str:
        if self.pos >= len(self.buffer) and not self.eof:
            self.fill()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def advance(self, n: int) -> None:
        self.line += self.buffer.count("\n", self.pos, self.pos + n)
        self.pos += n

    def skip_blanks(self) -> None:
        while True:
            char = self.peek()
            if not char or not char.isspace():
                return
            self.advance(1)
