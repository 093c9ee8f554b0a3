"""`graphkit load zone`: RFC 1035 master files, read by a columnar reader or dnspython's.

The origin for relative names is --origin, else the file's first $ORIGIN or absolute SOA
owner, else the file name (example.com.zone, db.example.com). Partial zones load: no SOA or
NS is required, and names outside the origin are kept, since they were in the file.

A syntax error in the file's structure (an unknown type, a bad directive, owner or TTL,
unbalanced parentheses) rejects the whole file, with its line; nothing of it is written,
since a load writes nothing before the whole file is read (ingest.spill). Data that its
type does not accept (an address out of range, a bad SVCB parameter) rejects only that
record, with its line; the rest loads.

Most files are read by zone_columns, straight into columns, a table at a time, so memory does
not grow with the zone. Where the file leaves that reader's subset (or its structure is
broken), dnspython's reader takes over from the line after the last table handed on; it
decides what the rest means and reports errors. It reads the whole file first, as a check:
small files are held in memory from that read, and a file with more than BUFFER_LIMIT records
is read again, streamed.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, cast

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.ttl
import dns.zonefile

from graphkit.ingest import DEFAULT_BATCH, inputs
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.observations import Observations, Observed
from graphkit.model import names
from graphkit.model.records import Record
from graphkit.parsers import dnsrecords
from graphkit.parsers.dnsrecords import Seen
from graphkit.parsers.zone_columns import Unsupported, ZoneColumns

BUFFER_LIMIT = 1_000_000
STREAM_BATCH = 2048
NO_ORIGIN = dns.name.from_text("origin-unknown.graphkit.invalid.")
ZONE_SUFFIXES = (".zone", ".db", ".txt", ".zn", ".dns", ".hosts", ".fwd", ".rev")


@dataclass(frozen=True, slots=True)
class BadData:
    """A record whose data its type does not accept."""

    rtype: str
    line: int
    reason: str
    text: str


RR = Union[tuple[dns.name.Name, int, dns.rdata.Rdata, int], BadData]  # (owner, ttl, data, line)


class ZoneParser:
    kind = "zone"

    def __init__(
        self,
        origin: str | None = None,
        buffer_limit: int = BUFFER_LIMIT,
        *,
        columns: bool = True,
        table_rows: int = DEFAULT_BATCH,
    ) -> None:
        self.origin = parse_origin(origin) if origin else None
        self.buffer_limit = buffer_limit
        self.columns = columns  # False: dnspython's reader only (to compare the two)
        self.table_rows = table_rows  # rows per table the columnar reader hands on
        self.fast = True  # whether the columnar reader read the whole of the current file

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Observed]:
        # a copy of standard input is named after nothing the user chose
        named = _origin_from_filename(ctx.path) if not ctx.name else None
        origin = self.origin or _origin_in_text(ctx.path) or named or NO_ORIGIN
        handed = 0  # the columnar reader handed on the records up to this line
        if self.columns:
            reader = _columnar_reader(ctx, origin, self.table_rows)
            try:
                with ctx.open() as stream:
                    yield from reader.read(_text(stream))
                self.fast = True
                return
            except Unsupported:
                handed = reader.handed_line
        self.fast = False
        buffered, complete = self._read_all(ctx, origin)
        rrs = iter(buffered) if complete else self._stream(ctx, origin)
        if handed:
            rrs = (rr for rr in rrs if _line(rr) > handed)
        for rr in rrs:
            if isinstance(rr, BadData):
                ctx.counts[rr.rtype] += 1
                ctx.reject(rr.reason, rr.text, line=rr.line)
                continue
            owner, ttl, rdata, ctx.line = rr
            rtype = dnsrecords.type_text(rdata.rdtype)
            ctx.counts[rtype] += 1
            owner_text = owner.to_text(omit_final_dot=True)
            try:
                yield from dnsrecords.observations(owner_text, rdata, Seen(ttl=ttl), ctx.skip)
            except names.InvalidName as exc:
                ctx.reject(str(exc), f"{owner_text} {ttl} {rtype} {rdata.to_text()}")

    def _read_all(self, ctx: ParseContext, origin: dns.name.Name) -> tuple[list[RR], bool]:
        """First read by dnspython's reader: every record checked; kept unless there are more than buffer_limit."""
        kept: list[RR] = []
        complete = True

        def keep(rr: RR) -> None:
            nonlocal complete
            if complete and len(kept) < self.buffer_limit:
                kept.append(rr)
            elif complete:
                kept.clear()
                complete = False

        with ctx.open() as stream:
            read_zone(_text(stream), str(ctx.path), origin, keep)
        return kept, complete

    def _stream(self, ctx: ParseContext, origin: dns.name.Name) -> Iterator[RR]:
        """Second read of a large file, in a thread: the reader pushes records, the pipeline pulls them."""
        batches: queue.Queue[list[RR] | BaseException | None] = queue.Queue(maxsize=16)
        stop = threading.Event()
        stream = ctx.open()

        def run() -> None:
            batch: list[RR] = []

            def push(rr: RR) -> None:
                nonlocal batch
                batch.append(rr)
                if len(batch) >= STREAM_BATCH:
                    if stop.is_set():
                        raise _Stopped
                    batches.put(batch)
                    batch = []

            try:
                read_zone(_text(stream), str(ctx.path), origin, push)
                batches.put(batch)
                batches.put(None)
            except BaseException as exc:  # handed to the consuming thread
                batches.put(exc)

        reader = threading.Thread(target=run, name=f"zone-reader:{ctx.path.name}", daemon=True)
        reader.start()
        try:
            while (item := batches.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield from item
        finally:  # also when the consumer stops early: the reader stops at its next batch
            stop.set()
            while reader.is_alive():  # unblock a reader waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    batches.get(timeout=0.1)
            stream.close()


class _Stopped(Exception):
    pass


def _text(stream: Any) -> io.TextIOWrapper:
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace")


def _columnar_reader(ctx: ParseContext, origin: dns.name.Name, table_rows: int) -> ZoneColumns:
    def reject(reason: str, text: str, line: int) -> None:
        ctx.reject(reason, text, line=line)

    return ZoneColumns(
        origin,
        known_origin=origin != NO_ORIGIN,
        counts=ctx.counts,
        skip=ctx.skip,
        reject=reject,
        gathered=Observations(table_rows),
    )


def _line(rr: RR) -> int:
    return rr.line if isinstance(rr, BadData) else rr[3]


def read_zone(text: io.TextIOBase, filename: str, origin: dns.name.Name, on_record: Callable[[RR], None]) -> None:
    """Hand every record of a master file to on_record; raise FileRejected on the first error."""
    sink = _Sink(origin, on_record)
    tok = _Tokenizer(text, filename)
    reader = _Reader(tok, dns.rdataclass.IN, cast(Any, sink), allow_include=False)  # duck-typed transaction
    reader.zone_origin = dns.name.root  # keep names outside the origin instead of dropping them
    sink.reader, reader.sink = reader, sink
    try:
        reader.read()
    except _NeedsOrigin:
        raise FileRejected(
            reader.start_line,
            "relative name and no origin: give --origin, or add $ORIGIN or an absolute SOA owner",
        ) from None
    except dns.exception.DNSException as exc:
        raise FileRejected(tok.error_line(), _reason(exc, filename)) from None
    except (ValueError, UnicodeError) as exc:
        raise FileRejected(tok.error_line(), f"unreadable zone data ({exc})") from None


def _reason(exc: Exception, filename: str) -> str:
    text = str(exc) or type(exc).__name__
    prefix = re.match(rf"^{re.escape(filename)}:\d+: ", text)  # dnspython's own file:line
    return text[prefix.end() :] if prefix else text


class _NeedsOrigin(Exception):
    pass


class _Tokenizer(dns.tokenizer.Tokenizer):
    """Keeps the tokens of the record being read, to tell where a record went wrong."""

    recorded: list[dns.tokenizer.Token] = []
    token_line = 0  # the line of the last token that is not a line's end

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        token = super().get(want_leading, want_comment)
        self.recorded.append(token)
        if not token.is_eol_or_eof():
            # a token that ends its line was ended by reading the newline (counted, then put back)
            self.token_line = self.line_number - (getattr(self, "ungotten_char", None) == "\n")
        return token

    def error_line(self) -> int:
        """Where an error is: the line of the last token read. dnspython's own position is on the
        next line once it has read a line's end (a record cut short, say by a NUL byte)."""
        return self.token_line or self.where()[1]

    def unget(self, token: dns.tokenizer.Token) -> None:
        super().unget(token)
        if self.recorded and self.recorded[-1] is token:
            self.recorded.pop()


class _Reader(dns.zonefile.Reader):
    """dnspython's reader, noting the line each record starts on, and passing over (as BadData)
    a record whose data does not parse, when the file's structure around it is sound."""

    start_line = 0
    tok: _Tokenizer
    sink: _Sink

    def _rr_line(self) -> None:
        self.start_line = self.tok.line_number
        self.tok.recorded = []
        try:
            super()._rr_line()
        except dns.exception.DNSException as exc:
            tokens = self.tok.recorded
            rtype = _type_in(tokens)
            if rtype is None or "TTL" in str(exc):  # the structure itself is broken
                raise
            while not (tokens and tokens[-1].is_eol_or_eof()):  # pass over the rest of the record
                self.tok.get()
            text = " ".join(str(t.value) for t in tokens if t.is_identifier() or t.is_quoted_string())
            reason = _CAUGHT.sub("", str(exc)) or type(exc).__name__
            self.sink.on_record(BadData(rtype, self.start_line, f"bad {rtype} data: {reason}", text))


_CAUGHT = re.compile(r"^caught exception <class '[\w.]+'>: ")


def _type_in(tokens: list[dns.tokenizer.Token]) -> str | None:
    """The record type among a record's leading tokens ([owner] [ttl] [class] [ttl] type), if reached."""
    words = [t for t in tokens if not t.is_whitespace()]
    if tokens and not tokens[0].is_whitespace():
        words = words[1:]  # the owner name
    for token in words:
        if not token.is_identifier():
            return None
        for parse in (dns.ttl.from_text, dns.rdataclass.from_text):
            try:
                parse(token.value)
                break
            except (dns.exception.DNSException, ValueError):
                pass
        else:
            try:
                return str(dns.rdatatype.to_text(dns.rdatatype.from_text(token.value)))
            except (dns.exception.DNSException, ValueError):
                return None
    return None


class _Manager:
    def __init__(self, origin: dns.name.Name) -> None:
        self.origin = origin

    def origin_information(self) -> tuple[dns.name.Name, bool, dns.name.Name]:
        return self.origin, False, self.origin


class _Sink:
    """The part of a dnspython transaction the zone file reader uses: records are passed on, not stored."""

    def __init__(self, origin: dns.name.Name, on_record: Callable[[RR], None]) -> None:
        self.manager = _Manager(origin)
        self.on_record = on_record
        self.guess = origin == NO_ORIGIN
        self.reader: _Reader | None = None

    def check_put_rdataset(self, check: object) -> None:
        """A zone that breaks CNAME-and-other-data rules is still evidence: no checks."""

    def _set_origin(self, origin: dns.name.Name) -> None:
        pass

    def add_unicode(self, value: str) -> None:
        pass

    def add(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> None:
        self.record(name, ttl, rdata, self.reader.start_line if self.reader else 0)

    def record(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata, line: int) -> None:
        if self.guess and (name.is_subdomain(NO_ORIGIN) or str(NO_ORIGIN) in rdata.to_text()):
            raise _NeedsOrigin
        self.on_record((name, ttl, rdata, line))


def parse_origin(text: str) -> dns.name.Name:
    """An origin given by the user: a domain name, made absolute."""
    canonical = names.domain(text)
    return dns.name.from_text(canonical + ".")


_SCAN_LINES = 10_000


def _origin_in_text(path: Path) -> dns.name.Name | None:
    stream, _ = inputs.open_binary(path, on_corrupt=inputs.ignore, on_too_large=inputs.ignore)  # the parse reports it
    with stream:
        for number, raw in inputs.numbered_lines(stream):
            if number > _SCAN_LINES:
                break
            line = raw.decode("utf-8", "replace").split(";", 1)[0]
            words = line.split()
            if not words:
                continue
            if words[0].upper() == "$ORIGIN" and len(words) > 1:
                return _absolute(words[1])
            upper = [w.upper() for w in words[1:5]]
            if "SOA" in upper:
                owner = words[0] if not line[0].isspace() else ""
                return _absolute(owner) if owner.endswith(".") else None
    return None


def _origin_from_filename(path: Path) -> dns.name.Name | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.startswith("db."):
        name = name[3:]
    for suffix in ZONE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    try:
        return parse_origin(name)
    except names.InvalidName:
        return None


def _absolute(text: str) -> dns.name.Name | None:
    try:
        name = dns.name.from_text(text)
    except dns.exception.DNSException:
        return None
    return name if name.is_absolute() else None
