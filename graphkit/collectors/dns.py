"""Live DNS collection: ask a name server about names, turn its answers into observations.

For each name: A, AAAA, CNAME, NS, MX, TXT and SOA; then PTR for every address found.
`follow` levels also resolve the NS, MX and CNAME targets found. Queries go straight to the
given name servers (or the system's) with recursion desired, so a recursive resolver and an
authoritative server both work; from an authoritative server a referral's NS records (and
their glue) are kept too, since they are the delegation.

The answers map through graphkit.parsers.dnsrecords, exactly as zone files and passive DNS
do. Every observation is stamped with its query time (first_seen = last_seen). No query
outcome is an error: NXDOMAIN, no answer, SERVFAIL and timeouts are counted per name.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver
import dns.rrset

from graphkit.errors import GraphkitError
from graphkit.model import names, times
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers import dnsrecords
from graphkit.parsers.dnsrecords import Seen

QUERY_TYPES = ("A", "AAAA", "CNAME", "NS", "MX", "TXT", "SOA")
FOLLOWED = ("ALIAS_OF", "USES_NAMESERVER", "USES_MAIL_SERVER")  # the edges whose targets --follow resolves
OUTCOMES = ("answered", "nxdomain", "noanswer", "servfail", "timeout", "unreachable", "other")
SOURCE_KIND = "dns-collect"


@dataclass
class DnsSettings:
    nameservers: list[str] = field(default_factory=list)  # empty: the system's resolvers
    port: int = 53
    timeout: float = 3.0  # seconds per attempt
    retries: int = 2  # further attempts after a timeout
    concurrency: int = 20  # queries in flight
    follow: int = 0  # levels of NS/MX/CNAME targets to resolve too

    def servers(self) -> list[str]:
        if self.nameservers:
            return [names.ip(server) for server in self.nameservers]
        try:
            found = [str(server) for server in dns.resolver.Resolver().nameservers]
        except dns.exception.DNSException as exc:
            raise GraphkitError(f"cannot read the system resolver configuration ({exc}): give --nameserver") from None
        if not found:
            raise GraphkitError("no system resolver configured: give --nameserver")
        return found


@dataclass
class NameReport:
    """What the queries for one name came to."""

    name: str
    level: int  # 0 for a given name, n for a target found n steps away; PTR names get their address's level
    queries: int = 0
    records: int = 0  # observations made from the answers
    outcomes: Counter[str] = field(default_factory=Counter)

    def row(self) -> list[Any]:
        return [self.name, self.level, self.queries, self.records, *(self.outcomes[o] for o in OUTCOMES)]


REPORT_COLUMNS = ["name", "level", "queries", "records", *OUTCOMES]


@dataclass
class Collection:
    targets: list[str]
    started: str
    observer: str
    records: list[Record] = field(default_factory=list)
    reports: dict[str, NameReport] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)  # parts of answers that map to nothing
    rejected: list[str] = field(default_factory=list)  # answers with names that cannot be keys
    _index: dict[tuple[Any, ...], EdgeRecord] = field(default_factory=dict, repr=False)

    def add(self, record: EdgeRecord) -> None:
        """Keep one record per observation: the same answer comes back in many replies."""
        props = {k: v for k, v in record.props.items() if k not in ("first_seen", "last_seen")}
        key = (record.type, record.from_key, record.to_key, json.dumps(props, sort_keys=True))
        kept = self._index.get(key)
        if kept is None:
            self._index[key] = record
            self.records.append(record)
        elif record.props.get("last_seen"):
            kept.props["last_seen"] = max(kept.props.get("last_seen") or "", record.props["last_seen"])

    @property
    def unanswered(self) -> int:
        """Queries that got no reply at all (timeouts, unreachable servers)."""
        return sum(r.outcomes["timeout"] + r.outcomes["unreachable"] for r in self.reports.values())

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for report in self.reports.values():
            total.update(report.outcomes)
            total["queries"] += report.queries
        return dict(sorted(total.items()))

    def source(self, path: str | None, settings: DnsSettings) -> NodeRecord:
        """The Source node of this run; it names itself, so a records file of the run adds no other."""
        digest = hashlib.sha256(
            json.dumps([self.targets, self.observer, settings.follow, self.started]).encode()
        ).hexdigest()
        run = f"{SOURCE_KIND}:{self.started.replace('-', '').replace(':', '')}-{digest[:8]}"
        summary = {
            "targets": self.targets,
            "follow": settings.follow,
            "outcomes": self.totals(),
            "skipped": dict(sorted(self.notes.items())),
            "rejected": len(self.rejected),
        }
        props = {
            "kind": SOURCE_KIND,
            "path": path or " ".join(self.targets),
            "loaded_at": self.started,
            "observer": self.observer,
            "records": len(self.records),
            "rejects": len(self.rejected),
            "summary": json.dumps(summary, sort_keys=True),
        }
        return NodeRecord("Source", run, props, source=run)


def collect(targets: list[str], settings: DnsSettings) -> Collection:
    """Resolve the targets (canonical names) and everything --follow reaches; never raises for
    what a server answers or fails to answer."""
    servers = settings.servers()
    observer = ", ".join(f"{s}:{settings.port}" if settings.port != 53 else s for s in servers)
    collection = Collection(targets, times.from_epoch(time.time()), observer)
    asyncio.run(_Run(collection, settings, servers).run())
    return collection


class _Run:
    def __init__(self, collection: Collection, settings: DnsSettings, servers: list[str]) -> None:
        self.collection, self.settings, self.servers = collection, settings, servers
        self.limit = asyncio.Semaphore(max(1, settings.concurrency))
        self.addresses: dict[str, int] = {}  # address -> level found at

    async def run(self) -> None:
        level, batch = 0, list(dict.fromkeys(self.collection.targets))
        while batch:
            for name in batch:
                self.collection.reports[name] = NameReport(name, level)
            targets: list[str] = []
            for chunk in self._chunks(batch):
                for found in await asyncio.gather(*(self._resolve(name, level) for name in chunk)):
                    targets += found
            level += 1
            batch = (
                [t for t in dict.fromkeys(targets) if t not in self.collection.reports]
                if level <= self.settings.follow
                else []
            )
        await self._reverse()

    async def _resolve(self, name: str, level: int) -> list[str]:
        """All query types for one name; returns the NS/MX/CNAME targets its answers named."""
        results = await asyncio.gather(*(self._query(name, rtype) for rtype in QUERY_TYPES))
        targets: list[str] = []
        for records in results:
            for record in records:
                if isinstance(record, EdgeRecord):
                    if record.type in FOLLOWED:
                        targets.append(str(record.to_key))
                    if record.type == "RESOLVES_TO":
                        self.addresses.setdefault(str(record.to_key), level)
        return targets

    async def _reverse(self) -> None:
        pending = {dnsrecords.reverse_name(a): level for a, level in self.addresses.items()}
        for name, level in pending.items():
            self.collection.reports.setdefault(name, NameReport(name, level))
        for chunk in self._chunks(list(pending)):
            await asyncio.gather(*(self._query(name, "PTR") for name in chunk))

    def _chunks(self, names_: list[str]) -> list[list[str]]:
        """Names in slices, so a long --input list does not make all its queries' tasks at once."""
        size = max(100, 10 * self.settings.concurrency)
        return [names_[i : i + size] for i in range(0, len(names_), size)]

    async def _query(self, name: str, rtype: str) -> list[Record]:
        report = self.collection.reports[name]
        report.queries += 1
        async with self.limit:
            when = times.from_epoch(time.time())
            response, failure = await self._exchange(dns.message.make_query(name, rtype))
        if response is None:
            report.outcomes[failure] += 1
            return []
        rrsets, outcome = _rrsets(response)
        report.outcomes[outcome] += 1
        records = self._observe(rrsets, when)
        report.records += len(records)
        return records

    async def _exchange(self, query: dns.message.Message) -> tuple[dns.message.Message | None, str]:
        """The reply, trying each server in turn up to 1 + retries times; else (None, why)."""
        failure = "timeout"
        for attempt in range(1 + max(0, self.settings.retries)):
            server = self.servers[attempt % len(self.servers)]
            try:
                response = await dns.asyncquery.udp(
                    query, server, timeout=self.settings.timeout, port=self.settings.port, ignore_unexpected=True
                )
                if response.flags & dns.flags.TC:
                    response = await dns.asyncquery.tcp(
                        query, server, timeout=self.settings.timeout, port=self.settings.port
                    )
                return response, ""
            except dns.exception.Timeout:
                failure = "timeout"
            except (OSError, EOFError):
                failure = "unreachable"
                await asyncio.sleep(min(self.settings.timeout, 0.2))  # a refused port answers at once; pace retries
            except dns.exception.DNSException:
                return None, "other"  # a malformed reply: asking again will not mend it
        return None, failure

    def _note(self, reason: str) -> None:
        self.collection.notes[reason] += 1

    def _observe(self, rrsets: list[dns.rrset.RRset], when: str) -> list[Record]:
        records: list[Record] = []
        for rrset in rrsets:
            owner = str(rrset.name.to_text(omit_final_dot=True))
            seen = Seen(ttl=int(rrset.ttl), first_seen=when, last_seen=when)
            for rdata in rrset:
                try:
                    records.extend(dnsrecords.observations(owner, rdata, seen, self._note))
                except names.InvalidName as exc:
                    self.collection.rejected.append(f"{owner} {dns.rdatatype.to_text(rdata.rdtype)}: {exc}")
        for record in records:
            if isinstance(record, EdgeRecord):
                self.collection.add(record)
        return records


def _rrsets(response: dns.message.Message) -> tuple[list[dns.rrset.RRset], str]:
    """The record sets a reply asserts, and the query's outcome."""
    rcode = response.rcode()
    answer = list(response.answer)
    if rcode == dns.rcode.NXDOMAIN:
        return answer, "nxdomain"  # a CNAME chain may lead to the missing name
    if rcode == dns.rcode.SERVFAIL:
        return [], "servfail"
    if rcode != dns.rcode.NOERROR:
        return [], "other"
    if answer:
        return answer, "answered"
    referral = [r for r in response.authority if r.rdtype == dns.rdatatype.NS]
    if referral and not response.flags & dns.flags.AA:
        servers = {rdata.target for r in referral for rdata in r}
        glue = [
            r for r in response.additional if r.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA) and r.name in servers
        ]
        return referral + glue, "answered"
    return [], "noanswer"
