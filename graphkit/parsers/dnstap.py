"""`graphkit load dnstap`: dnstap files, as BIND, Unbound, Knot Resolver, CoreDNS, dnsdist and
PowerDNS write them (Frame Streams of `protobuf:dnstap.Dnstap` messages).

Frames are read here (a 4-byte length, then the frame; a control frame has length 0 and its
own length next); each data frame is decoded by `dnstap_pb` (the dnstap project's protobuf
schema), the DNS messages inside by `dnswire` (questions and A/AAAA/CNAME answers of plain
names), dnspython for anything else.

- CLIENT_QUERY and AUTH_QUERY messages are lookups, by `query_address` (a resolver's clients,
  and the resolvers asking an authoritative server), at `query_time`.
- The resolver's own queries upstream (RESOLVER_QUERY, FORWARDER_QUERY) are counted by type,
  not read as lookups: the server's own address would be the client of every name its clients
  asked for. With `--client-side resolver` they are the lookups instead (with AUTH_QUERY), by
  the resolver's own address, and CLIENT_QUERY is counted: the resolver's side of the traffic.
  Where that address is unspecified (BIND writes 0.0.0.0), the client is the resolver as a
  Host named by `--observer` or the writer's identity.
- Other messages (STUB_QUERY, tools, updates) are counted by type.
- Every response with a message (CLIENT_, AUTH_, RESOLVER_, FORWARDER_RESPONSE) gives its
  answers: A, AAAA and CNAME records, each with its owner.
- The writer's `identity` is the Source's observer.

A frame that cannot be decoded is rejected with its number (frames, not lines, are counted:
`line` in the rejects is the frame's number in the file, and the text its first bytes); a
file that is no Frame Stream, or that breaks off inside a frame, is rejected whole or at that
frame.
"""

from __future__ import annotations

import socket
import struct
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.ingest.lookups.classify import HOST_CLIENT
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import dnsmessage

FRAME_LIMIT = 1 << 20  # bytes of one frame: a DNS message is at most 64 KiB, twice over with its envelope
CONTENT_TYPE = b"protobuf:dnstap.Dnstap"
LOOKUPS = frozenset({"CLIENT_QUERY", "AUTH_QUERY"})
UPSTREAM = frozenset({"RESOLVER_QUERY", "FORWARDER_QUERY"})  # the resolver's own queries
RESOLVER_LOOKUPS = UPSTREAM | {"AUTH_QUERY"}  # the lookups with --client-side resolver
UNSPECIFIED = frozenset({"0.0.0.0", "::"})  # a wildcard source: BIND does not say which address it sent from
RESPONSES = frozenset({"CLIENT_RESPONSE", "AUTH_RESPONSE", "RESOLVER_RESPONSE", "FORWARDER_RESPONSE"})
OBSERVERS_NAMED = 10


