"""Load the 2016 case into a store through the real loaders, run the canned queries, and
gather what they found.

    backend = open_store(StoreOptions("case.lbdb"))
    load_case(backend, rejects_dir=Path("case.lbdb.rejects"))
    findings = investigate(backend)

The files are loaded with the same parsers and `Loader` as `graphkit load bind|pdns|whois|
prefixes|asnames|attributions`, in the order a person would: logs and DNS records first,
then registration, then routing (which matches the addresses already in the graph), then
the analyst's attributions. The questions are the catalogue's queries, named here with
their parameters, so every finding can be repeated with `graphkit query run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.analysis.algorithms import Settings
from graphkit.analysis.run import analyze
from graphkit.backends.base import Backend
from graphkit.demo import CASE_DIR
from graphkit.demo.make_case import DOMAIN, LOG_FILES, NAME, SUCCESSOR
from graphkit.errors import GraphkitError
from graphkit.ingest.context import Parser, RejectsFile
from graphkit.ingest.pipeline import Loader, LoadReport
from graphkit.parsers.attributions import AttributionsParser
from graphkit.parsers.bind import BindParser
from graphkit.parsers.pdns import PdnsParser
from graphkit.parsers.prefixes import AsNamesParser, PrefixesParser
from graphkit.parsers.whois import WhoisParser
from graphkit.query.catalogue import run_query

WHOIS_FILES = (f"whois-{DOMAIN}.txt", "whois-cdcservices.com.txt")
SUCCESSOR_DOMAIN = SUCCESSOR.split(".", 1)[1]
RARE_MAX_SOURCES, RARE_MIN_LOOKUPS = 10, 100  # "few resolvers, many lookups"


# -- loading ------------------------------------------------------------------------------------


def _addresses(backend: Backend) -> list[str]:
    return [row[0] for row in backend.query("MATCH (i:IPAddress) RETURN i.address ORDER BY i.address").rows]


def _asns(backend: Backend) -> set[int]:
    return {int(row[0]) for row in backend.query("MATCH (a:ASN) RETURN a.number").rows}


def load_steps(case_dir: Path = CASE_DIR) -> list[tuple[str, Callable[[Backend], Parser], list[Path]]]:
    """(graphkit load KIND, parser factory, files) in loading order. Factories take the store
    because the routing loaders match what is in the graph already, as the CLI's do."""
    return [
        ("bind", lambda _: BindParser(), [case_dir / name for name in LOG_FILES]),
        ("pdns", lambda _: PdnsParser(), [case_dir / "passive-dns.jsonl"]),
        ("whois", lambda _: WhoisParser(), [case_dir / name for name in WHOIS_FILES]),
        ("prefixes", lambda b: PrefixesParser(_addresses(b)), [case_dir / "prefixes.dat"]),
        ("asnames", lambda b: AsNamesParser(_asns(b)), [case_dir / "asnames.json"]),
        ("attributions", lambda _: AttributionsParser(), [case_dir / "attributions.csv"]),
    ]


def load_case(
    backend: Backend,
    *,
    rejects_dir: Path,
    case_dir: Path = CASE_DIR,
    on_file: Callable[[str, LoadReport], None] | None = None,
) -> list[LoadReport]:
    """Load every case file; GraphkitError if any line of it was rejected (the data is ours)."""
    backend.ensure_schema()
    reports = []
    rejects = RejectsFile(rejects_dir, "demo")
    try:
        for kind, make_parser, files in load_steps(case_dir):
            loader = Loader(backend, make_parser(backend), rejects=rejects)
            for path in files:
                report = loader.load(path)
                reports.append(report)
                if on_file:
                    on_file(kind, report)
                if report.rejected_whole or report.rejected:
                    raise GraphkitError(
                        f"the demo's own file {path.name} did not load cleanly "
                        f"({report.rejected_whole or f'{report.rejected} lines rejected'}; see {rejects.path})"
                    )
    finally:
        rejects.close()
    return reports


# -- asking -------------------------------------------------------------------------------------


@dataclass
class Ran:
    """One canned query as the demo ran it: repeatable with `graphkit query run`."""

    query: str
    params: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def command(self) -> str:
        parts = ["graphkit query run", self.query]
        for key, value in self.params.items():
            text = f"{key}={value}"
            parts.append(f"-p '{text}'" if " " in text else f"-p {text}")
        return " ".join(parts)


