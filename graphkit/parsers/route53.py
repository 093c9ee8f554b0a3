"""`graphkit load route53`: AWS Route 53 Resolver query logs.

As delivered to S3 or Firehose, one JSON object a line; CloudWatch Logs exports put the
event's time before each object (`2021-02-04T17:51:55.000Z {...}`); a file holding one
pretty-printed object or a JSON array of them (as copied from the console or AWS's
documentation) is read whole. Each object is one query, by `srcaddr` (an address in the VPC):

    {"version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
     "vpc_id": "vpc-7example", "query_timestamp": "2021-02-04T17:51:55Z",
     "query_name": "example.com.", "query_type": "A", "rcode": "NOERROR",
     "answers": [{"Rdata": "192.0.2.44", "Type": "A", "Class": "IN"}], "srcaddr": "4.5.64.102",
     "srcport": "56067", "srcids": {"instance": "i-0d15cd0d3example"},
     "firewall_rule_action": "BLOCK", ...}

The answers (A, AAAA and CNAME, in the order given) are read as a chain from the question,
as Zeek's are. A query the DNS Firewall blocked got the firewall's own answer (NXDOMAIN,
NODATA or an override address), not the name's: it is still a lookup, but its answer is never
linked. Firewall actions are counted. The resolver that wrote the log (account, region, VPC)
is the Source's observer; the EC2 instances that asked are counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.ingest.lookups.classify import ANSWER_TYPES
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import route53_blocks
from graphkit.parsers.pdns_blocks import blocks

CLOUDWATCH_PREFIX = re.compile(rb"^\d{4}-\d\d-\d\dT[\d:.]+Z?\s+(?=\{)")
BLOCKED = route53_blocks.BLOCKED
OBSERVERS_NAMED = route53_blocks.OBSERVERS_NAMED
BLOCK_BYTES = 16 << 20


class Route53Parser:
    kind = "route53"

    def __init__(self, options: LookupOptions | None = None) -> None:
        self.options = options or LookupOptions()

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        reading = _Reading(ctx, rows)
        with unreadable_file_rejected(ctx):
            if _one_document(ctx):
                reading.document()
            else:
                reading.lines()
        rows.flush()
        if reading.instances:
            capped = len(reading.instances) >= route53_blocks.INSTANCES_KEPT
            ctx.counts["EC2 instances that asked" + (" (at least)" if capped else "")] = len(reading.instances)
        resolvers = sorted(reading.resolvers)
        observer = ",".join(resolvers) if 0 < len(resolvers) <= OBSERVERS_NAMED else None
        yield from finish(ctx, aggregator, self.options, default_client_side="stub", observer=observer)


class _Reading:
    def __init__(self, ctx: ParseContext, rows: ColumnBuilder) -> None:
        self.ctx, self.rows = ctx, rows
        self.resolvers: set[str] = set()
        self.instances: set[str] = set()

    def lines(self) -> None:
        """JSON lines: blocks Arrow reads exactly (route53_blocks), the rest a line at a time."""
        ctx = self.ctx
        with ctx.open() as stream:
            for first, block in blocks(stream, BLOCK_BYTES):
                if route53_blocks.take(ctx, self.rows.aggregator, block, first, self.resolvers, self.instances):
                    continue
                for number, raw in enumerate(block.split(b"\n")[:-1], first):
                    if number not in ctx.long_lines:
                        ctx.line = number
                        self.line(raw)
                ctx.tick()

    def line(self, raw: bytes) -> None:
        ctx = self.ctx
        ctx.counts["lines read"] += 1
        if not raw.strip():
            ctx.skip("blank line")
            return
        prefix = CLOUDWATCH_PREFIX.match(raw)
        try:
            query = json.loads(raw[prefix.end() :] if prefix else raw)
        except UnicodeDecodeError:
            ctx.reject("undecodable bytes", raw)
            return
        except (ValueError, RecursionError):
            ctx.reject("not a JSON object", raw)
            return
        self.query(query, ctx.line or 0, raw)

    def document(self) -> None:
        """A file that is one pretty-printed object, or an array of them."""
        ctx = self.ctx
        with ctx.open(line_limit=None, size_limit=bounded.DOCUMENT_LIMIT) as stream:
            text = stream.read()
        try:
            document = json.loads(text)
        except UnicodeDecodeError:
            raise FileRejected(None, "undecodable bytes: not UTF-8 JSON") from None
        except json.JSONDecodeError as exc:
            raise FileRejected(exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})") from None
        except RecursionError:
            raise FileRejected(None, "not JSON: nested too deeply") from None
        for index, query in enumerate(document if isinstance(document, list) else [document], 1):
            ctx.counts["queries read"] += 1
            self.query(query, None, f"query {index} of the document".encode())

    def query(self, query: Any, line: int | None, raw: bytes) -> None:
        ctx = self.ctx
        if not isinstance(query, dict) or "query_name" not in query:
            ctx.reject_row("not a Route 53 Resolver query log record (no query_name)", raw, line)
            return
        ts = _time(query.get("query_timestamp"))
        if isinstance(ts, str):
            ctx.reject_row(ts, raw, line)
            return
        action = query.get("firewall_rule_action")
        if isinstance(action, str):
            ctx.counts[f"DNS Firewall {action}"] += 1
        answers = None
        if action != BLOCKED:
            answers = _chain(query.get("answers"))
        elif query.get("answers"):
            ctx.skip("answers of queries the DNS Firewall blocked: not linked")
        self.rows.add(
            line or 0,
            ts,
            client=_text(query.get("srcaddr")),
            qname=_text(query.get("query_name")),
            qtype=_text(query.get("query_type")),
            answers=answers,
        )
        resolver = "/".join(str(query.get(k) or "?") for k in ("account_id", "region", "vpc_id"))
        if len(self.resolvers) <= OBSERVERS_NAMED:
            self.resolvers.add(f"route53-resolver:{resolver}")
        ids = query.get("srcids")
        kept = len(self.instances) < route53_blocks.INSTANCES_KEPT
        if kept and isinstance(ids, dict) and isinstance(ids.get("instance"), str):
            self.instances.add(ids["instance"])


def _one_document(ctx: ParseContext) -> bool:
    """Whether the file is one JSON document over several lines (its first line is no object)."""
    with ctx.open(line_limit=None, size_limit=None) as stream:
        head = stream.read(1 << 16)
    first = head.lstrip()[:1]
    if first == b"[":
        return True
    if first != b"{":
        return False
    line = head.lstrip().split(b"\n", 1)[0]
    try:
        return not isinstance(json.loads(line), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return True


def _chain(answers: Any) -> str | None:
    """The A, AAAA and CNAME answers' data in order, joined as the aggregator reads a chain."""
    if not isinstance(answers, list):
        return None
    data = [
        a["Rdata"].rstrip(".")
        for a in answers
        if isinstance(a, dict) and a.get("Type") in ANSWER_TYPES and isinstance(a.get("Rdata"), str)
    ]
    joined = ",".join(d for d in data if d and "," not in d)
    return joined or None


def _time(value: Any) -> float | str:
    if not isinstance(value, str):
        return "no query_timestamp" if value is None else f"bad query_timestamp {str(value)[:40]!r}"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"bad query_timestamp {value[:40]!r}"
    if moment.tzinfo is None:
        return f"query_timestamp without a zone {value[:40]!r}"
    return moment.timestamp()


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return value if isinstance(value, str) else str(value)
