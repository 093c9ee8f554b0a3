"""How the graph and STIX 2.1 name each other: one table for the export
(graphkit.export.stix) and the loader (graphkit.parsers.stix), so a bundle reads back as it
was written. docs/export.md has the table in prose."""

from __future__ import annotations

CUSTOM = "x_graphkit_"  # a graph property STIX has no field for travels as x_graphkit_<name>
# node property -> the STIX property holding it, per label (the key included); the STIX
# object type follows the label (see graphkit.export.stix); other labels have no STIX form
FIELDS: dict[str, dict[str, str]] = {
    "Domain": {"name": "value"},
    "IPAddress": {"address": "value"},
    "Netblock": {"cidr": "value"},
    "ASN": {"number": "number", "name": "name"},
    "Email": {"address": "value"},
    "Certificate": {
        "subject": "subject",
        "issuer": "issuer",
        "serial": "serial_number",
        "not_before": "validity_not_before",
        "not_after": "validity_not_after",
        "self_signed": "is_self_signed",
        "sig_alg": "signature_algorithm",
        "key_alg": "subject_public_key_algorithm",
    },
    "Organization": {"name": "name"},
    "Registrar": {"name": "name"},
}
HASHES = {"sha256": "SHA-256", "sha1": "SHA-1"}  # Certificate property -> x509-certificate hash
# relationships counted per client, name and day: one observed-data each
OBSERVED = ("LOOKED_UP", "REQUESTED_TLS")
# relationships also carried as a domain-name's resolves_to_refs
RESOLVES_TO_REFS = ("RESOLVES_TO", "ALIAS_OF")
# STIX's own relationship words; the other types are x-graphkit-<type>, the spec's style for
# types it has no word for
STIX_TYPES = {"RESOLVES_TO": "resolves-to"}
PREFIX = "x-graphkit-"


def relationship_type(rel_type: str) -> str:
    return STIX_TYPES.get(rel_type, PREFIX + rel_type.lower().replace("_", "-"))


def graph_type(stix_type: str) -> str | None:
    """The relationship type a STIX relationship_type names; None if it names none."""
    for rel_type, word in STIX_TYPES.items():
        if word == stix_type:
            return rel_type
    if stix_type.startswith(PREFIX):
        return stix_type.removeprefix(PREFIX).replace("-", "_").upper()
    return None
