"""A process killed right after it updated nodes it had just created leaves a store that opens.

LadybugDB 0.22 cannot replay a WAL in which rows a COPY created are then updated (opening the
store segfaults); the embedded backend checkpoints between the two. A real store, a real
SIGKILL, in a child process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from helpers import Store

CHILD = """
import os, signal, sys
import pyarrow as pa
from graphkit.backends.embedded import EmbeddedBackend
from graphkit.model import tables
from graphkit.model.schema import SCHEMA

netblock = SCHEMA.by_label["Netblock"]
backend = EmbeddedBackend(sys.argv[1])
backend.ensure_schema()
def write(rows):
    backend.write_nodes(netblock, tables.conform(tables.node_schema(netblock), pa.Table.from_pylist(rows)))
write([{"_k": "10.0.0.0/24", "sources": ["s"]}, {"_k": "10.0.1.0/24", "sources": ["s"]}])
write([{"_k": "10.0.0.0/24", "registry": "bgp", "version": 4, "sources": ["s"]}])  # an update
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_kill_after_updating_new_nodes_leaves_a_store_that_opens(tmp_path: Path) -> None:
    store = Store("embedded", str(tmp_path / "graph.lbdb"))
    child = subprocess.run([sys.executable, "-c", CHILD, store.location], capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    rows = store.query("MATCH (n:Netblock) RETURN n.cidr, n.registry, n.version ORDER BY n.cidr")
    assert rows == [["10.0.0.0/24", "bgp", 4], ["10.0.1.0/24", None, None]]
