"""A real resolver writing dnstap, for tests: BIND 9 (Debian package `bind9`, built with
dnstap) on 127.0.0.1, authoritative for the zones given, every message written to a dnstap
file. It runs in the foreground as a child process with its own config, zone files and
state in a temporary folder, on a free port; stopping it closes the dnstap file. Tests that
need it skip, with the reason, when `named` is not installed (tests/run.sh installs it)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest
from dns_server import free_port

NAMED_PATHS = ("named", "/usr/sbin/named")


def named_binary() -> str:
    for candidate in NAMED_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.skip("BIND is not installed (apt-get install bind9); CI installs it")


class DnstapServer:
    """BIND serving `zones` ({origin: zone file text}) and writing dnstap to `output` until stop();
    with `forward_to` (a port on 127.0.0.1), a resolver forwarding every query there instead."""

    address = "127.0.0.1"
    identity = "graphkit-test-bind"

    def __init__(self, folder: Path, zones: dict[str, str], forward_to: int | None = None) -> None:
        self.folder, self.zones, self.forward_to = folder, zones, forward_to
        self.output = folder / "dnstap.fstrm"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> DnstapServer:
        binary = named_binary()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        zones = []
        for origin, text in self.zones.items():
            (self.folder / f"{origin}.zone").write_text(text, encoding="utf-8")
            zones.append(f'zone "{origin}" {{ type primary; file "{self.folder}/{origin}.zone"; }};')
        config = self.folder / "named.conf"
        config.write_text(
            "options {\n"
            f'  directory "{self.folder}";\n'
            f'  pid-file "{self.folder}/named.pid";\n'
            f"  listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "  listen-on-v6 { none; };\n"
            + (
                f"  recursion yes;\n  allow-recursion {{ any; }};\n  forward only;\n"
                f"  forwarders {{ 127.0.0.1 port {self.forward_to}; }};\n"
                if self.forward_to
                else "  recursion no;\n"
            )
            + "  dnssec-validation no;\n"
            "  dnstap { all; };\n"
            f'  dnstap-output file "{self.output}";\n'
            f'  dnstap-identity "{self.identity}";\n'
            "};\n" + "\n".join(zones) + "\n",
            encoding="utf-8",
        )
        log = open(self.folder / "named.stderr", "wb")  # noqa: SIM115 - kept open while the server runs
        self.process = subprocess.Popen([binary, "-c", str(config), "-f", "-n", "1"], stdout=log, stderr=log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"named exited: {(self.folder / 'named.stderr').read_text(errors='replace')}")
            try:
                self.ask(next(iter(self.zones)) if self.zones else ".", "SOA", source="127.0.0.1")
                return self
            except dns.exception.Timeout:
                continue
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("named did not answer within 15 s")

    def ask(self, name: str, rdtype: str, source: str) -> dns.message.Message:
        query = dns.message.make_query(name, rdtype)
        return dns.query.udp(query, self.address, port=self.port, source=source, timeout=1)

    def stop(self) -> None:
        """Stop the server: it closes the dnstap file, which is then complete."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
