"""Windows event records, however they were exported: one shape for the Sysmon and DNS Server loaders.

- EVTX files, read by the `evtx` library (Rust; damaged chunks are rejected by record number,
  the rest of the file still read);
- JSON: `evtx_dump`'s (`{"Event": {"System": ..., "EventData": ...}}`, one a line, pretty-printed,
  or after `Record N` lines), Winlogbeat/Elastic's (`winlog.event_id`, `winlog.computer_name`,
  `winlog.event_data`), PowerShell's `Get-WinEvent | ConvertTo-Json` (`Id`, `MachineName`,
  `TimeCreated`, and the data as `Message` lines), and flat exports (NXLog: `EventID`,
  `Hostname`, the data fields beside them); one object a line, one document, or an array;
- XML: `wevtutil qe /f:xml` or Event Viewer's "Save as XML" (`<Event>` elements, a root or none).

Each event comes out as a `WinEvent` (`winevent_shapes` reads each export's shape); what
cannot be read is rejected with its record or line number, and the file goes on.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.inputs import GZIP_MAGIC
from graphkit.parsers.pdns_blocks import blocks
from graphkit.parsers.winevent_shapes import WinEvent, from_document, from_element, local

EVTX_MAGIC = b"ElfFile\x00"
RECORD_HEADER = re.compile(rb"^Record \d+\s*$")  # evtx_dump's separator between pretty-printed events
BLOCK_BYTES = 16 << 20  # JSON lines read at once


# A reader of whole blocks of JSON lines (first line's number): True when it took the block, or
# False having done nothing, and the block's lines are read one at a time.
BlockReader = Callable[[bytes, int], bool]


def events(ctx: ParseContext, blocks_read: BlockReader | None = None) -> Iterator[WinEvent]:
    """The file's events, whatever its form (EVTX, JSON or XML); what has no event id is rejected.
    JSON lines are offered to `blocks_read` a block at a time first."""
    for event in _read(ctx, blocks_read):
        if event.event_id is None:
            ctx.reject_row(event.problem, event.text, event.number)
        else:
            yield event


def _read(ctx: ParseContext, blocks_read: BlockReader | None) -> Iterator[WinEvent]:
    with ctx.open(line_limit=None, size_limit=None) as stream:
        head = stream.read(1 << 12)
    if head.startswith(EVTX_MAGIC):
        yield from _evtx(ctx)
        return
    first = head.lstrip()[:1]
    if first == b"<":
        yield from _xml(ctx)
    elif first in (b"{", b"[") or RECORD_HEADER.match(head.lstrip().split(b"\n", 1)[0]):
        yield from _json(ctx, blocks_read)
    elif head.strip():
        raise FileRejected(1, "not Windows events: neither EVTX, JSON nor XML")


# -- EVTX -------------------------------------------------------------------------------------


def _evtx(ctx: ParseContext) -> Iterator[WinEvent]:
    import evtx  # the Rust reader loads only when an EVTX file is read

    with _seekable(ctx) as stream:
        try:
            records = evtx.PyEvtxParser(stream, number_of_threads=1).records_json()
        except (OSError, RuntimeError) as exc:
            raise FileRejected(None, f"not a readable EVTX file: {exc}") from None
        number = 0
        while True:
            try:
                record = next(records) or {}
            except StopIteration:
                return
            except (OSError, RuntimeError) as exc:  # a damaged chunk: its records are lost, not the file's
                ctx.reject(f"a damaged EVTX chunk: {str(exc)[:200]}", b"", line=number + 1)
                continue
            number = int(record.get("event_record_id") or number + 1)
            ctx.line = number
            text = str(record.get("data", "")).encode()
            try:
                document = json.loads(text)
            except ValueError:
                ctx.reject("an EVTX record that does not read as an event", text[:300])
                continue
            yield from_document(document, number, text)


@contextmanager
def _seekable(ctx: ParseContext) -> Iterator[BinaryIO]:
    """The EVTX reader seeks: the file itself, or a compressed one decompressed to a temporary file
    (on disk, not in memory: EVTX files run to gigabytes)."""
    with open(ctx.path, "rb") as plain:
        if plain.read(2) != GZIP_MAGIC:
            plain.seek(0)
            yield plain
            return
    with tempfile.TemporaryFile() as copy, ctx.open(line_limit=None, size_limit=None) as stream:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.seek(0)
        yield copy


# -- JSON -------------------------------------------------------------------------------------


def _json(ctx: ParseContext, blocks_read: BlockReader | None) -> Iterator[WinEvent]:
    with ctx.open(line_limit=None, size_limit=None) as stream:
        head = stream.read(1 << 16)
    line = head.lstrip().split(b"\n", 1)[0]
    if RECORD_HEADER.match(line):
        yield from _json_records(ctx)
        return
    one_a_line = False
    if line.startswith(b"{"):
        try:
            one_a_line = isinstance(json.loads(line), dict)
        except (ValueError, RecursionError):
            one_a_line = False
    if one_a_line:
        with ctx.open() as stream:
            for first, block in blocks(stream, BLOCK_BYTES):
                if blocks_read is not None and blocks_read(block, first):
                    continue
                for number, raw in enumerate(block.split(b"\n")[:-1], first):
                    if number not in ctx.long_lines:
                        ctx.line = number
                        ctx.counts["lines read"] += 1
                        if raw.strip():
                            yield _parsed(raw, number)
        return
    yield from _json_documents(ctx)


def _json_records(ctx: ParseContext) -> Iterator[WinEvent]:
    """evtx_dump's own output: `Record N` lines, each followed by its event pretty-printed;
    read a record at a time (the whole may be gigabytes), each one as large as a document may be."""
    lines: list[bytes] = []
    size, start = 0, 0
    with ctx.open() as stream:
        for raw in ctx.lines(stream):
            if RECORD_HEADER.match(raw):
                if lines:
                    yield _parsed(b"".join(lines), start)
                lines, size, start = [], 0, (ctx.line or 0) + 1
                continue
            size += len(raw)
            if size <= bounded.DOCUMENT_LIMIT:
                lines.append(raw)
            elif lines:  # too large: rejected whole, its lines no longer held
                ctx.reject_row(f"an event larger than {bounded.DOCUMENT_LIMIT >> 20} MiB", lines[0], start)
                lines = []
        if lines:
            yield _parsed(b"".join(lines), start)


def _parsed(text: bytes, line: int) -> WinEvent:
    """One event's JSON; what does not parse comes out with no event id, to be rejected so."""
    try:
        return from_document(json.loads(text), line, text[:300])
    except (ValueError, RecursionError):
        return WinEvent(line, None, None, None, text=text[:300], problem="not JSON")


