"""Which log a file is, from its first bytes and lines (`graphkit load log`): a lookup log, or
Zeek's ssl.log or x509.log (read by `load zeek`).

Binary formats are told by their magic bytes; text formats by their first non-blank lines,
each of which must fit the format (a file whose first lines fit none, or fit two, is not
guessed at: the user names the kind). gzip is looked through.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from graphkit.errors import GraphkitError
from graphkit.ingest import inputs
from graphkit.parsers import bind, csvlog, dnsmasq, route53, windns, winevents, zeek_tls

HEAD_BYTES = 1 << 16
LINES_LOOKED_AT = 5
FSTRM_CONTROL = b"\x00\x00\x00\x00"  # Frame Streams: a control frame first
ZEEK_PATH = re.compile(rb"^#path\t(\S+)", re.MULTILINE)
UMBRELLA_LINE = re.compile(r'"(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d","[^"]*","[^"]*","[\d.:a-fA-F]*"|Timestamp"),')
EVENT_ID = re.compile(rb'"EventI[Dd]"|"event_id"|"Id"\s*:|<EventID')  # what every Windows event export names
SYSMON = "Microsoft-Windows-Sysmon"
DNS_SERVER = "Microsoft-Windows-DNSServer"


@dataclass(frozen=True)
class Detected:
    kind: str | None  # a `graphkit load` kind, or None: not told apart
    why: str  # what the file looked like, or why it was not told apart
    unsupported: bool = False  # told apart, as a format graphkit does not read


def detect(path: Path) -> Detected:
    try:
        stream, raw = inputs.open_binary(path, on_corrupt=lambda reason: None, line_limit=None)
    except GraphkitError as exc:
        return Detected(None, str(exc))
    with raw, stream:
        try:
            head = stream.read(HEAD_BYTES)
        except OSError as exc:
            return Detected(None, f"cannot read it ({exc})")
    windows = _windows_events(head)
    if windows is not None:
        return windows
    if head.startswith(FSTRM_CONTROL) and b"dnstap" in head[:64]:
        return Detected("dnstap", "dnstap (Frame Streams)")
    zeek_path = ZEEK_PATH.search(head)
    if zeek_path and zeek_path[1] in (b"ssl", b"x509"):
        return Detected("zeek", f"Zeek {zeek_path[1].decode()}.log")
    if zeek_path and zeek_path[1] != b"dns":
        what = zeek_path[1].decode("ascii", "replace")
        return Detected(None, f"a Zeek {what} log: graphkit reads Zeek's dns, ssl and x509 logs", unsupported=True)
    lines = [line for line in head.split(b"\n")[:-1] if line.strip()][:LINES_LOOKED_AT] or [head]
    text = [line.decode("utf-8", "replace").rstrip("\r") for line in lines]
    tls = _zeek_tls_json(text)
    if tls:
        return Detected("zeek", f"Zeek {tls}.log (JSON lines)")
    found = [(kind, why) for kind, why, fits in _TEXT_FORMATS if fits(text)]
    if len(found) == 1:
        return Detected(*found[0])
    if not found and _json_document(head):
        return Detected("route53", "AWS Route 53 Resolver query log (one JSON document)")
    kinds = " and ".join(kind for kind, _ in found)
    return Detected(
        None, f"its first lines fit {kinds}" if found else "its first lines fit no log format graphkit knows"
    )


def _windows_events(head: bytes) -> Detected | None:
    """Windows events (EVTX, or JSON/XML exports) by the provider they name: Sysmon or the DNS
    Server (an EVTX file holds the names in UTF-16); the DNS Server's text debug log."""
    evtx = head.startswith(winevents.EVTX_MAGIC)
    form = "EVTX" if evtx else "export"
    if not evtx and not (head.lstrip()[:1] in (b"{", b"[", b"<") and EVENT_ID.search(head)):
        return Detected("windns", "Windows DNS Server debug log") if windns.looks_like_debug_log(head) else None
    for provider, kind, what in ((SYSMON, "sysmon", "Sysmon events"), (DNS_SERVER, "windns", "DNS Server events")):
        if provider.encode("utf-16-le" if evtx else "ascii") in head:
            return Detected(kind, f"Windows {what} ({form})")
    if evtx:
        return Detected(None, "a Windows event log (EVTX) of neither Sysmon nor the DNS Server", unsupported=True)
    return None


def _json(text: str) -> dict[str, object] | None:
    try:
        value = json.loads(route53.CLOUDWATCH_PREFIX.sub(b"", text.encode()))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _zeek_tsv(lines: list[str]) -> bool:
    return lines[0].startswith(("#separator", "#fields"))


def _zeek_json(lines: list[str]) -> bool:
    return all((v := _json(t)) is not None and "id.orig_h" in v and "query" in v for t in lines)


def _zeek_tls_json(lines: list[str]) -> str | None:
    """'ssl' or 'x509' when every line is a Zeek ssl.log or x509.log record in JSON."""
    kinds = set()
    for text in lines:
        value = _json(text)
        if value is None:
            return None
        kinds.add(zeek_tls.kind_of_fields(set(value)))
    found = kinds.pop() if len(kinds) == 1 else None
    return found if found in ("ssl", "x509") else None


def _eve(lines: list[str]) -> bool:
    return all((v := _json(t)) is not None and "event_type" in v and "timestamp" in v for t in lines)


def _route53(lines: list[str]) -> bool:
    return all((v := _json(t)) is not None and "query_name" in v and "srcaddr" in v for t in lines)


def _bind(lines: list[str]) -> bool:
    return all(bind.LINE.match(t) is not None for t in lines)


def _dnsmasq(lines: list[str]) -> bool:
    return all(dnsmasq.LINE.fullmatch(t) is not None for t in lines)


def _csv(lines: list[str]) -> bool:
    """A header naming a time, a client and a name column, as `csv-log` finds them."""
    delimiter = next((d for d in csvlog.DELIMITERS if d in lines[0]), ",")
    try:
        header = {name.strip().lower() for name in next(csv.reader([lines[0]], delimiter=delimiter))}
    except (csv.Error, StopIteration):
        return False
    return all(any(name in header for name in csvlog.KNOWN_HEADERS[role]) for role in csvlog.REQUIRED)


def _umbrella(lines: list[str]) -> bool:
    """Quoted CSV whose first field is a 'YYYY-MM-DD HH:MM:SS' stamp (or the optional header)."""
    return all(UMBRELLA_LINE.match(t) for t in lines)


def _json_document(head: bytes) -> bool:
    """A pretty-printed JSON object or array whose head names Route 53's fields."""
    start = head.lstrip()[:1]
    return start in (b"{", b"[") and b'"query_name"' in head and b'"srcaddr"' in head


_TEXT_FORMATS = [
    ("zeek", "Zeek dns.log (TSV)", _zeek_tsv),
    ("zeek", "Zeek dns.log (JSON lines)", _zeek_json),
    ("eve", "Suricata EVE JSON", _eve),
    ("route53", "AWS Route 53 Resolver query log", _route53),
    ("bind", "BIND query log", _bind),
    ("dnsmasq", "dnsmasq log", _dnsmasq),
    ("umbrella", "Cisco Umbrella DNS log", _umbrella),
    ("csv-log", "a lookup log in CSV with a header graphkit knows", _csv),
]
