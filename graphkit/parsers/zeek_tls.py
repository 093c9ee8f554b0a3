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

from graphkit.errors import GraphkitError
from graphkit.ingest import inputs
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import LookupOptions, unreadable_file_rejected
from graphkit.ingest.lookups.classify import unescape_hex
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers.certificates import Cert, epoch_instant, fingerprint_hex
from graphkit.parsers.tls_sessions import (
    CLIENT_KINDS,
    SERVER_KINDS,
    UNKNOWN_FILE_IDS,
    SeenCertificates,
    Session,
    TlsSessions,
)

SSL_FIELDS = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "server_name", "cert_chain_fps", "cert_chain_fuids")
X509_KEY_TYPES = {"rsa": "rsa", "ecdsa": "ecdsa", "dsa": "dsa"}


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


# -- reading Zeek logs --------------------------------------------------------------------------


@dataclass
class _Tsv:
    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    fields: list[str] = field(default_factory=list)


def zeek_rows(ctx: ParseContext, wanted: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, {field: value}) for each data line: TSV values as text (unset None, vectors as
    lists), JSON values as written. Only the `wanted` fields that the log has are kept."""
    with unreadable_file_rejected(ctx), ctx.open() as stream:
        header, is_json = _Tsv(), None
        for raw in ctx.lines(stream):
            if is_json is None and raw.strip():
                is_json = raw.lstrip()[:1] == b"{"
            if is_json:
                row = _json_row(ctx, raw, wanted)
            elif raw.startswith(b"#"):
                _header(ctx, header, raw)
                continue
            else:
                row = _tsv_row(ctx, header, raw, wanted)
            if row is not None:
                yield ctx.line or 0, row


def _json_row(ctx: ParseContext, raw: bytes, wanted: tuple[str, ...]) -> dict[str, Any] | None:
    if not raw.strip():
        return None
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        ctx.reject("not JSON", raw)
        return None
    if not isinstance(obj, dict):
        ctx.reject("not a JSON object", raw)
        return None
    return {name: obj[name] for name in wanted if obj.get(name) is not None}


def _header(ctx: ParseContext, header: _Tsv, raw: bytes) -> None:
    text = raw.rstrip(b"\r\n")
    if text.startswith(b"#separator"):
        header.separator = unescape_hex(text[len(b"#separator") :].strip(b" \t")).decode("utf-8", "replace") or "\t"
        return
    key, _, value = text[1:].decode("utf-8", "replace").partition(header.separator)
    if key == "set_separator" and value:
        header.set_separator = value
    elif key == "empty_field":
        header.empty = value
    elif key == "unset_field":
        header.unset = value
    elif key == "fields":
        header.fields = value.split(header.separator)


def _tsv_row(ctx: ParseContext, header: _Tsv, raw: bytes, wanted: tuple[str, ...]) -> dict[str, Any] | None:
    text = raw.rstrip(b"\r\n")
    if not text:
        return None
    if not header.fields:
        raise FileRejected(ctx.line, "a data line before any #fields header: not a Zeek log")
    try:
        values = text.decode("utf-8").split(header.separator)
    except UnicodeDecodeError:
        values = unescape_hex(text).decode("utf-8", "replace").split(header.separator)
    if len(values) != len(header.fields):
        ctx.reject(f"{len(values)} fields where #fields names {len(header.fields)}", raw)
        return None
    row: dict[str, Any] = {}
    for name, value in zip(header.fields, values):
        if name in wanted and value != header.unset:
            row[name] = value
    return row


def _vector(value: Any, header_sep: str = ",") -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    if value in ("(empty)", ""):
        return []
    return [v for v in str(value).split(header_sep) if v and v != "-"]


def _zeek_text(value: Any) -> str | None:
    """A Zeek string as written: \\xHH escapes and doubled backslashes undone."""
    if value is None or value == "":
        return None
    text = str(value)
    if "\\" not in text:
        return text
    return unescape_hex(text.replace("\\\\", "\\").encode("utf-8")).decode("utf-8", "replace")


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
        for line, row in zeek_rows(ctx, X509_FIELDS):
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

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        sessions = TlsSessions(ctx, self.options)
        unknown_file_ids = 0
        for line, row in zeek_rows(ctx, SSL_FIELDS + CLIENT_KINDS + SERVER_KINDS):
            ts = _float(row.get("ts"))
            if ts is None:
                ctx.reject(f"ts is not a time: {str(row.get('ts'))[:40]}", b"", line)
                continue
            chain, unknown = self._chain(row)
            unknown_file_ids += unknown
            prints = {kind: str(row[kind]) for kind in CLIENT_KINDS + SERVER_KINDS if row.get(kind)}
            server = _text(row.get("id.resp_h"))
            sni = _zeek_text(row.get("server_name"))
            client = _text(row.get("id.orig_h"))
            sessions.add(Session(line, ts, client, server, _port(row.get("id.resp_p")), sni, chain, prints))
        if not sessions.sessions:
            raise FileRejected(None, "no ssl.log lines")
        if unknown_file_ids:
            ctx.skip(UNKNOWN_FILE_IDS, unknown_file_ids)
        yield from sessions.records()

    def _chain(self, row: dict[str, Any]) -> tuple[tuple[str, ...], int]:
        """The chain's certificate keys; 1 if it was named by file ids the x509.log did not give."""
        fps = _vector(row.get("cert_chain_fps"))
        if fps:
            return tuple(fp for fp in (fingerprint_hex(v, 64) for v in fps) if fp), 0
        fuids = _vector(row.get("cert_chain_fuids"))
        found = []
        for fuid in fuids:  # a chain stops at the first certificate the x509.log does not give
            key = self.file_ids.keys.get(fuid)
            if key is None:
                break
            found.append(key)
        return tuple(found), int(bool(fuids) and not found)


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == "-":
        return None
    return str(value)


def _port(value: Any) -> int | None:
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    return port if 0 <= port <= 65535 else None


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
            return kind_of_fields(set(text.split("\t")[1:])) or "its #fields are of no Zeek log graphkit reads"
        if text.lstrip().startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                return "dns"
            if isinstance(obj, dict) and obj.get("_path") in ("dns", "ssl", "x509"):
                return str(obj["_path"])
            return kind_of_fields(set(obj) if isinstance(obj, dict) else set()) or "dns"
    return "dns"
