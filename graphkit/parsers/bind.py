"""`graphkit load bind`: BIND 9.9-9.18 query-log lines.

    04-May-2016 09:12:03.123 queries: info: client @0x7f1c2c0a8e10 217.12.96.15#53211 (mail1.trump-email.com):
        query: mail1.trump-email.com IN A -E(0)K (66.216.133.1)

(one line in the log).

The timestamp (`print-time`), category and severity are optional, as are the `@0x...`
client object (9.10+), the `(name)` echo (9.10+) and the `view NAME:` part. The address
in parentheses at the end is the server's own address that received the query: the
observer of the Source.

Times: BIND writes its local time without a zone (`dd-Mon-YYYY HH:MM:SS.mmm`); it is read
as UTC unless --tz names the server's zone. ISO 8601 stamps (`print-time iso8601`, 9.17+)
keep their own offset. A syslog prefix (`May  4 09:12:03 host named[123]:`) has no year:
--year supplies it. A line with no time at all is rejected ("no timestamp") unless --date
gives its day; such lookups then have a day but no first/last seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.model.records import Record
from graphkit.model.tables import Bulk

MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
BIND_TIME = r"(?P<bind>\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d+)?)"
ISO_TIME = r"(?P<iso>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
SYSLOG = r"(?P<syslog>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) \S+ [\w.-]+(?:\[\d+\])?:"
LINE = re.compile(
    rf"^(?:(?:{BIND_TIME}|{ISO_TIME}|{SYSLOG})\s+)?"
    r"(?:(?:queries|query-errors|client|default|general):\s+)?"
    r"(?:(?:info|notice|debug(?: \d+)?|warning|error|critical|dynamic):\s+)?"
    r"client (?:@0x[0-9a-fA-F]+ )?(?P<client>[0-9A-Fa-f:.]+(?:%[\w.-]+)?)#(?P<port>\d+)"
    r"(?: \((?P<echo>[^)]*)\))?: (?:view (?P<view>[^:]*): )?"
    r"query: (?P<qname>\S+) (?P<qclass>\S+) (?P<qtype>\S+) (?P<flags>[-+]\S*)"
    r"(?: \((?P<server>[^)]*)\))?\s*$"
)
QUERY_LIKE = re.compile(r"\bquery: ")
CLIENT_MESSAGE = re.compile(r"\bclient\b")


def parse_zone(text: str | None) -> tzinfo:
    """'UTC', '+03:00' / '-0500', or an IANA name such as 'Europe/Moscow'."""
    if not text or text.upper() in ("UTC", "Z"):
        return UTC
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {text!r} (use UTC, +HH:MM or a name like Europe/Moscow)") from None


class BindParser:
    kind = "bind"

    def __init__(
        self,
        options: LookupOptions | None = None,
        *,
        zone: tzinfo = UTC,
        year: int | None = None,
        day: date | None = None,
    ) -> None:
        self.options = options or LookupOptions()
        self.zone, self.year, self.day = zone, year, day
        self._minutes: dict[str, float] = {}  # 'dd-Mon-YYYY HH:MM' -> epoch seconds, a cache

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        default_day = (self.day - date(1970, 1, 1)).days if self.day else None
        batcher = ColumnBuilder(aggregator, binary=False, zeek_escapes=False, default_day=default_day)
        with unreadable_file_rejected(ctx), ctx.open() as stream:
            for raw in ctx.lines(stream):
                line = ctx.line or 0
                ctx.counts["lines read"] += 1
                if not raw.strip():
                    ctx.skip("blank line")
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    ctx.reject(f"undecodable bytes at column {exc.start + 1}", raw)
                    continue
                match = LINE.match(text)
                if match is None:
                    if not QUERY_LIKE.search(text) and CLIENT_MESSAGE.search(text):
                        ctx.skip("other client message")  # e.g. 'query (cache) ... denied'
                    else:
                        ctx.reject("not a BIND query-log line", raw)
                    continue
                ts = self._time(match)
                if isinstance(ts, str):
                    ctx.reject(ts, raw)
                    continue
                batcher.add(
                    line,
                    ts,
                    client=match["client"],
                    qname=_unescape_bind(match["qname"]),
                    qtype=match["qtype"],
                    server=match["server"],
                    rd=_recursion(match["flags"]),
                )
        batcher.flush()
        servers = aggregator.server_addresses()
        observer = ",".join(servers) if 0 < len(servers) <= 10 else None
        yield from finish(ctx, aggregator, self.options, default_client_side=None, observer=observer)

    def _time(self, match: re.Match[str]) -> float | None | str:
        """Seconds since the epoch; None for a line without a time (with --date); or a reject reason."""
        if match["bind"]:
            return self._bind_time(match["bind"])
        if match["iso"]:
            text = match["iso"].replace("Z", "+00:00")
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return f"bad timestamp {match['iso']!r}"
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.zone)
            return moment.timestamp()
        if match["syslog"]:
            if self.year is None:
                return "syslog timestamp without a year (give --year)"
            return self._bind_time(_syslog_as_bind(match["syslog"], self.year))
        if self.day is None:
            return "no timestamp (give --date for a log written without print-time)"
        return None

    def _bind_time(self, text: str) -> float | str:
        stamp, _, fraction = text.partition(".")
        minute, _, second = stamp.rpartition(":")
        base = self._minutes.get(minute)
        if base is None:
            try:
                day, month, year = minute.split(" ")[0].split("-")
                hour, mins = minute.split(" ")[1].split(":")
                moment = datetime(int(year), MONTHS[month.lower()], int(day), int(hour), int(mins), tzinfo=self.zone)
            except (KeyError, ValueError):
                return f"bad timestamp {text!r}"
            base = self._minutes[minute] = moment.timestamp()
        seconds = int(second)
        if seconds > 60:
            return f"bad timestamp {text!r}"
        return base + seconds + (float("0." + fraction) if fraction else 0.0)


def _syslog_as_bind(stamp: str, year: int) -> str:
    month, day, clock = stamp.split()
    return f"{int(day):02d}-{month}-{year} {clock}"


def _recursion(flags: str) -> str:
    """'+' opens the flags of a query that asked for recursion (a stub's), '-' one that did not."""
    return "T" if flags.startswith("+") else "F"


DECIMAL_ESCAPE = re.compile(r"\\(\d{3})")


def _unescape_bind(name: str) -> str:
    r"""BIND prints names in presentation form: \DDD and \X escapes. Escaped dots stay escaped
    (they are not label separators), so such names are later found not to be host names."""
    if "\\" not in name:
        return name
    return DECIMAL_ESCAPE.sub(lambda m: chr(int(m.group(1))) if int(m.group(1)) != 46 else m.group(0), name)