class DnstapParser:
    kind = "dnstap"

    def __init__(self, options: LookupOptions | None = None) -> None:
        self.options = options or LookupOptions()

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        import dnstap_pb  # protobuf loads only when a dnstap file is read

        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        types = dict(dnstap_pb.Message.Type.items())
        names = {number: name for name, number in types.items()}
        identities: set[str] = set()
        identity = b""
        lookups = RESOLVER_LOOKUPS if self.options.client_side == "resolver" else LOOKUPS
        kinds: Counter[int] = Counter()  # messages by type, named at the end (not per message)
        frames = 0
        with unreadable_file_rejected(ctx), ctx.open(line_limit=None) as stream:
            for number, frame in _frames(stream):
                ctx.line = number
                frames += 1
                envelope = dnstap_pb.Dnstap()
                try:
                    envelope.ParseFromString(frame)
                except Exception:  # protobuf's DecodeError, or worse for garbage: the frame is bad
                    ctx.reject("not a dnstap message (protobuf does not decode)", frame[:200])
                    continue
                if not envelope.HasField("message"):
                    ctx.skip("dnstap frames without a message")
                    continue
                if envelope.identity != identity:
                    identity = envelope.identity
                    if len(identities) <= OBSERVERS_NAMED:
                        identities.add(identity.decode("utf-8", "replace"))
                message = envelope.message
                kinds[message.type] += 1
                kind = names.get(message.type)
                if kind in lookups:
                    own = kind in UPSTREAM and (self.options.observer or identity.decode("utf-8", "replace"))
                    _lookup(ctx, rows, message, number, frame, own or None)
                elif kind in RESPONSES and message.HasField("response_message"):
                    _answers(ctx, rows, message, number, frame)
                if not number & 0xFFF:
                    ctx.tick()
        ctx.counts["frames read"] = frames
        for type_number, count in kinds.items():
            ctx.counts[f"{names.get(type_number, f'type {type_number}')} messages"] += count
        rows.flush()
        observer = ",".join(sorted(identities)) if 0 < len(identities) <= OBSERVERS_NAMED else None
        yield from finish(ctx, aggregator, self.options, default_client_side=None, observer=observer)


def _frames(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(number, data frame) of a Frame Streams file; control frames are checked and passed over."""
    number = 0
    while head := stream.read(4):
        number += 1
        if len(head) < 4:
            raise FileRejected(number, "the file breaks off inside a frame's length")
        (length,) = struct.unpack("!I", head)
        control = length == 0
        if control:
            raw = stream.read(4)
            if len(raw) < 4:
                raise FileRejected(number, "the file breaks off inside a control frame")
            (length,) = struct.unpack("!I", raw)
        if length > FRAME_LIMIT:
            raise FileRejected(number, f"a frame of {length:,} bytes: not a dnstap file, or a damaged one")
        frame = stream.read(length)
        if len(frame) < length:
            raise FileRejected(number, f"the file breaks off inside a frame ({len(frame):,} of {length:,} bytes)")
        if control:
            if number == 1 and CONTENT_TYPE not in frame:
                raise FileRejected(1, "not a dnstap file (its first frame names no protobuf:dnstap.Dnstap content)")
            continue
        if number == 1:
            raise FileRejected(1, "not a Frame Streams file (no start frame)")
        yield number, frame


def _address(raw: bytes) -> str | None:
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if len(raw) == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)  # made canonical with every other address later
    return None


def _time(seconds: int, nanoseconds: int) -> float:
    return seconds + nanoseconds / 1e9


def _lookup(
    ctx: ParseContext, rows: ColumnBuilder, message: Any, number: int, frame: bytes, resolver: str | None
) -> None:
    """A query as a lookup by its sender; `resolver` names the server sending its own queries,
    the client where the message gives no address of it."""
    if not message.HasField("query_message"):
        ctx.skip("queries logged without their message")
        return
    question = dnsmessage.question(message.query_message)
    if question is None:
        ctx.reject("a query whose DNS message does not decode", frame[:200])
        return
    name, qtype, rd = question
    client = _address(message.query_address)
    if resolver is not None and (client is None or client in UNSPECIFIED):
        client = HOST_CLIENT + resolver
    rows.add_read_from(
        frame[:200],
        number,
        _time(message.query_time_sec, message.query_time_nsec),
        client=client,
        qname=name,
        qtype=qtype,
        server=_address(message.response_address),
        server_port=str(message.response_port) if message.HasField("response_port") else None,
        rd=rd,
        lookup=True,
    )


def _answers(ctx: ParseContext, rows: ColumnBuilder, message: Any, number: int, frame: bytes) -> None:
    ts = _time(message.response_time_sec, message.response_time_nsec)
    found = dnsmessage.answers(message.response_message)
    if found is None:
        ctx.reject("a response whose DNS message does not decode", frame[:200])
        return
    dnsmessage.add_answers(ctx, rows, found, ts, number, frame[:200])
