"""A private Neo4j server for tests that stop and start it (fault tests), started with the
project's own docker/neo4j-local in a temporary home on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers import ROOT

PASSWORD = "private-instance-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Neo4jInstance:
    home: Path
    bolt_port: int
    http_port: int

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def env(self) -> dict[str, str]:
        return {"NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": PASSWORD}

    def control(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "NEO4J_HOME": str(self.home),
            "NEO4J_BOLT_PORT": str(self.bolt_port),
            "NEO4J_HTTP_PORT": str(self.http_port),
            "NEO4J_PASSWORD": PASSWORD,
        }
        return subprocess.run(
            [str(ROOT / "docker" / "neo4j-local"), command, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def private_instance(home: Path) -> Iterator[Neo4jInstance]:
    instance = Neo4jInstance(home, free_port(), free_port())
    started = instance.control("start")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield instance
    finally:
        instance.control("stop")