@dataclass
class Source:
    """One organization (or unattributed address) that looked the name up."""

    name: str
    kind: str  # organization or address
    lookups: int
    share: float
    clients: list[str]
    first_seen: str
    last_seen: str


@dataclass
class GraphPath:
    hops: int
    keys: list[str]
    labels: list[str]
    steps: list[str]

    def text(self) -> str:
        out = self.keys[0]
        for step, key in zip(self.steps, self.keys[1:], strict=True):
            out += f" {step} {key}"
        return out


@dataclass
class Community:
    """What `graphkit analyze communities` made of the clients (co-lookup projection)."""

    communities: int  # how many it found
    clients: int  # among how many clients
    number: int  # the community of the top source's first client
    members: list[str]
    shared_names: list[str]  # every name that ties a member to another member


@dataclass
class Findings:
    name: str
    domain: str
    total: int
    top_share: float
    top2_share: float
    hhi: float
    sources: list[Source]
    clients: list[Source]
    registrant: str | None
    admin: str | None
    nameserver_operator: str | None
    nameservers: list[str]
    mail_address: str | None
    mail_operator: str | None
    successor: dict[str, Any] | None  # the co-hosted successor name and when it was first seen
    neighbours: list[dict[str, Any]]  # other names in the same netblock
    record_last_seen: str | None  # the forward record of `name`
    ptr_last_seen: str | None  # the PTR that named it
    rare: list[dict[str, Any]]  # names with few clients and many lookups
    other_names: list[dict[str, Any]]  # the neighbours' lookups, for comparison: name, clients, total
    weekly: list[dict[str, Any]]  # bucket (Monday), source, kind, lookups
    paths: dict[str, list[GraphPath]]  # "A -> B" -> shortest paths
    community: Community | None = None  # the co-lookup community of the top source's first client
    ran: list[Ran] = field(default_factory=list)

    @property
    def top_two(self) -> list[Source]:
        return self.sources[:2]

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _run(backend: Backend, ran: list[Ran], name: str, params: Mapping[str, Any]) -> Ran:
    result = run_query(backend, name, params)
    done = Ran(name, dict(params), result.columns, result.rows)
    ran.append(done)
    return done


def _sources(rows: list[dict[str, Any]]) -> list[Source]:
    return [
        Source(r["source"], r["kind"], int(r["lookups"]), float(r["share"]), list(r["clients"] or []),
               str(r["first_seen"]), str(r["last_seen"]))
        for r in rows
    ]  # fmt: skip


def _paths(rows: list[dict[str, Any]], org_names: Mapping[str, str]) -> list[GraphPath]:
    """Paths with organizations shown by their display names rather than their keys."""
    found = []
    for r in rows:
        pairs = zip(r["keys"], r["labels"], strict=True)
        keys = [org_names.get(k, k) if label == "Organization" else str(k) for k, label in pairs]
        found.append(GraphPath(int(r["hops"]), keys, list(r["labels"]), list(r["steps"])))
    return found