def _json_documents(ctx: ParseContext) -> Iterator[WinEvent]:
    """A pretty-printed document, or an array of events (read whole: PowerShell's ConvertTo-Json)."""
    with ctx.open(line_limit=None, size_limit=bounded.DOCUMENT_LIMIT) as stream:
        text = stream.read()
    try:
        body = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(None, "undecodable bytes: not UTF-8 JSON") from None
    decoder, position, line = json.JSONDecoder(), 0, 1
    while True:
        start = _next_document(body, position)
        if start is None:
            return
        line += body.count("\n", position, start)
        try:
            document, end = decoder.raw_decode(body, start)
        except json.JSONDecodeError as exc:
            raise FileRejected(exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})") from None
        except RecursionError:
            raise FileRejected(line, "not JSON: nested too deeply") from None
        for item in document if isinstance(document, list) else [document]:
            yield from_document(item, line, body[start:end][:300].encode())
        line += body.count("\n", start, end)
        position = end


def _next_document(body: str, position: int) -> int | None:
    """Where the next JSON value starts (several may follow one another), past blanks."""
    while position < len(body) and body[position].isspace():
        position += 1
    return position if position < len(body) else None


# -- XML --------------------------------------------------------------------------------------


def _xml(ctx: ParseContext) -> Iterator[WinEvent]:
    """`<Event>` elements, under one root (`<Events>`) or none (wevtutil's output is a run of them)."""
    with ctx.open(line_limit=None, size_limit=bounded.DOCUMENT_LIMIT) as stream:
        text = stream.read()
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", text)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    parser.feed(b"<graphkit-events>")
    number = 0
    try:
        parser.feed(body)
        parser.feed(b"</graphkit-events>")
        for _, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):
            if local(element.tag) == "Event":
                number += 1
                ctx.line = number
                yield from_element(element, number)
                element.clear()
    except ET.ParseError as exc:
        line = max(exc.position[0], 1)
        raise FileRejected(line, f"not XML: {exc}") from None
