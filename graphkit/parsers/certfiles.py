"""`graphkit load certs`: certificate files, PEM (one or a bundle of many) or DER, read with
`cryptography`.

Every certificate is a Certificate keyed by its SHA-256, with what it names. A certificate in
the same file whose subject is another's issuer and whose key verifies that one's signature
issued it (ISSUED_BY): a matching name alone is not enough, since names repeat. A file says
nothing of when a certificate was seen, so no first/last seen is set.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model.records import Record
from graphkit.parsers import certificates
from graphkit.parsers.certificates import Cert, canonical_dn

PEM_BLOCK = re.compile(
    rb"-----BEGIN (?P<kind>(?:X509 |TRUSTED )?CERTIFICATE)-----(?P<body>.*?)-----END (?P=kind)-----", re.DOTALL
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_x509(cert: Any) -> Cert:
    """A `cryptography` certificate as graphkit's Cert (both fingerprints known)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    out = Cert(
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        sha1=cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 - an identifier, not security
        serial=format(cert.serial_number, "x"),
        not_before=iso(cert.not_valid_before_utc),
        not_after=iso(cert.not_valid_after_utc),
    )
    with contextlib.suppress(ValueError):  # an undecodable name: the certificate is still the certificate
        out.subject, out.issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    out.key_alg, out.key_length = _key(cert)
    oid = cert.signature_algorithm_oid
    out.sig_alg = getattr(oid, "_name", None) or oid.dotted_string
    try:
        out.ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        out.ca = None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        out.dns_names = [str(v) for v in san.get_values_for_type(x509.DNSName)]
        out.ip_names = [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    except (x509.ExtensionNotFound, ValueError):
        pass
    try:
        cns = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        out.cn = str(cns[0].value) if cns else ""
    except ValueError:
        pass
    return out


def _key(cert: Any) -> tuple[str | None, int | None]:
    """The public key's algorithm, as Zeek names it (rsa, ecdsa, dsa; ed25519, ed448), and size."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    try:
        key = cert.public_key()
    except (ValueError, TypeError):  # an algorithm cryptography does not know
        return None, None
    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey):
        return "rsa" if isinstance(key, rsa.RSAPublicKey) else "dsa", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ecdsa", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "ed448", 456
    return None, None


def issued(children: list[Any], candidates: list[Any]) -> Iterator[tuple[int, int]]:
    """(child, issuer) index pairs: the issuer's subject is the child's issuer and its key
    verifies the child's signature. A self-signed certificate is not its own ISSUED_BY."""
    by_subject: dict[str | None, list[int]] = {}
    for i, cert in enumerate(candidates):
        by_subject.setdefault(_dn(cert.subject), []).append(i)
    for i, child in enumerate(children):
        for j in by_subject.get(_dn(child.issuer), []):
            parent = candidates[j]
            if parent is child:
                continue
            try:
                child.verify_directly_issued_by(parent)
            except Exception:  # noqa: BLE001 - any failure (signature, algorithm, name) means: not shown to issue it
                continue
            yield i, j
            break


def _dn(name: Any) -> str | None:
    try:
        return canonical_dn(name.rfc4514_string())
    except ValueError:
        return None


class CertFilesParser:
    kind = "certs"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        from cryptography import x509

        # read whole (a system's whole certificate store is a few hundred kB), within the limit
        with ctx.open(line_limit=None, size_limit=bounded.DOCUMENT_LIMIT) as stream:
            data = stream.read()
        found: list[tuple[int, Any]] = []  # (line, certificate)
        unreadable = 0
        if b"-----BEGIN" in data:
            for match in PEM_BLOCK.finditer(data):
                line = data.count(b"\n", 0, match.start()) + 1
                try:
                    der = base64.b64decode(b"".join(match["body"].split()), validate=True)
                    cert = x509.load_der_x509_certificate(der)
                except (binascii.Error, ValueError) as exc:
                    ctx.reject(f"not a readable certificate ({exc})", match[0][:120], line)
                    unreadable += 1
                    continue
                found.append((line, cert))
            if not found and not unreadable:
                raise FileRejected(None, "PEM with no CERTIFICATE block (keys, requests and CRLs are not read)")
        else:
            try:
                found.append((1, x509.load_der_x509_certificate(data)))
            except ValueError as exc:
                raise FileRejected(None, f"neither PEM nor a DER certificate ({exc})") from None
        certs = [cert for _, cert in found]
        converted = [from_x509(cert) for cert in certs]
        ctx.counts["certificates"] += len(certs)
        for (line, _), described in zip(found, converted):
            ctx.line = line
            yield from certificates.records(described, ctx=ctx)
        for i, j in issued(certs, certs):
            yield certificates.issued_by(converted[i].key(), converted[j].key())
            ctx.counts["issued by (signature verified)"] += 1
