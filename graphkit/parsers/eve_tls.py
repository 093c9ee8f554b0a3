"""Suricata EVE `tls` events as TLS sessions (graphkit.parsers.tls_sessions).

The event is logged in the flow's direction: `src_ip` is the client, `dest_ip` and `dest_port`
the server. `tls` gives the server certificate's subject, issuer (`issuerdn`), serial, validity
and SHA-1 `fingerprint`, the SNI, and JA3/JA3S (objects with `hash`) and JA4 (text) when
Suricata computes them. Where Suricata is set to log the certificate itself (`certificate`,
and `chain`: base64 DER), the certificate is read whole: SHA-256, names, the chain.
Otherwise the certificate is keyed by its SHA-1, and named by its subject CN.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.context import ParseContext
from graphkit.parsers.block_lines import epoch_seconds
from graphkit.parsers.certificates import Cert, fingerprint_hex, instant
from graphkit.parsers.tls_sessions import Columns, Session, TlsSessions

PRINT_KINDS = ("ja3", "ja3s", "ja4", "ja4s")
EVENT_FIELDS = ("src_ip", "dest_ip", "dest_port")
_TEXT = pa.string()
_HASH = pa.struct([("hash", _TEXT)])
# what Arrow's reader takes of a tls event (eve_blocks); JA3 and JA3S as Suricata writes them, objects
BLOCK_TYPE = pa.struct(
    [
        *((name, _TEXT) for name in ("subject", "issuerdn", "serial", "fingerprint", "sni", "notbefore", "notafter")),
        ("ja3", _HASH),
        ("ja3s", _HASH),
        ("ja4", _TEXT),
        ("ja4s", _TEXT),
        ("certificate", _TEXT),
        ("chain", pa.list_(_TEXT)),
    ]
)


def add_event(ctx: ParseContext, sessions: TlsSessions, event: dict[str, Any], ts: float, line: int) -> None:
    tls = event.get("tls")
    if not isinstance(tls, dict):
        ctx.reject("a tls event without its tls object", b"", line)
        return
    chain = _chain(ctx, sessions, tls, ts, line)
    prints = {}
    for kind in PRINT_KINDS:
        value = tls.get(kind)
        value = value.get("hash") if isinstance(value, dict) else value
        if isinstance(value, str) and value:
            prints[kind] = value
    port = event.get("dest_port")
    sessions.add(
        Session(
            line,
            ts,
            _text(event.get("src_ip")),
            _text(event.get("dest_ip")),
            port if isinstance(port, int) and 0 <= port <= 65535 else None,
            _text(tls.get("sni")),
            chain,
            prints,
        )
    )


def _chain(ctx: ParseContext, sessions: TlsSessions, tls: dict[str, Any], ts: float, line: int) -> tuple[str, ...]:
    encoded = [tls["certificate"]] if isinstance(tls.get("certificate"), str) else []
    encoded += [c for c in tls.get("chain") or [] if isinstance(c, str)][1 if encoded else 0 :]
    if encoded:
        read = [_decoded(ctx, text, line) for text in encoded]
        if read and read[0] is not None:
            keys = []
            for cert in read:
                if cert is None:
                    break
                keys.append(sessions.certificates.add(cert, ts, line))
            return tuple(keys)
    sha1 = fingerprint_hex(_text(tls.get("fingerprint")), 40)
    if sha1 is None:
        return ()
    return (sessions.certificates.add(_described(sha1, tls), ts, line),)


def _decoded(ctx: ParseContext, text: str, line: int) -> Cert | None:
    from cryptography import x509

    from graphkit.parsers.certfiles import from_x509

    try:
        return from_x509(x509.load_der_x509_certificate(base64.b64decode(text, validate=True)))
    except (binascii.Error, ValueError) as exc:
        ctx.skip(f"certificates in tls events that are not readable DER ({str(exc)[:60]})")
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class Block:
    """The tls events of a block Arrow read (graphkit.parsers.eve_blocks), as columns: read
    here exactly as `add_event` reads each event (a test holds them to it)."""

    ts: pa.Array
    lines: pa.Array
    event: dict[str, pa.Array]  # src_ip, dest_ip, dest_port
    tls: pa.StructArray

    @classmethod
    def of(cls, table: pa.Table, kinds: pa.Array, first_line: int) -> Block | None | Literal[False]:
        """The block's tls events; None if it has none, False if it must be read line by line
        (a tls event without its object, a certificate logged whole, a time Arrow cannot read)."""
        is_tls = pc.equal(kinds, pa.scalar("tls"))
        if not pc.any(is_tls).as_py():
            return None
        if "tls" not in table.column_names:
            return False
        tls = pc.filter(table.column("tls"), is_tls).combine_chunks()
        if tls.null_count or pc.any(pc.is_valid(tls.field("certificate"))).as_py():
            return False
        if pc.any(pc.is_valid(tls.field("chain"))).as_py():
            return False
        stamps = pc.filter(table.column("timestamp"), is_tls)
        try:
            ts = epoch_seconds(stamps).combine_chunks()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return False
        if ts.null_count:
            return False
        lines = pc.add(pc.indices_nonzero(is_tls), pa.scalar(first_line, pa.uint64())).cast(pa.int64())
        event = {
            name: pc.filter(table.column(name), is_tls).combine_chunks() for name in ("src_ip", "dest_ip", "dest_port")
        }
        return cls(ts, lines, event, tls)

    def add_to(self, sessions: TlsSessions) -> None:
        tls = self.tls
        fingerprint = pc.utf8_lower(pc.replace_substring(tls.field("fingerprint"), ":", ""))
        sha1 = pc.if_else(
            pc.fill_null(pc.match_substring_regex(fingerprint, "^[0-9a-f]{40}$"), False), fingerprint, None
        )
        self._certificates(sessions, sha1)
        port = self.event["dest_port"]
        in_range = pc.fill_null(pc.and_(pc.greater_equal(port, 0), pc.less_equal(port, 65535)), False)
        prints = {
            kind: _given(tls.field(kind).field("hash") if kind in ("ja3", "ja3s") else tls.field(kind))
            for kind in PRINT_KINDS
        }
        sessions.add_columns(
            Columns(
                ts=self.ts,
                lines=self.lines,
                client=_given(self.event["src_ip"]),
                server=_given(self.event["dest_ip"]),
                port=pc.if_else(in_range, port, None),
                sni=_given(tls.field("sni")),
                chain=sha1,
                prints={kind: values for kind, values in prints.items() if values.null_count < len(values)},
            )
        )

    def _certificates(self, sessions: TlsSessions, sha1: pa.Array) -> None:
        """Each certificate once, described by its first event in the block."""
        rows = pa.table({"k": sha1, "i": pa.array(range(len(sha1)), pa.int64()), "ts": self.ts})
        firsts = (
            rows.filter(pc.is_valid(sha1))
            .group_by("k", use_threads=False)
            .aggregate([("i", "min"), ("ts", "min"), ("ts", "max")])
        )
        if not firsts.num_rows:
            return
        at = firsts.column("i_min")
        described = self.tls.take(at).to_pylist()
        lines = pc.take(self.lines, at).to_pylist()
        for key, event, line, first, last in zip(
            firsts.column("k").to_pylist(),
            described,
            lines,
            firsts.column("ts_min").to_pylist(),
            firsts.column("ts_max").to_pylist(),
        ):
            cert = _described(key, event)
            sessions.certificates.add(cert, first, line)
            sessions.certificates.add(cert, last, line)


def _described(sha1: str, tls: dict[str, Any]) -> Cert:
    return Cert(
        sha1=sha1,
        subject=_text(tls.get("subject")),
        issuer=_text(tls.get("issuerdn")),
        serial=_text(tls.get("serial")),
        not_before=instant(tls.get("notbefore")),
        not_after=instant(tls.get("notafter")),
    )


def _given(values: pa.Array) -> pa.Array:
    """Empty text as null, as `_text` reads one event."""
    return pc.if_else(pc.equal(values, ""), None, values)
