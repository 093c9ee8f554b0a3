"""Route 53 Resolver query logs (JSON lines), a block at a time, read by Arrow's JSON reader: the
fast path of graphkit.parsers.route53.

A block is only taken when Arrow's table means exactly what route53's line reader makes of the
lines: one object a line (no blank line, no CloudWatch time prefix), every field read of one
JSON type, every record with a query_name and a query_timestamp of the form
'YYYY-MM-DDTHH:MM:SS[.fff]Z'. Otherwise `take` returns False having done nothing, and the block
is read line by line (which then says which lines are bad and why).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.ingest.lookups.answers import joined_per_row
from graphkit.ingest.lookups.classify import ANSWER_TYPES
from graphkit.parsers.block_lines import epoch_seconds, json_rows

BLOCKED = "BLOCK"
OBSERVERS_NAMED = 10
INSTANCES_KEPT = 100_000  # distinct EC2 instances counted: memory stays bounded whatever the log names
STAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$"
_ANSWER = pa.struct([("Rdata", pa.string()), ("Type", pa.string())])
SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("region", pa.string()),
        ("vpc_id", pa.string()),
        ("query_timestamp", pa.string()),
        ("query_name", pa.string()),
        ("query_type", pa.string()),
        ("answers", pa.list_(_ANSWER)),
        ("srcaddr", pa.string()),
        ("srcids", pa.struct([("instance", pa.string())])),
        ("firewall_rule_action", pa.string()),
    ]
)
_OPTIONS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")


def take(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    block: bytes,
    first_line: int,
    resolvers: set[str],
    instances: set[str],
) -> bool:
    """Count the block's records and hand its lookups to the aggregator; False (nothing done)
    when the block must be read line by line."""
    table = json_rows(block, _OPTIONS)
    if table is None:
        return False
    column = {name: table.column(name).combine_chunks() for name in table.column_names}
    stamps = column["query_timestamp"]
    if column["query_name"].null_count or stamps.null_count:
        return False  # the line reader rejects these, naming the line
    if not pc.all(pc.match_substring_regex(stamps, STAMP)).as_py():
        return False
    ts = epoch_seconds(stamps)
    ctx.counts["lines read"] += table.num_rows
    action = column["firewall_rule_action"]
    for item in pc.value_counts(action).to_pylist():
        if item["values"] is not None:
            ctx.counts[f"DNS Firewall {item['values']}"] += item["counts"]
    blocked = pc.fill_null(pc.equal(action, BLOCKED), False)
    answers = column["answers"]
    hidden = pc.sum(pc.and_(blocked, pc.greater(pc.fill_null(pc.list_value_length(answers), 0), 0))).as_py()
    if hidden:
        ctx.skip("answers of queries the DNS Firewall blocked: not linked", hidden)
    aggregator.add(
        LookupColumns(
            ts=ts,
            client=column["srcaddr"],
            qname=column["query_name"],
            qtype=column["query_type"],
            answers=pc.if_else(blocked, pa.scalar(None, pa.string()), _chains(answers)),
            line_of=lambda row: first_line + row,
        )
    )
    _remember(column, resolvers, instances)
    return True


def _chains(answers: pa.ListArray) -> pa.Array:
    """Each record's A, AAAA and CNAME data in order, joined as the aggregator reads a chain (as
    route53._chain): without a final dot, leaving out empty data and data with a comma."""
    parent = pc.list_parent_indices(answers)
    flat = pc.list_flatten(answers)
    data = pc.utf8_rtrim(flat.field("Rdata"), characters=".")
    keep = pc.and_(
        pc.and_(pc.is_in(flat.field("Type"), value_set=pa.array(sorted(ANSWER_TYPES))), pc.is_valid(data)),
        pc.and_(pc.not_equal(data, ""), pc.invert(pc.match_substring(data, ","))),
    )
    keep = pc.fill_null(keep, False)
    return joined_per_row(pc.filter(parent, keep), pc.filter(data, keep), len(answers))


def _remember(column: dict[str, pa.Array], resolvers: set[str], instances: set[str]) -> None:
    """The resolvers (account/region/VPC) and EC2 instances that appear, as route53's reader keeps them."""
    if len(resolvers) <= OBSERVERS_NAMED:
        parts = pa.table({k: column[k] for k in ("account_id", "region", "vpc_id")}).group_by(
            ["account_id", "region", "vpc_id"], use_threads=False
        )
        for row in parts.aggregate([]).to_pylist():
            resolver = "/".join(row[k] or "?" for k in ("account_id", "region", "vpc_id"))
            if len(resolvers) <= OBSERVERS_NAMED:
                resolvers.add(f"route53-resolver:{resolver}")
    if len(instances) < INSTANCES_KEPT:
        instances.update(v for v in pc.unique(column["srcids"].field("instance")).to_pylist() if v is not None)
