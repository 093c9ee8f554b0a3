"""Finishing what a killed process left in an embedded store, in a child process.

A process killed while it held the store leaves a WAL, and one killed inside a checkpoint
also leaves `.shadow` and `.wal.checkpoint`. LadybugDB 0.22 finishes that work on the next
read-write open; a read-only open refuses ("checkpoint recovery is pending"). The first
open after a kill therefore runs here, read-write, in a child process: LadybugDB is native
code, and if it crashes while replaying, the crash is the child's, and graphkit reports it
with the store's files untouched. (The refusal is LadybugDB's design since LadybugDB/ladybug#615,
which fixed segfaults of read-only opens that replayed a half-done checkpoint, #642; opening
segfaults are still reported upstream, e.g. #1007.)
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from graphkit.errors import StoreUnavailable

# What a process that did not close the store leaves beside it (a clean close removes them;
# the empty `.checkpoint.*.lock` files may stay and mean nothing once unlocked).
UNCLEAN_SUFFIXES = (".wal", ".wal.checkpoint", ".shadow")

_RECOVER = """
import sys, ladybug
try:
    ladybug.Database(sys.argv[1], buffer_pool_size=int(sys.argv[2]), auto_checkpoint=False).close()
except Exception as exc:  # its message is the parent's to report
    print((str(exc).splitlines() or [type(exc).__name__])[0], file=sys.stderr)
    sys.exit(1)
"""


def left_over(path: Path) -> list[Path]:
    """The files a process that did not close the store left beside it."""
    return [side for suffix in UNCLEAN_SUFFIXES if (side := path.with_name(path.name + suffix)).exists()]


def recover(path: Path, pool_bytes: int, files: list[Path]) -> None:
    """Open the store read-write once in a child process, so that LadybugDB replays its WAL and
    finishes (or undoes) an interrupted checkpoint. A refusal (the store is locked by a live
    process, say) is raised as RuntimeError with LadybugDB's message, as an open in this
    process would raise it; a crash of the child is a StoreUnavailable that says what to do."""
    proc = subprocess.run(
        [sys.executable, "-c", _RECOVER, str(path), str(pool_bytes)], capture_output=True, text=True, check=False
    )
    if proc.returncode == 0:
        return
    if proc.returncode > 0:
        lines = proc.stderr.strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"recovery exited {proc.returncode}")
    names = ", ".join(f.name for f in files)
    raise StoreUnavailable(
        f"store {path}: LadybugDB crashed ({signal.Signals(-proc.returncode).name}) while finishing the work"
        f" an interrupted process left ({names}). Keep the store and those files together"
        f" (they hold committed data LadybugDB needs to recover) and try a newer LadybugDB;"
        f" to go on now, load into a new store (--store NEW_PATH)"
    )
