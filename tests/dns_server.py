"""A real authoritative DNS server for tests: NSD (Debian package `nsd`) on 127.0.0.1.

The server runs in the foreground as a child process with its own config, zone files,
state and log in a temporary folder, on a free port. Tests that need it skip, with the
reason, when `nsd` is not installed (`apt-get install nsd`; .ci/run installs it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest

NSD_PATHS = ("nsd", "/usr/sbin/nsd")


def nsd_binary() -> str:
    for candidate in NSD_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.skip("NSD is not installed (apt-get install nsd); CI installs it")


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port found")


class AuthoritativeServer:
    """NSD serving the given zones ({origin: zone file text}) until stop()."""

    address = "127.0.0.1"

    def __init__(self, folder: Path, zones: dict[str, str]) -> None:
        self.folder, self.zones = folder, zones
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AuthoritativeServer:
        binary = nsd_binary()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        zone_config = []
        for origin, text in self.zones.items():
            (self.folder / f"{origin}.zone").write_text(text, encoding="utf-8")
            zone_config.append(f"zone:\n    name: {origin}\n    zonefile: {origin}.zone\n")
        config = self.folder / "nsd.conf"
        config.write_text(self._server_config() + "".join(zone_config), encoding="utf-8")
        log = open(self.folder / "nsd.stderr", "wb")  # noqa: SIM115 - kept open while the server runs
        self.process = subprocess.Popen([binary, "-d", "-c", str(config)], stdout=log, stderr=log)
        self._wait_until_serving(next(iter(self.zones)))
        return self

    def _server_config(self) -> str:
        folder = self.folder
        return (
            "server:\n"
            f"    ip-address: {self.address}@{self.port}\n"
            "    do-ip6: no\n"
            '    username: ""\n'
            '    chroot: ""\n'
            f'    zonesdir: "{folder}"\n'
            '    database: ""\n'
            f'    pidfile: "{folder}/nsd.pid"\n'
            f'    xfrdfile: "{folder}/xfrd.state"\n'
            f'    zonelistfile: "{folder}/zone.list"\n'
            f'    logfile: "{folder}/nsd.log"\n'
            "    server-count: 1\n"
            "    verbosity: 1\n"
            "remote-control:\n"
            "    control-enable: no\n"
        )

    def _wait_until_serving(self, origin: str, limit: float = 15.0) -> None:
        deadline = time.monotonic() + limit
        query = dns.message.make_query(origin, "SOA")
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                answer = dns.query.udp(query, self.address, port=self.port, timeout=0.5)
                if answer.answer:
                    return
            except (OSError, dns.exception.DNSException):
                time.sleep(0.1)
        log = (self.folder / "nsd.log").read_text(errors="replace") if (self.folder / "nsd.log").exists() else ""
        self.stop()
        raise RuntimeError(f"NSD did not start serving {origin}:\n{log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
