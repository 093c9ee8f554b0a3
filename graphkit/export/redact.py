"""--redact: emails and person names replaced with stable keyed hashes, for sharing.

What is personal data is declared here, from the schema's own property names:
- Email.address (the node's key) becomes `email-<hash>@redacted.invalid`;
- contact_name on the registration relationships (REGISTERED_BY, ADMINISTERED_BY,
  TECHNICAL_CONTACT: the person named for a role) becomes `person-<hash>`;
- any other text that holds an email address (an organisation spelled with one, a
  Source's path or summary) has each address replaced the same way.
Organisation names are not hashed: the loaders make Organizations only from organisation
fields, and a person's name goes to contact_name.

The hash is HMAC-SHA256 of the normalised value under a key (GRAPHKIT_REDACT_KEY or
--redact-key), first 12 hex digits: the same value gives the same hash in every export
made with the same key, so redacted exports still join up; without the key nobody can
test a guess. Without a key a fixed public one is used, and the CLI says so.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, cast

from graphkit.model.records import Key
from graphkit.model.schema import SCHEMA
from graphkit.query.subgraph import NodeRef, Subgraph

PUBLIC_KEY = b"graphkit-redact-v1"
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")


class Personal(Enum):
    EMAIL = "email"
    PERSON = "person"


# (label or relationship type, property) -> what it holds.
PERSONAL: dict[tuple[str, str], Personal] = {
    ("Email", "address"): Personal.EMAIL,
    **{(rel.type, "contact_name"): Personal.PERSON for rel in SCHEMA.rels if "contact_name" in rel.props_by_name},
}


class Redactor:
    def __init__(self, key: bytes | str | None = None) -> None:
        self.secret = key.encode() if isinstance(key, str) else (key or PUBLIC_KEY)

    def digest(self, kind: Personal, value: str) -> str:
        text = " ".join(value.split()).casefold()
        return hmac.new(self.secret, f"{kind.value}:{text}".encode(), hashlib.sha256).hexdigest()[:12]

    def email(self, address: str) -> str:
        return f"email-{self.digest(Personal.EMAIL, address)}@redacted.invalid"

    def person(self, name: str) -> str:
        return f"person-{self.digest(Personal.PERSON, name)}"

    def text(self, value: Any) -> Any:
        """Every email address inside a string (or a list of strings) replaced."""
        if isinstance(value, str):
            return EMAIL.sub(lambda m: self.email(m.group(0)), value)
        if isinstance(value, list):
            return [self.text(v) for v in value]
        return value

    def value(self, owner: str, prop: str, value: Any) -> Any:
        kind = PERSONAL.get((owner, prop))
        if kind is Personal.EMAIL and isinstance(value, str):
            return self.email(value)
        if kind is Personal.PERSON and isinstance(value, str):
            return self.person(value)
        return self.text(value)

    def props(self, owner: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self.value(owner, k, v) for k, v in props.items()}

    def key(self, label: str, key: Key) -> Key:
        return cast(Key, self.value(label, SCHEMA.by_label[label].key.name, key))

    def ref(self, ref: NodeRef) -> NodeRef:
        return (ref[0], self.key(*ref))

    def subgraph(self, graph: Subgraph) -> Subgraph:
        out = Subgraph()
        for (label, key), props in graph.nodes.items():
            out.add_node(label, self.key(label, key), self.props(label, props))
        for rel in graph.relationships:
            out.add_relationship(rel.type, self.ref(rel.start), self.ref(rel.end), self.props(rel.type, rel.props))
        out.notes = list(graph.notes)
        out.provenance = {k: self.props("Source", v) for k, v in graph.provenance.items()}
        return out