def investigate(backend: Backend, name: str = NAME, domain: str = DOMAIN) -> Findings:
    """Run the key canned queries on a store holding the case, and gather the findings."""
    ran: list[Ran] = []
    # every share and total: the query's thresholds would hide a name whose lookups other
    # attributions in the store split among more sources
    everyone = {"domain": name, "min_total": 1, "min_share": 0.0}
    concentration = _run(backend, ran, "lookup-concentration", everyone).records()
    if not concentration:
        raise GraphkitError(f"no lookups of {name} in the store: load the case first")
    head = concentration[0]
    sources = _sources(_run(backend, ran, "lookup-sources", {"domain": name}).records())
    clients = _sources(_run(backend, ran, "lookup-sources", {"domain": name, "group_by": "client"}).records())

    split = _run(backend, ran, "registrant-vs-operator", {"domain": domain}).records()
    host_split = _run(backend, ran, "registrant-vs-operator", {"domain": name}).records()
    nameserver_rows = [r for r in split if r["role"] == "name server"]
    address_rows = [r for r in host_split if r["role"] == "address"]
    mail_address = address_rows[0]["via"][0] if address_rows and address_rows[0]["via"] else None

    cohosted = _run(backend, ran, "cohosted", {"target": mail_address}).records() if mail_address else []
    same_address = [r for r in cohosted if r["via"] == "address" and r["name"] != name]
    neighbours = [r for r in cohosted if r["via"] == "netblock"]

    changes = _run(backend, ran, "infrastructure-changes", {"domain": domain}).records()
    record_last = [
        r["at"] for r in changes if r["name"] == name and r["event"] == "last seen" and r["record"] == "A/AAAA"
    ]
    ptr_last = [r["at"] for r in changes if r["name"] == name and r["event"] == "last seen" and r["record"] == "PTR"]
    _run(backend, ran, "infrastructure-changes", {"domain": SUCCESSOR_DOMAIN})

    params = {"max_sources": RARE_MAX_SOURCES, "min_lookups": RARE_MIN_LOOKUPS}
    rare = _names(_run(backend, ran, "rare-names", params).records())
    everything = _names(_all_names(backend))  # the neighbours' client counts, for comparison
    neighbour_names = {r["name"] for r in neighbours}
    other_names = [r for r in everything if r["name"] in neighbour_names]

    weekly = _run(backend, ran, "lookup-timeline", {"domain": name, "bucket": "week"}).records()

    paths: dict[str, list[GraphPath]] = {}
    org_names = {k: n or k for k, n in backend.query("MATCH (o:Organization) RETURN o.key, o.name").rows}
    registrant = nameserver_rows[0]["registrant"] if nameserver_rows else (split[0]["registrant"] if split else None)
    mail_operator = address_rows[0]["operator"] if address_rows else None
    for source in [s for s in sources if s.kind == "organization"][:2]:
        if registrant:
            found = _run(backend, ran, "path-between", {"from": source.name, "to": registrant, "max_hops": 6})
            paths[f"{source.name} -> {registrant}"] = _paths(found.records(), org_names)
    if registrant and mail_operator:
        found = _run(backend, ran, "path-between", {"from": registrant, "to": mail_operator, "max_hops": 6})
        paths[f"{registrant} -> {mail_operator}"] = _paths(found.records(), org_names)

    community = _community(backend, ran, sources[0].clients[0]) if sources and sources[0].clients else None
    return Findings(
        name=name,
        domain=domain,
        total=int(head["total"]),
        top_share=float(head["top_share"]),
        top2_share=float(head["top2_share"]),
        hhi=float(head["hhi"]),
        sources=sources,
        clients=clients,
        registrant=registrant,
        admin=(split[0]["admin"] if split else None),
        nameserver_operator=nameserver_rows[0]["operator"] if nameserver_rows else None,
        nameservers=list(nameserver_rows[0]["via"]) if nameserver_rows else [],
        mail_address=mail_address,
        mail_operator=mail_operator,
        successor=same_address[0] if same_address else None,
        neighbours=neighbours,
        record_last_seen=record_last[0] if record_last else None,
        ptr_last_seen=ptr_last[0] if ptr_last else None,
        rare=rare,
        other_names=other_names,
        weekly=weekly,
        paths=paths,
        community=community,
        ran=ran,
    )


def _community(backend: Backend, ran: list[Ran], client: str) -> Community | None:
    """Communities of the clients by the names they looked up (written into the store, as
    `graphkit analyze communities` writes them), and the members of `client`'s."""
    outcome = analyze(backend, "communities", "co-lookup", Settings())
    members = _run(backend, ran, "community-members", {"key": client}).records()
    if not members:
        return None
    return Community(
        communities=len({values["community"] for values in outcome.results.values()}),
        clients=outcome.graph.node_count,
        number=int(members[0]["community"]),
        members=[str(m["member"]) for m in members],
        shared_names=sorted({name for m in members for name in m["shared_names"]}),
    )


def _all_names(backend: Backend) -> list[dict[str, Any]]:
    result = run_query(backend, "rare-names", {"max_sources": 1_000_000, "min_lookups": 1})
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """rare-names rows (one per client) -> one per name: name, clients, total."""
    names: dict[str, dict[str, Any]] = {}
    for row in rows:
        names.setdefault(row["name"], {"name": row["name"], "clients": int(row["sources"]), "total": int(row["total"])})
    return list(names.values())
