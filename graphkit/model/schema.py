"""The graph model, declared once as data.

Everything else (Neo4j constraints, LadybugDB DDL, upsert statements, docs/schema.md,
record validation, the label check of canned queries) is generated from `SCHEMA`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property


class PropType(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STRING_LIST = "string[]"
    # An instant, as graphkit.model.times writes it ('2016-05-04T09:12:03Z'): that text in records,
    # query results and Neo4j; an Arrow timestamp in bulk tables (graphkit.model.tables); the
    # embedded store keeps a TIMESTAMP (8 bytes, not 20 of text).
    TIME = "time"


# The embedded store keeps a relationship's string[] properties as one text, the values joined
# with this (ASCII unit separator), which source ids may therefore not contain (records.validate).
LIST_SEPARATOR = "\x1f"


class Merge(StrEnum):
    """How a stored value combines with a newly written one (so writes are idempotent)."""

    SET = "set"  # the new value wins when it is not null
    FIRST = "first"  # the first non-null value is kept
    MIN = "min"  # the smaller value (times compare as their text)
    MAX = "max"
    UNION = "union"  # list union, order of first appearance


@dataclass(frozen=True)
class Prop:
    name: str
    type: PropType = PropType.STRING
    merge: Merge = Merge.SET
    doc: str = ""
    indexed: bool = False


@dataclass(frozen=True)
class NodeType:
    label: str
    key: Prop
    props: tuple[Prop, ...]
    doc: str

    @cached_property
    def props_by_name(self) -> dict[str, Prop]:
        return {p.name: p for p in self.props}


@dataclass(frozen=True)
class RelType:
    type: str
    endpoints: tuple[tuple[str, str], ...]  # allowed (from label, to label) pairs
    props: tuple[Prop, ...]
    doc: str
    identity: tuple[str, ...] = ()  # props that, with both endpoints, identify one edge
    # derived data: what graphkit computes from relationships of this type as a load writes them
    # (graphkit.ingest.rollups); no loader takes it as input, and exports of data leave it out
    derived_from: str | None = None

    @cached_property
    def props_by_name(self) -> dict[str, Prop]:
        return {p.name: p for p in self.props}

    @cached_property
    def list_props(self) -> frozenset[str]:
        """Names of its string[] properties (kept joined by the embedded store)."""
        return frozenset(p.name for p in self.props if p.type is PropType.STRING_LIST)


@dataclass(frozen=True)
class Schema:
    nodes: tuple[NodeType, ...]
    rels: tuple[RelType, ...]
    by_label: dict[str, NodeType] = field(init=False, repr=False, compare=False)
    by_type: dict[str, RelType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_label", {n.label: n for n in self.nodes})
        object.__setattr__(self, "by_type", {r.type: r for r in self.rels})
        for rel in self.rels:
            for src, dst in rel.endpoints:
                assert src in self.by_label and dst in self.by_label, rel.type
            for name in rel.identity:
                assert name in rel.props_by_name, (rel.type, name)
            assert rel.derived_from is None or rel.derived_from in self.by_type, rel.type

    @cached_property
    def rollups(self) -> dict[str, RelType]:
        """Relationship types that a load adds up per pair (daily lookups), each to its rollup type."""
        return {r.derived_from: r for r in self.rels if r.derived_from}

    @cached_property
    def derived(self) -> frozenset[str]:
        """Relationship types and `label.property` names that graphkit computes rather than loads."""
        return frozenset(
            [r.type for r in self.rels if r.derived_from]
            + [f"{n.label}.{p.name}" for n in self.nodes for p in n.props if p in ROLLUP_PROPS]
        )


S, I, F, B, L, T = (
    PropType.STRING,
    PropType.INT,
    PropType.FLOAT,
    PropType.BOOL,
    PropType.STRING_LIST,
    PropType.TIME,
)

# Provenance carried by every node and edge.
SOURCES = Prop("sources", L, Merge.UNION, "ids of the Source nodes that asserted it")
SEEN = (
    Prop("first_seen", T, Merge.MIN, "earliest time observed (ISO 8601, UTC)"),
    Prop("last_seen", T, Merge.MAX, "latest time observed (ISO 8601, UTC)"),
)

NODES = (
    NodeType(
        "Domain",
        Prop("name", doc="canonical DNS name: lowercase IDNA A-label, no trailing dot"),
        (
            Prop("registered_domain", doc="from the Public Suffix List", indexed=True),
            Prop("tld", doc="public suffix"),
            Prop("created", S, Merge.MIN, "registration date (WHOIS/RDAP)"),
            Prop("expires", S, Merge.MAX, "expiration date"),
            Prop("updated", S, Merge.MAX, "last changed"),
            Prop("status", L, Merge.UNION, "EPP/RDAP status values"),
            Prop("redacted_roles", L, Merge.UNION, "contact roles withheld by redaction or a privacy service"),
            Prop("privacy_service", doc="privacy/proxy service named in place of a contact"),
            SOURCES,
        ),
        "Any DNS name: registered domains, host names, name and mail servers.",
    ),
    NodeType(
        "IPAddress",
        Prop("address", doc="compressed IPv4/IPv6 text form"),
        (Prop("version", I, doc="4 or 6"), SOURCES),
        "An IP address seen in records, logs or registries.",
    ),
    NodeType(
        "Host",
        Prop("name", doc="computer name as the log gives it, lowercased (e.g. ws-17.corp.example)"),
        (SOURCES,),
        "A computer known by its name, not its address: the client of an endpoint's own lookups (Sysmon).",
    ),
    NodeType(
        "Netblock",
        Prop("cidr", doc="strict CIDR"),
        (
            Prop("name", doc="network name (RDAP/WHOIS netname)"),
            Prop("handle", doc="registry handle"),
            Prop("parent_handle"),
            Prop("country"),
            Prop("registry", doc="RIR or prefix table that reported it"),
            Prop("version", I),
            SOURCES,
        ),
        "An IP network: an RIR allocation or a BGP-announced prefix.",
    ),
    NodeType(
        "ASN",
        Prop("number", I, doc="autonomous system number"),
        (Prop("name"), Prop("handle"), Prop("country"), SOURCES),
        "An autonomous system.",
    ),
    NodeType(
        "Organization",
        Prop("key", doc="normalised name: case, punctuation and legal suffixes folded"),
        (
            Prop("name", S, Merge.FIRST, "display name: the first form seen"),
            Prop("aliases", L, Merge.UNION, "other spellings seen"),
            Prop("country"),
            SOURCES,
        ),
        "A company or other body: registrant, operator, network owner.",
    ),
    NodeType(
        "Email",
        Prop("address", doc="lowercased address"),
        (
            Prop("is_proxy", B, doc="true for a privacy relay (only older stores hold any); pivots skip them"),
            SOURCES,
        ),
        "A contact email address, the classic registrant pivot.",
    ),
    NodeType(
        "Registrar",
        Prop("key", doc="'iana:<id>' when the IANA id is known, else the normalised name"),
        (Prop("name", S, Merge.FIRST), Prop("iana_id", I), Prop("whois_server"), SOURCES),
        "A domain registrar.",
    ),
    NodeType(
        "Certificate",
        Prop(
            "fingerprint",
            doc="SHA-256 of the DER certificate, lowercase hex; else what the source identifies it by: "
            "SHA-1 hex (Suricata), 'crtsh:<id>' (crt.sh), 'x509:<digest>' (Zeek's older x509.log)",
        ),
        (
            Prop("sha256", doc="SHA-256 fingerprint, lowercase hex, where known"),
            Prop("sha1", doc="SHA-1 fingerprint, lowercase hex, where known", indexed=True),
            Prop(
                "issuer_serial",
                doc="serial (lowercase hex) '@' the issuer's canonical DN: what ties the same certificate across sources that give no fingerprint",
                indexed=True,
            ),
            Prop("subject", doc="subject DN as the source wrote it"),
            Prop("issuer", doc="issuer DN as the source wrote it"),
            Prop("serial", doc="serial number, lowercase hex without leading zeros"),
            Prop("not_before", doc="start of validity (ISO 8601, UTC; text: some certificates outlive year 2100)"),
            Prop("not_after", doc="end of validity (ISO 8601, UTC)"),
            Prop("key_alg", doc="public key algorithm (rsa, ec, ed25519, ...)"),
            Prop("key_length", I, doc="public key size in bits"),
            Prop("sig_alg", doc="signature algorithm"),
            Prop("self_signed", B, doc="subject equals issuer"),
            Prop("ca", B, doc="basicConstraints CA"),
            Prop("crtsh_id", I, doc="crt.sh id (Certificate Transparency)"),
            Prop("ct_entry", S, Merge.MIN, "earliest Certificate Transparency log entry time (crt.sh)"),
            *SEEN,
            SOURCES,
        ),
        "An X.509 certificate: presented by a server, logged in Certificate Transparency, or read from a file. "
        "The same certificate known by its SHA-1 only (Suricata) and by its SHA-256 elsewhere is two nodes sharing `sha1`, "
        "which the certificate queries take as one; sources with no fingerprint (crt.sh, older Zeek) are tied by "
        "`issuer_serial`, never merged on it (tools' default serials would join strangers' self-signed certificates).",
    ),
    NodeType(
        "Fingerprint",
        Prop("id", doc="'<kind>:<value>', e.g. 'ja3:771,...' hashes as lowercase hex"),
        (
            Prop("kind", doc="ja3, ja3s, ja4, ja4s, jarm or hassh"),
            Prop("value"),
            *SEEN,
            SOURCES,
        ),
        "A TLS (or SSH) client or server fingerprint: the same software on different machines.",
    ),
    NodeType(
        "Source",
        Prop("id", doc="'<kind>:<sha256 prefix>' for files; '<kind>:<run>' for collections"),
        (
            Prop("kind", doc="loader or collector kind (zone, zeek, rdap, ...)"),
            Prop("path", doc="file path or collection target"),
            Prop("sha256"),
            Prop("loaded_at", doc="when it was loaded (ISO 8601, UTC)"),
            Prop("observer", doc="the server or sensor that wrote the log"),
            Prop("client_side", doc="what the LOOKED_UP client is: resolver, stub, ..."),
            Prop("records", I, doc="records written"),
            Prop("rejects", I, doc="lines or records rejected"),
            Prop("summary", doc="load summary as JSON"),
        ),
        "One loaded file or collection run: the provenance every element points to.",
    ),
)

D, IP, HOST, NB, AS, ORG, EM, REG, CERT, FP = (
    "Domain",
    "IPAddress",
    "Host",
    "Netblock",
    "ASN",
    "Organization",
    "Email",
    "Registrar",
    "Certificate",
    "Fingerprint",
)
EDGE_PROVENANCE = (*SEEN, SOURCES)

RELS = (
    RelType(
        "RESOLVES_TO",
        ((D, IP),),
        (Prop("ttl", I), Prop("count", I, Merge.MAX, "passive DNS observation count"), *EDGE_PROVENANCE),
        "A/AAAA record.",
    ),
    RelType("ALIAS_OF", ((D, D),), (Prop("ttl", I), Prop("count", I, Merge.MAX), *EDGE_PROVENANCE), "CNAME record."),
    RelType(
        "USES_NAMESERVER",
        ((D, D),),
        (Prop("ttl", I), Prop("count", I, Merge.MAX), *EDGE_PROVENANCE),
        "NS record (or SOA primary, WHOIS/RDAP name servers).",
    ),
    RelType(
        "USES_MAIL_SERVER",
        ((D, D),),
        (Prop("preference", I), Prop("ttl", I), Prop("count", I, Merge.MAX), *EDGE_PROVENANCE),
        "MX record.",
    ),
    RelType(
        "USES_SERVICE_HOST",
        ((D, D),),
        (
            Prop("priority", I),
            Prop("weight", I),
            Prop("port", I),
            Prop("ttl", I),
            Prop("count", I, Merge.MAX),
            *EDGE_PROVENANCE,
        ),
        "SRV record: service name (_service._proto.name) to its target host.",
    ),
    RelType(
        "SPF_INCLUDES",
        ((D, D),),
        (Prop("mechanism", doc="include or redirect"), *EDGE_PROVENANCE),
        "SPF include: or redirect=.",
    ),
    RelType("SPF_ALLOWS", ((D, IP), (D, NB)), (*EDGE_PROVENANCE,), "SPF ip4:/ip6: mechanism."),
    RelType("SUBDOMAIN_OF", ((D, D),), (SOURCES,), "Every name to its registered domain."),
    RelType("POINTER_TO", ((IP, D),), (Prop("ttl", I), Prop("count", I, Merge.MAX), *EDGE_PROVENANCE), "PTR record."),
    RelType("IN_NETBLOCK", ((IP, NB),), (*EDGE_PROVENANCE,), "Address inside a network (longest match)."),
    RelType("ANNOUNCED_BY", ((NB, AS),), (*EDGE_PROVENANCE,), "Prefix originated by an AS."),
    RelType(
        "ALLOCATED_TO",
        ((NB, ORG),),
        (Prop("role", doc="RDAP entity role"), *EDGE_PROVENANCE),
        "Network registered to an organisation.",
        identity=("role",),
    ),
    RelType("OPERATED_BY", ((AS, ORG),), (*EDGE_PROVENANCE,), "AS operated by an organisation."),
    RelType(
        "REGISTERED_BY",
        ((D, ORG),),
        (Prop("contact_name"), Prop("country"), *EDGE_PROVENANCE),
        "Registrant organisation.",
    ),
    RelType(
        "ADMINISTERED_BY",
        ((D, ORG),),
        (Prop("contact_name"), Prop("country"), *EDGE_PROVENANCE),
        "Administrative contact organisation.",
    ),
    RelType(
        "TECHNICAL_CONTACT",
        ((D, ORG),),
        (Prop("contact_name"), Prop("country"), *EDGE_PROVENANCE),
        "Technical contact organisation.",
    ),
    RelType(
        "HAS_CONTACT_EMAIL",
        ((D, EM),),
        (Prop("role", doc="registrant, administrative, technical, abuse, soa"), *EDGE_PROVENANCE),
        "Contact email by role.",
        identity=("role",),
    ),
    RelType("REGISTERED_WITH", ((D, REG),), (*EDGE_PROVENANCE,), "Sponsoring registrar."),
    RelType(
        "LOOKED_UP",
        ((IP, D), (HOST, D)),
        (
            Prop("qtype", doc="query type, e.g. A"),
            Prop("day", doc="UTC day, YYYY-MM-DD"),  # no index: it slowed Neo4j edge writes several-fold
            Prop("source", doc="id of the Source (log file) that counted it"),
            Prop("count", I, doc="lookups that day in that source; SET, never added"),
            *SEEN,  # provenance is `source`, part of the identity
        ),
        "A client (a resolver or stub by address, or a host by name) looked the name up: counted per qtype, day and source.",
        identity=("qtype", "day", "source"),
    ),
    RelType(
        "LOOKED_UP_TOTAL",
        ((IP, D), (HOST, D)),
        (
            Prop("count", I, doc="lookups of the name by the client: every day, qtype and source"),
            Prop("days", I, doc="days on which it looked the name up"),
            Prop("daily", I, doc="LOOKED_UP relationships summed (one per qtype, day and source)"),
            Prop("first_seen", T, doc="earliest lookup logged with its time"),
            Prop("last_seen", T, doc="latest lookup logged with its time"),
            # days as text, not times: LadybugDB writes text longer than 12 bytes several times slower
            Prop("first_day", doc="earliest day of lookups logged without a time (daily counts)"),
            Prop("last_day", doc="latest day of lookups logged without a time"),
            Prop("qtypes", L, doc="query types, sorted"),
            Prop("sources", L, doc="ids of the Sources (log files) that counted them, sorted"),
        ),
        "Derived: a client's LOOKED_UP relationships to a name added up over days, qtypes and sources, "
        "so that questions without a time window need not re-sum them. graphkit recomputes it as a load writes "
        "the pairs' daily relationships.",
        derived_from="LOOKED_UP",
    ),
    RelType(
        "SIMILAR_TO",
        ((IP, IP), (IP, HOST), (HOST, IP), (HOST, HOST)),
        (
            Prop("score", F, doc="how alike the two clients' looked-up names are (the measure's value, 0 to 1)"),
            Prop("measure", doc="jaccard (shared / either's) or overlap (shared / the smaller's)"),
            Prop("shared", I, doc="how many names both looked up"),
            Prop("source", doc="id of the analysis Source of the `analyze similarity` run that found it"),
        ),
        "Written by `graphkit analyze similarity`: one of the clients most like this one by the names they look up "
        "(top k per client); a new run replaces the previous one's.",
        identity=("source",),
    ),
    RelType(
        "REQUESTED_TLS",
        ((IP, D), (HOST, D)),
        (
            Prop("day", doc="UTC day, YYYY-MM-DD"),
            Prop("source", doc="id of the Source (log file) that counted it"),
            Prop("count", I, doc="TLS sessions that day in that source naming it (SNI); SET, never added"),
            *SEEN,
        ),
        "A client opened TLS sessions naming the domain (SNI): counted per day and source, as LOOKED_UP is.",
        identity=("day", "source"),
    ),
    RelType(
        "NAMES",
        ((CERT, D),),
        (Prop("fields", L, Merge.UNION, "where the certificate names it: cn, san"), *EDGE_PROVENANCE),
        "A certificate covers the name (subject CN or SAN DNS name; wildcards as written).",
    ),
    RelType("NAMES_ADDRESS", ((CERT, IP),), (*EDGE_PROVENANCE,), "A certificate's SAN IP address."),
    RelType(
        "SERVED_CERT",
        ((IP, CERT),),
        (
            Prop("port", I),
            Prop("source", doc="id of the Source that counted it"),
            Prop("count", I, doc="TLS sessions in that source in which the server presented it"),
            *SEEN,
        ),
        "A server presented the certificate (first of its chain).",
        identity=("port", "source"),
    ),
    RelType("ISSUED_BY", ((CERT, CERT),), (*EDGE_PROVENANCE,), "The next certificate of a presented or stored chain."),
    RelType(
        "USED_FINGERPRINT",
        ((IP, FP),),
        (Prop("source"), Prop("count", I, doc="sessions in that source"), *SEEN),
        "A client's TLS fingerprint (JA3, JA4).",
        identity=("source",),
    ),
    RelType(
        "SERVED_FINGERPRINT",
        ((IP, FP),),
        (Prop("source"), Prop("count", I, doc="sessions in that source"), *SEEN),
        "A server's TLS fingerprint (JA3S, JA4S, JARM).",
        identity=("source",),
    ),
    RelType(
        "ATTRIBUTED_TO",
        ((IP, ORG), (NB, ORG)),
        (Prop("role", doc="resolver, mail server, scanner, ..."), Prop("note"), *EDGE_PROVENANCE),
        "Analyst-supplied attribution.",
        identity=("role",),
    ),
)

# What `graphkit analyze` (graphkit.analysis) writes on the nodes of the projection it ran on,
# each group with the id of the analysis Source that wrote it; a new run of the same analysis
# over a label replaces the group there (so nothing stale is left from an earlier run).
ANALYSIS = (
    Prop("community", I, doc="community number (Louvain) in the latest `analyze communities` run; 0 is the largest"),
    Prop("community_size", I, doc="how many nodes that community has"),
    Prop("community_source", doc="id of the analysis Source of that run"),
    Prop("pagerank", F, doc="weighted PageRank in the latest `analyze centrality` run"),
    Prop("betweenness", F, doc="betweenness centrality (sampled on large projections) in that run"),
    Prop("centrality_source", doc="id of the analysis Source of that run"),
    Prop("component", I, doc="connected component number in the latest `analyze components` run; 0 is the largest"),
    Prop("core", I, doc="k-core number (the largest k of a k-core holding the node) in that run"),
    Prop("component_source", doc="id of the analysis Source of that run"),
)
# The nodes analyses write on: the clients and domains the co-lookup and infrastructure
# projections are made of. Over `whole`, results on other labels are printed, not written: each
# column costs every COPY into the embedded store memory (backends/embedded.py, COPY_ROWS_AT_LEAST).
ANALYSED_LABELS = ("IPAddress", "Host", "Domain")

# Derived from the LOOKED_UP_TOTAL relationships, with them (graphkit.ingest.rollups): what a
# name's or a client's lookups add up to, so that whole-graph questions start from the nodes.
NAME_ROLLUP = (
    Prop("lookups", I, doc="derived: lookups of the name by every client (the sum of its LOOKED_UP_TOTAL counts)"),
    Prop("lookup_clients", I, doc="derived: how many clients looked it up"),
)
CLIENT_ROLLUP = (
    Prop("lookups_made", I, doc="derived: lookups this client made, of every name"),
    Prop("names_looked_up", I, doc="derived: how many names it looked up"),
)
ROLLUP_PROPS = NAME_ROLLUP + CLIENT_ROLLUP
ROLLUP_OF = {"Domain": NAME_ROLLUP, "IPAddress": CLIENT_ROLLUP, "Host": CLIENT_ROLLUP}


def _extended(node: NodeType) -> NodeType:
    extra = ROLLUP_OF.get(node.label, ()) + (ANALYSIS if node.label in ANALYSED_LABELS else ())
    return replace(node, props=node.props + extra) if extra else node


SCHEMA = Schema(tuple(_extended(n) for n in NODES), RELS)
