"""What the block readers (`*_blocks`) share: a block of whole lines as Arrow reads it, and the
line each row came from."""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

PIECE_BYTES = 4 << 20  # Arrow parses a block in pieces of this size, on every core


def json_rows(block: bytes, options: pj.ParseOptions) -> pa.Table | None:
    """One row per line, or None when Arrow cannot read the block so (a line that is no object
    fails it, a blank line leaves it a row short)."""
    if not block.startswith(b"{"):
        return None
    try:
        table = pj.read_json(io.BytesIO(block), pj.ReadOptions(use_threads=True, block_size=PIECE_BYTES), options)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return table if table.num_rows == block.count(b"\n") else None


def text_lines(block: bytes) -> pa.Array | None:
    r"""The block's lines as text (a final carriage return taken off), or None unless it is ASCII:
    Arrow's patterns (RE2) read \d, \s and \w as ASCII, Python's as Unicode, so only ASCII lines
    match alike."""
    if not block.isascii():
        return None
    text = block[:-1].decode("ascii")
    return pc.utf8_rtrim(pc.list_flatten(pc.split_pattern(pa.array([text], pa.large_string()), "\n")), "\r")


def line_numbers(rows: pa.Array, first_line: int) -> Callable[[int], int]:
    """Row -> line number, for rows taken from the block's lines by index (`rows`); asked only for
    rejected rows, so nothing is converted until then."""
    return lambda row: first_line + int(rows[row].as_py())


def epoch_seconds(stamps: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """ISO 8601 stamps (an offset or Z) as float seconds since the epoch, to the microsecond;
    ArrowInvalid when one is not such a stamp."""
    return pc.divide(pc.cast(pc.cast(stamps, pa.timestamp("us", "UTC")), pa.int64()), 1e6)
