"""Suricata EVE `tls` events as TLS sessions (graphkit.parsers.tls_sessions).

The event is logged in the flow's direction: `src_ip` is the client, `dest_ip` and `dest_port`
the server. `tls` gives the server certificate's subject, issuer (`issuerdn`), serial, validity
and SHA-1 `fingerprint`, the SNI, and JA3/JA3S (objects with `hash`) and JA4 (text) when
Suricata computes them. Where Suricata is set to log the certificate itself (`certificate`,
and `chain`: base64 DER), the certificate is read whole: SHA-256, names, the chain.
Otherwise the certificate is keyed by its SHA-1, and named by its subject CN.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from graphkit.ingest.context import ParseContext
from graphkit.parsers.certificates import Cert, fingerprint_hex, instant
from graphkit.parsers.tls_sessions import Session, TlsSessions


def add_event(ctx: ParseContext, sessions: TlsSessions, event: dict[str, Any], ts: float, line: int) -> None:
    tls = event.get("tls")
    if not isinstance(tls, dict):
        ctx.reject("a tls event without its tls object", b"", line)
        return
    chain = _chain(ctx, sessions, tls, ts, line)
    prints = {}
    for kind in ("ja3", "ja3s", "ja4", "ja4s"):
        value = tls.get(kind)
        value = value.get("hash") if isinstance(value, dict) else value
        if isinstance(value, str) and value:
            prints[kind] = value
    port = event.get("dest_port")
    sessions.add(
        Session(
            line,
            ts,
            _text(event.get("src_ip")),
            _text(event.get("dest_ip")),
            port if isinstance(port, int) and 0 <= port <= 65535 else None,
            _text(tls.get("sni")),
            chain,
            prints,
        )
    )


def _chain(ctx: ParseContext, sessions: TlsSessions, tls: dict[str, Any], ts: float, line: int) -> tuple[str, ...]:
    encoded = [tls["certificate"]] if isinstance(tls.get("certificate"), str) else []
    encoded += [c for c in tls.get("chain") or [] if isinstance(c, str)][1 if encoded else 0 :]
    if encoded:
        read = [_decoded(ctx, text, line) for text in encoded]
        if read and read[0] is not None:
            keys = []
            for cert in read:
                if cert is None:
                    break
                keys.append(sessions.certificates.add(cert, ts, line))
            return tuple(keys)
    sha1 = fingerprint_hex(_text(tls.get("fingerprint")), 40)
    if sha1 is None:
        return ()
    cert = Cert(
        sha1=sha1,
        subject=_text(tls.get("subject")),
        issuer=_text(tls.get("issuerdn")),
        serial=_text(tls.get("serial")),
        not_before=instant(tls.get("notbefore")),
        not_after=instant(tls.get("notafter")),
    )
    return (sessions.certificates.add(cert, ts, line),)


def _decoded(ctx: ParseContext, text: str, line: int) -> Cert | None:
    from cryptography import x509

    from graphkit.parsers.certfiles import from_x509

    try:
        return from_x509(x509.load_der_x509_certificate(base64.b64decode(text, validate=True)))
    except (binascii.Error, ValueError) as exc:
        ctx.skip(f"certificates in tls events that are not readable DER ({str(exc)[:60]})")
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
