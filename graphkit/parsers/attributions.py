"""`graphkit load attributions`: an analyst's own knowledge of who is behind an address.

CSV lines `address_or_cidr,organization,role,note` (a header line naming the columns is
optional; `#` lines are comments). An address gives IPAddress -> ATTRIBUTED_TO ->
Organization, a CIDR gives Netblock -> ATTRIBUTED_TO; `role` says what the party does
there (resolver, mail server, scanner, ...) and is required, `note` is free text. The
file itself is the Source, so every attribution says which analyst file made it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers.registration import organization_node

HEADER_NAMES = {"address_or_cidr", "address", "cidr", "ip", "network"}
COLUMNS = "address_or_cidr,organization,role,note"


def _cells(text: str) -> list[str]:
    row = next(csv.reader([text], skipinitialspace=True), [])
    return [cell.strip() for cell in row]


class AttributionsParser:
    kind = "attributions"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        rows, header = 0, False
        with ctx.open() as stream:
            for raw in ctx.lines(stream):
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    ctx.reject(f"undecodable bytes at column {exc.start + 1}", raw)
                    continue
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                try:
                    cells = _cells(text)
                except csv.Error as exc:  # e.g. a field over the csv module's size limit
                    ctx.reject(f"not a CSV row ({exc})", raw)
                    continue
                if rows == 0 and not header and cells and cells[0].lower() in HEADER_NAMES:
                    header = True
                    continue
                rows += 1
                records = self._row(ctx, cells, raw)
                if records:
                    ctx.counts["attributions"] += 1
                    yield from records
        if rows == 0 and not header:
            raise FileRejected(None, f"no attribution lines ({COLUMNS})")

    @staticmethod
    def _row(ctx: ParseContext, cells: list[str], raw: bytes) -> list[Record]:
        if len(cells) < 3 or len(cells) > 4:
            ctx.reject(f"expected {COLUMNS} (3 or 4 columns), got {len(cells)}", raw)
            return []
        target, organization, role = cells[:3]
        note = cells[3] if len(cells) == 4 and cells[3] else None
        if not organization:
            ctx.reject("organization is empty", raw)
            return []
        if not role:
            ctx.reject("role is empty (say what the party does there: resolver, mail server, ...)", raw)
            return []
        try:
            if "/" in target:
                label, key = "Netblock", names.cidr(target)
            else:
                label, key = "IPAddress", names.ip(target)
            names.organization_key(organization)
        except names.InvalidName as exc:
            ctx.reject(str(exc), raw)
            return []
        records: list[Record] = []
        if label == "Netblock":
            records.append(NodeRecord("Netblock", key, {"version": 6 if ":" in key else 4}))
        records.append(organization_node(organization))
        props = {"role": role, "note": note} if note else {"role": role}
        records.append(EdgeRecord("ATTRIBUTED_TO", label, key, "Organization", organization, props))
        return records
