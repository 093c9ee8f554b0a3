"""Run the graphkit command, SIGKILLed at a chosen point: `python tests/kill_after_writes.py POINT load KIND FILES...`.

POINT is N: after the Nth store write of any one GraphWriter (one writer per loaded file; a
load that makes fewer ends normally and says how many it made, last on stderr); or
checkpoint:K:WHEN: inside the embedded store's Kth checkpoint (they run when the store is
closed, and reopened every REOPEN_ROWS rows; GRAPHKIT_TEST_REOPEN_ROWS sets that here, so a
small file has several). WHEN is a number of milliseconds after the checkpoint began, or the
suffix of a file the checkpoint makes (`.wal.checkpoint`, `.shadow`): the kill comes as soon
as it appears. A process killed inside the checkpoint would have to kill itself from another
thread, which cannot run while LadybugDB holds the interpreter; so a watcher process does it. A checkpoint that ends before the kill lands is followed by
one at once, so every run is killed. The kill points are exact and repeatable.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from typing import Any

from graphkit.backends import embedded
from graphkit.backends.base import Backend
from graphkit.cli.app import main
from graphkit.ingest.writer import GraphWriter

# Told "PATH WHEN" on stdin, it waits WHEN ms or until PATH exists, then kills its parent.
WATCHER = """
import os, signal, sys, time
line = sys.stdin.readline().split()
if line:
    path, when = line
    give_up = time.monotonic() + 30
    if path == "-":
        time.sleep(float(when) / 1000)
    else:
        while not os.path.exists(path) and time.monotonic() < give_up:
            if os.getppid() != int(sys.argv[1]):  # the checkpoint ended without the file: it killed itself
                sys.exit()
            time.sleep(0.0002)
    os.kill(int(sys.argv[1]), signal.SIGKILL)
"""


NOT_KILLED = "kill_after_writes: not killed; most writes by one writer: "
_most_writes = 0


def _tell_not_killed() -> None:
    """A load with fewer writes than the point ends normally: it says how many it made."""
    print(f"{NOT_KILLED}{_most_writes}", file=sys.stderr)


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
        global _most_writes
        self._writes += 1
        _most_writes = max(_most_writes, self._writes)
        if self._writes >= self._limit:
            os.kill(os.getpid(), signal.SIGKILL)


def kill_after_writes(limit: int) -> None:
    """Give every GraphWriter made from now on a store that kills this process at its `limit`th write."""
    make_writer = GraphWriter.__init__

    def init(writer: GraphWriter, backend: Backend, *args: Any, **kwargs: Any) -> None:
        make_writer(writer, _KilledAfterWrites(backend, limit), *args, **kwargs)  # type: ignore[arg-type]

    GraphWriter.__init__ = init  # type: ignore[method-assign]


def kill_in_checkpoint(nth: int, when: str) -> None:
    """Kill this process inside the embedded store's `nth` checkpoint (see the module's docstring)."""
    # Not given this process's output: a caller waiting for it to close would wait for the watcher.
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(os.getpid())], stdin=subprocess.PIPE, text=True, **quiet
    )
    assert watcher.stdin is not None
    close = embedded.EmbeddedBackend.close
    closes = 0

    def closing(backend: embedded.EmbeddedBackend) -> None:
        nonlocal closes
        closes += 1
        if closes != nth:
            return close(backend)
        target = "-" if when[0].isdigit() else str(backend.path) + when
        watcher.stdin.write(f"{target} {when if target == '-' else 0}\n")  # type: ignore[union-attr]
        watcher.stdin.flush()  # type: ignore[union-attr]
        close(backend)
        os.kill(os.getpid(), signal.SIGKILL)

    embedded.EmbeddedBackend.close = closing  # type: ignore[method-assign]


if __name__ == "__main__":
    if rows := os.environ.get("GRAPHKIT_TEST_REOPEN_ROWS"):
        embedded.REOPEN_ROWS = int(rows)
    point = sys.argv[1]
    if point.startswith("checkpoint:"):
        _, nth, when = point.split(":")
        kill_in_checkpoint(int(nth), when)
    else:
        kill_after_writes(int(point))
        atexit.register(_tell_not_killed)
    main(sys.argv[2:])
