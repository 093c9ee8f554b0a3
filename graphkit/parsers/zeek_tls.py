"""Zeek's ssl.log and x509.log (TSV or JSON lines; `graphkit load zeek` tells them from dns.log).

x509.log: one Certificate per certificate. Zeek 4+ logs its SHA-256 (`fingerprint`), the key;
older Zeek logs only the file id of each sighting (`id`), so the key is a digest of the fields
(graphkit.parsers.certificates) and the file ids are remembered for the ssl.log of the same load.

ssl.log, counted per file before any write (memory grows with distinct keys, not sessions):
- the server presented the first certificate of `cert_chain_fps` (Zeek 4+) or of
  `cert_chain_fuids` (older: found through the x509.log given in the same command): SERVED_CERT
  per server address, port and certificate, with the sessions counted; each next certificate of
  the chain ISSUED_BY;
- the name asked for (SNI, `server_name`): REQUESTED_TLS per client, name and day, counted as
  lookups are (graphkit.ingest.lookups.aggregator);
- client fingerprints (ja3, ja4) USED_FINGERPRINT, server ones (ja3s, ja4s) SERVED_FINGERPRINT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import GraphkitError
from graphkit.ingest import inputs
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import LookupOptions
from graphkit.ingest.observations import Observed
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers.certificates import Cert, epoch_instant, fingerprint_hex
from graphkit.parsers.tls_sessions import (
    CLIENT_KINDS,
    SERVER_KINDS,
    UNKNOWN_FILE_IDS,
    Columns,
    SeenCertificates,
    TlsSessions,
)
from graphkit.parsers.zeek_columns import zeek_rows

SSL_FIELDS = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "server_name", "cert_chain_fps", "cert_chain_fuids")
CHAINS_KEPT = 200_000  # distinct chains remembered per file (a server's chain repeats in every session)
SSL_JSON_TYPES = {
    "ts": pa.float64(),
    "id.resp_p": pa.int64(),
    "cert_chain_fps": pa.list_(pa.string()),
    "cert_chain_fuids": pa.list_(pa.string()),
}
X509_KEY_TYPES = {"rsa": "rsa", "ecdsa": "ecdsa", "dsa": "dsa"}
X509_JSON_TYPES = {
    "ts": pa.float64(),
    "certificate.not_valid_before": pa.float64(),
    "certificate.not_valid_after": pa.float64(),
    "certificate.key_length": pa.int64(),
    "san.dns": pa.list_(pa.string()),
    "san.ip": pa.list_(pa.string()),
    "basic_constraints.ca": pa.bool_(),
}


def kind_of_fields(fields: set[str]) -> str | None:
    """Which Zeek log a set of field names is: dns, ssl or x509."""
    if "certificate.serial" in fields:
        return "x509"
    if "server_name" in fields or "cert_chain_fps" in fields or "cert_chain_fuids" in fields:
        return "ssl"
    if "query" in fields and "id.orig_h" in fields:
        return "dns"
    return None


@dataclass
class FileIds:
    """Older Zeek: the x509.log file id of each sighting -> the certificate's key, for the ssl.log
    of the same load (kept for the whole command: x509 files are loaded first)."""

    keys: dict[str, str] = field(default_factory=dict)


def _vector(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    if value in ("(empty)", ""):
        return []
    return [v for v in str(value).split(",") if v and v != "-"]


def _zeek_text(value: Any) -> str | None:
    """A DN as Zeek writes it, its doubled backslashes undone (the reader undid its \\xHH escapes)."""
    if value is None or value == "":
        return None
    return str(value).replace("\\\\", "\\")


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"T": True, "F": False}.get(str(value)) if value is not None else None


# -- x509.log -----------------------------------------------------------------------------------

X509_FIELDS = (
    "ts",
    "id",
    "fingerprint",
    "certificate.serial",
    "certificate.subject",
    "certificate.issuer",
    "certificate.not_valid_before",
    "certificate.not_valid_after",
    "certificate.key_type",
    "certificate.key_length",
    "certificate.sig_alg",
    "san.dns",
    "san.ip",
    "basic_constraints.ca",
)


class ZeekX509Parser:
    kind = "zeek-x509"

    def __init__(self, file_ids: FileIds | None = None) -> None:
        self.file_ids = file_ids if file_ids is not None else FileIds()

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        certs = SeenCertificates()
        rows = 0
        for block in zeek_rows(ctx, X509_FIELDS, X509_JSON_TYPES):
            for line, row in zip(block.lines.to_pylist(), block.table.to_pylist()):
                rows += 1
                ts = _float(row.get("ts"))
                if ts is None:
                    ctx.reject(f"ts is not a time: {str(row.get('ts'))[:40]}", b"", line)
                    continue
                cert = _x509_cert(row)
                if row.get("fingerprint") is not None and cert.sha256 is None:
                    ctx.reject(f"fingerprint is not a SHA-256: {str(row['fingerprint'])[:80]}", b"", line)
                    continue
                key = certs.add(cert, ts, line)
                if row.get("id"):
                    self.file_ids.keys[str(row["id"])] = key
        if not rows:
            raise FileRejected(None, "no x509.log lines")
        ctx.counts["certificates"] = len(certs)
        ctx.counts["sightings"] = rows
        yield from certs.records(ctx)


def _x509_cert(row: dict[str, Any]) -> Cert:
    key_type = str(row.get("certificate.key_type") or "").lower()
    length = row.get("certificate.key_length")
    return Cert(
        sha256=fingerprint_hex(row.get("fingerprint"), 64),
        subject=_zeek_text(row.get("certificate.subject")),
        issuer=_zeek_text(row.get("certificate.issuer")),
        serial=row.get("certificate.serial"),
        not_before=_epoch_text(row.get("certificate.not_valid_before")),
        not_after=_epoch_text(row.get("certificate.not_valid_after")),
        key_alg=X509_KEY_TYPES.get(key_type, key_type or None),
        key_length=int(str(length)) if str(length or "").isdigit() else None,
        sig_alg=row.get("certificate.sig_alg"),
        ca=_bool(row.get("basic_constraints.ca")),
        dns_names=_vector(row.get("san.dns")),
        ip_names=_vector(row.get("san.ip")),
    )


def _epoch_text(value: Any) -> str | None:
    seconds = _float(value)
    return None if seconds is None else epoch_instant(seconds)


# -- ssl.log ------------------------------------------------------------------------------------


class ZeekSslParser:
    kind = "zeek-ssl"

    def __init__(self, options: LookupOptions | None = None, file_ids: FileIds | None = None) -> None:
        self.options = options or LookupOptions()
        self.file_ids = file_ids if file_ids is not None else FileIds()

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk | Observed]:
        sessions = TlsSessions(ctx, self.options)
        unknown_file_ids = rows = 0
        known: dict[str, str] = {}  # a chain as logged -> its certificate keys, for this file
        for block in zeek_rows(ctx, SSL_FIELDS + CLIENT_KINDS + SERVER_KINDS, SSL_JSON_TYPES):
            rows += block.table.num_rows
            table, lines = _timed(ctx, block.table, block.lines)
            chain, unknown = self._chains(table, known)
            unknown_file_ids += unknown
            sessions.add_columns(
                Columns(
                    ts=pc.cast(table.column("ts"), pa.float64()),
                    lines=lines,
                    client=table.column("id.orig_h"),
                    server=table.column("id.resp_h"),
                    port=_ports(table.column("id.resp_p")),
                    sni=table.column("server_name"),
                    chain=chain,
                    prints={kind: table.column(kind) for kind in CLIENT_KINDS + SERVER_KINDS},
                )
            )
        if not rows:
            raise FileRejected(None, "no ssl.log lines")
        if unknown_file_ids:
            ctx.skip(UNKNOWN_FILE_IDS, unknown_file_ids)
        yield from sessions.records()

    def _chains(self, table: pa.Table, known: dict[str, str]) -> tuple[pa.Array, int]:
        """Each session's chain as certificate keys joined by ',' (computed once per distinct
        chain), and how many sessions named certificates by file ids the x509.log did not give."""
        raw = pc.coalesce(table.column("cert_chain_fps"), table.column("cert_chain_fuids")).combine_chunks()
        distinct = pc.unique(raw)
        keys, unknown = [], set()
        if len(known) > CHAINS_KEPT:
            known.clear()
        for value in distinct.to_pylist():
            found = "" if value is None else known.get(value)
            if found is None:
                found = known[value] = self._chain(value)
            keys.append(found or None)
            if value is not None and not found and not _all_fingerprints(value):
                unknown.add(value)
        chain = pc.take(pa.array(keys, pa.string()), pc.index_in(raw, distinct))
        missing = 0
        if unknown:
            missing = pc.sum(pc.cast(pc.is_in(raw, pa.array(sorted(unknown), pa.string())), pa.int64())).as_py() or 0
        return chain, missing

    def _chain(self, value: str) -> str:
        items = [v for v in value.split(",") if v]
        if _all_fingerprints(value):
            return ",".join(fp for fp in (fingerprint_hex(v, 64) for v in items) if fp)
        found = []
        for fuid in items:  # a chain stops at the first certificate the x509.log does not give
            key = self.file_ids.keys.get(fuid)
            if key is None:
                break
            found.append(key)
        return ",".join(found)


def _all_fingerprints(value: str) -> bool:
    return all(fingerprint_hex(v, 64) is not None for v in value.split(",") if v)


_NUMBER = r"^[0-9]+(\.[0-9]+)?$"


def _timed(ctx: ParseContext, table: pa.Table, lines: pa.Array) -> tuple[pa.Table, pa.Array]:
    """The rows whose ts is a time; the others rejected with their line."""
    ts = table.column("ts")
    good = pc.fill_null(pc.match_substring_regex(ts, _NUMBER), False)
    if pc.all(good).as_py():
        return table, lines
    bad = pc.invert(good)
    for line, value in zip(pc.filter(lines, bad).to_pylist(), pc.filter(ts, bad).to_pylist()):
        ctx.reject(f"ts is not a time: {str(value)[:40]}", b"", line)
    return table.filter(good), pc.filter(lines, good)


def _ports(column: pa.ChunkedArray) -> pa.Array:
    numeric = pc.fill_null(pc.match_substring_regex(column, r"^[0-9]{1,5}$"), False)
    ports = pc.cast(pc.if_else(numeric, column, pa.scalar(None, pa.string())), pa.int64())
    return pc.if_else(pc.less_equal(ports, 65535), ports, pa.scalar(None, pa.int64()))


def zeek_log_kind(path: Path) -> str:
    """'dns', 'ssl' or 'x509', from the #path header or the field names; else why not."""
    if str(path) == "-":
        return "dns"  # standard input is read as before: a dns.log
    try:
        stream, raw = inputs.open_binary(path, on_corrupt=lambda reason: None, line_limit=None)
        with raw, stream:
            head = stream.read(1 << 16)
    except (GraphkitError, OSError):
        return "dns"  # the loader says what is wrong with it
    for line in head.split(b"\n")[:50]:
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if text.startswith("#path"):
            kind = text[len("#path") :].strip()
            known = kind in ("dns", "ssl", "x509")
            return kind if known else f"a Zeek {kind} log: graphkit reads dns, ssl and x509 logs"
        if text.startswith("#fields"):
            return kind_of_fields(set(text.split("\t")[1:])) or "dns"  # the dns.log reader says what it lacks
        if text.lstrip().startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                return "dns"
            if isinstance(obj, dict) and obj.get("_path") in ("dns", "ssl", "x509"):
                return str(obj["_path"])
            return kind_of_fields(set(obj) if isinstance(obj, dict) else set()) or "dns"
    return "dns"
