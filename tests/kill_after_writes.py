"""Run the graphkit command, SIGKILLed after the Nth store write of any one GraphWriter (one
writer per loaded file): `python tests/kill_after_writes.py N load KIND FILES...`. The kill comes
from the process itself, so the crash tests' kill points are exact and repeatable."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from graphkit.backends.base import Backend
from graphkit.cli.app import main
from graphkit.ingest.writer import GraphWriter


class _KilledAfterWrites:
    """The store as one writer sees it: every call goes through, and the Nth write kills."""

    def __init__(self, backend: Backend, limit: int) -> None:
        self._backend, self._limit, self._writes = backend, limit, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def write_nodes(self, *args: Any, **kwargs: Any) -> None:
        self._backend.write_nodes(*args, **kwargs)
        self._wrote()

    def write_edges(self, *args: Any, **kwargs: Any) -> None:
        self._backend.write_edges(*args, **kwargs)
        self._wrote()

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= self._limit:
            os.kill(os.getpid(), signal.SIGKILL)


def kill_after_writes(limit: int) -> None:
    """Give every GraphWriter made from now on a store that kills this process at its `limit`th write."""
    make_writer = GraphWriter.__init__

    def init(writer: GraphWriter, backend: Backend, *args: Any, **kwargs: Any) -> None:
        make_writer(writer, _KilledAfterWrites(backend, limit), *args, **kwargs)  # type: ignore[arg-type]

    GraphWriter.__init__ = init  # type: ignore[method-assign]


if __name__ == "__main__":
    kill_after_writes(int(sys.argv[1]))
    main(sys.argv[2:])
