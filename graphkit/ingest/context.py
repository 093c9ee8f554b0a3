"""What a parser may use while it reads one file: the parse context, rejects, and the
parser protocol. Parsers import this module, never the pipeline that drives them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TextIO

from graphkit.ingest import bounded, inputs
from graphkit.model.records import Record

if TYPE_CHECKING:  # the Arrow tables load with the loaders that make them
    from graphkit.ingest.observations import Observed
    from graphkit.model.tables import Bulk

PROGRESS_SECONDS = 0.25  # how often a progress display is told


class FileRejected(Exception):
    """The whole file is unusable (for example a zone file with a syntax error)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


@dataclass
class Reject:
    path: str
    line: int | None
    reason: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class ParseContext:
    """What a parser may tell the pipeline while it reads one file."""

    path: Path
    source: str
    on_reject: Callable[[Reject], None]
    line: int | None = None
    skipped: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    source_props: dict[str, Any] = field(default_factory=dict)
    raw: BinaryIO | None = None  # the file being read, for progress
    source_used: bool = False  # some record relied on this file's own Source
    progress: Callable[[ParseContext], None] | None = None
    name: str = ""  # the input as the user named it, when path is a copy of it (standard input)
    long_lines: set[int] = field(default_factory=set)  # lines rejected as too long (read as empty)
    pending_source: Callable[[], str] | None = None  # works out `source` when it is first needed
    _next_tick: float = 0.0

    def file_source(self) -> str:
        """The file's own Source id (`source`), once it is known: the Loader reads the file's
        digest beside the parse, and a parse waits for it only when a row needs it."""
        if self.pending_source is not None:
            self.source, self.pending_source = self.pending_source(), None
        return self.source

    def open(
        self,
        *,
        line_limit: int | None = bounded.LINE_LIMIT,
        size_limit: int | None = None,
        on_corrupt: Callable[[str], None] | None = None,
    ) -> BinaryIO:
        """The file, decompressed, with lines over `line_limit` rejected and a file over
        `size_limit` bytes (or a gzip bomb) rejected whole; where gzip data breaks off, the
        reason is rejected (or told to `on_corrupt`) and the stream ends."""
        stream, self.raw = inputs.open_binary(
            self.path,
            on_corrupt=on_corrupt or self.reject,
            on_long_line=self.long_line,
            line_limit=line_limit,
            size_limit=size_limit,
            on_too_large=self.reject_file,
        )
        return stream

    def lines(self, stream: BinaryIO) -> Iterator[bytes]:
        """Lines of the stream, keeping `line` current for rejects; too long lines are left out."""
        for self.line, text in inputs.numbered_lines(stream):
            if self.line not in self.long_lines:
                yield text

    def long_line(self, number: int, reason: str, head: bytes) -> None:
        """Reject a too long line once, though a parser may read the file more than once."""
        if number not in self.long_lines:
            self.long_lines.add(number)
            self.reject(reason, head, line=number)

    def reject_file(self, reason: str) -> None:
        raise FileRejected(None, reason)

    def tick(self) -> None:
        """Let a progress display catch up; parsers call it as they read, often or not."""
        if self.progress is not None:
            now = time.monotonic()
            if now >= self._next_tick:
                self._next_tick = now + PROGRESS_SECONDS
                self.progress(self)

    def reject(self, reason: str, text: bytes | str = b"", line: int | None = None) -> None:
        """Reject what is being read: at `line`, or the line the parser is on."""
        self.reject_row(reason, text, line if line is not None else self.line)

    def reject_row(self, reason: str, text: bytes | str, line: int | None) -> None:
        """Reject a row read earlier, at its own line (None: the line is not known)."""
        shown = text.decode("utf-8", "backslashreplace") if isinstance(text, bytes) else text
        self.on_reject(Reject(self.name or str(self.path), line, reason, shown[:300]))

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n


class Parser(Protocol):
    kind: str

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk | Observed]: ...


class RejectsFile:
    """Rejected lines of one command, opened on the first reject."""

    def __init__(self, folder: Path, kind: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = folder / f"{kind}-{stamp}.txt"
        self._file: TextIO | None = None

    def write(self, reject: Reject) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        text = reject.text.replace("\t", "\\t").replace("\n", "\\n")
        self._file.write(f"{reject}\t{text}\n")

    def close(self) -> None:
        if self._file:
            self._file.close()

    @property
    def used(self) -> bool:
        return self._file is not None
