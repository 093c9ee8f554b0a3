"""`graphkit load crtsh`: Certificate Transparency search results from crt.sh (`?output=json`).

Each entry is a certificate crt.sh knows (a precertificate and the certificate issued from it
are two entries, two ids): a Certificate keyed `crtsh:<id>` (crt.sh gives no fingerprint),
with its CT entry time, validity, issuer and serial, NAMES to its common name and the names of
`name_value` (one per line). A precertificate and its certificate share serial and issuer:
`issuer_serial` ties them, and ties them to the same certificate seen by Zeek or in a file.
The file may be the array crt.sh returns (read an entry at a time), or JSON lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model.records import Record
from graphkit.parsers import certificates, json_stream
from graphkit.parsers.certificates import Cert, instant


class CrtshParser:
    kind = "crtsh"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        entries = 0
        with ctx.open(line_limit=None) as stream:
            try:
                for item in json_stream.items(stream, bounded.DOCUMENT_LIMIT):
                    ctx.line = item.line
                    entries += 1
                    yield from self._entry(ctx, item)
            except json_stream.NotJson as exc:
                if not entries:
                    raise FileRejected(exc.line, exc.reason) from None
                ctx.reject(f"{exc.reason}: the rest of the file is not read", b"", exc.line)
        if not entries:
            raise FileRejected(None, "no crt.sh entries (expected the JSON array of ?output=json)")

    def _entry(self, ctx: ParseContext, item: json_stream.Item) -> list[Record]:
        entry = item.value
        if not isinstance(entry, dict):
            ctx.reject("not a crt.sh entry (a JSON object)", item.text)
            return []
        crtsh_id = entry.get("id")
        if not isinstance(crtsh_id, int) or isinstance(crtsh_id, bool) or crtsh_id <= 0:
            ctx.reject(f"no crt.sh id (got {str(crtsh_id)[:40]})", item.text)
            return []
        name_value = entry.get("name_value")
        common = entry.get("common_name")
        cert = Cert(
            crtsh_id=crtsh_id,
            issuer=entry.get("issuer_name") if isinstance(entry.get("issuer_name"), str) else None,
            serial=entry.get("serial_number") if isinstance(entry.get("serial_number"), str) else None,
            not_before=instant(entry.get("not_before")),
            not_after=instant(entry.get("not_after")),
            ct_entry=instant(entry.get("entry_timestamp")),
            cn=common if isinstance(common, str) else "",
            dns_names=[n.strip() for n in name_value.split("\n") if n.strip()] if isinstance(name_value, str) else [],
        )
        ctx.counts["crt.sh entries"] += 1
        return certificates.records(cert, ctx=ctx)
