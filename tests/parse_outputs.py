"""What one parse of a log yields, in a form tests compare: each edge type's rows and the
endpoint nodes, sorted (their order does not matter); the rejects; the counts, skips named
'skipped <reason>'; and whether the whole file was rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphkit.ingest.context import FileRejected, ParseContext, Reject
from graphkit.model.tables import EdgeTable, NodeTable


def parse_outputs(parser: Any, path: Path) -> tuple[dict[str, Any], list[Reject], dict[str, int], bool]:
    rejects: list[Reject] = []
    ctx = ParseContext(path, "test:log", rejects.append)
    out: dict[str, Any] = {"nodes": []}
    try:
        for item in parser(ctx):
            if isinstance(item, EdgeTable):
                rows = zip(*(item.table.column(c).to_pylist() for c in item.table.column_names), strict=True)
                out[item.type] = sorted(rows, key=lambda r: tuple(str(v) for v in r))
            else:
                assert isinstance(item, NodeTable)  # log parsers yield bulk tables only
                out["nodes"] += [(item.label, key) for key in item.table.column("_k").to_pylist()]
    except FileRejected as exc:
        assert exc.reason
        return out, rejects, {}, True
    out["nodes"].sort()
    return out, rejects, {**ctx.counts, **{f"skipped {k}": v for k, v in ctx.skipped.items()}}, False
