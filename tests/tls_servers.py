"""Real TLS servers for the tests: OpenSSL's `s_server` on 127.0.0.1, with certificates made
here by `cryptography` (self-signed, a small CA chain, SAN DNS and IP names, an expired one)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def sha256(self) -> str:
        return self.cert.fingerprint(hashes.SHA256()).hex()


def issue(
    cn: str,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
    valid: tuple[dt.datetime, dt.datetime] = (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=90)),
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    alt: list[x509.GeneralName] = [x509.DNSName(d) for d in dns] + [
        x509.IPAddress(ipaddress.ip_address(a)) for a in ips
    ]
    if alt:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def s_server(folder: Path, leaf: Issued, chain: tuple[Issued, ...] = ()) -> Iterator[int]:
    """`openssl s_server` presenting `leaf` (and `chain` after it) on 127.0.0.1; its port."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (tests/run.sh installs it)")
    name = leaf.sha256[:12]
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    cert.write_bytes(leaf.cert.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        leaf.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    command = [openssl, "s_server", "-quiet", "-www", "-cert", str(cert), "-key", str(key)]
    if chain:
        bundle = folder / f"{name}-chain.pem"
        bundle.write_bytes(b"".join(c.cert.public_bytes(serialization.Encoding.PEM) for c in chain))
        command += ["-cert_chain", str(bundle)]
    port = free_port()
    proc = subprocess.Popen(
        [*command, "-accept", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"openssl s_server did not start: {err[:500]}") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
