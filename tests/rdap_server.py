"""Local servers for the RDAP collector tests: real sockets on 127.0.0.1, free ports.

RecordedRdap serves the recorded RDAP answers of ../shared/realdata/rdap/ over HTTP, each at
the address it was recorded from (its self link's request URI), under a mirror layout:
https://rdap.apnic.net/ip/1.1.1.1 is served at http://127.0.0.1:PORT/rdap.apnic.net/ip/1.1.1.1.
The recorded IANA bootstrap snapshot is served at /data.iana.org/rdap/{dns,asn,ipv4,ipv6}.json,
each part verbatim. Anything else is an RDAP 404. `fail_next` makes a path answer 503 a few
times first, to exercise retries.

CymruDns answers the Team Cymru ASN queries ipwhois makes over DNS. No recorded Cymru answers
exist, so the tests hand it the TXT strings to give, in Cymru's format.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dns.message
import dns.rcode
import dns.rrset

BOOTSTRAP_FILE = "whoisit-iana-bootstrap.json"


def _self_uri(doc: object) -> str | None:
    if not isinstance(doc, dict):
        return None
    for link in doc.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "self" and isinstance(link.get("value"), str):
            return str(link["value"])
    return None


def _route(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc + unquote(parts.path)).lower()


class RecordedRdap:
    def __init__(self, folder: Path) -> None:
        self.routes: dict[str, bytes] = {}
        for path in sorted(folder.glob("*.json")):
            data = path.read_bytes()
            doc = json.loads(data)
            if path.name == BOOTSTRAP_FILE:
                for kind in ("dns", "asn", "ipv4", "ipv6"):
                    self.routes[f"data.iana.org/rdap/{kind}.json"] = json.dumps(doc[kind]).encode()
                continue
            uri = _self_uri(doc)
            if uri:
                self.routes[_route(uri)] = data
        self.fail_next: Counter[str] = Counter()
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> RecordedRdap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                route = unquote(urlsplit(self.path).path).lstrip("/").lower()
                recorded.requests.append(route)
                if recorded.fail_next[route] > 0:
                    recorded.fail_next[route] -= 1
                    self._send(503, b'{"errorCode": 503, "title": "Service Unavailable"}')
                elif route in recorded.routes:
                    self._send(200, recorded.routes[route])
                else:
                    self._send(404, b'{"errorCode": 404, "title": "Not Found"}')

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/rdap+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


def cymru_origin_name(address: str) -> str:
    """The name ipwhois asks for an address's origin AS (trailing zero groups of IPv6 dropped)."""
    addr = ipaddress.ip_address(address)
    if addr.version == 4:
        return ".".join(reversed(str(addr).split("."))) + ".origin.asn.cymru.com."
    groups = addr.exploded.split(":")
    while groups and groups[-1] == "0000":
        groups.pop()
    return ".".join(reversed("".join(groups))) + ".origin6.asn.cymru.com."


class CymruDns:
    """origins: address -> 'ASN | CIDR | CC | registry | date'; asns: number -> 'ASN | CC | registry | date | name'."""

    def __init__(self, origins: dict[str, str], asns: dict[int, str]) -> None:
        self.answers = {cymru_origin_name(a): text for a, text in origins.items()}
        self.answers.update({f"as{n}.asn.cymru.com.": text for n, text in asns.items()})
        self.queries: list[str] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._sock.getsockname()
        return f"{host}:{port}"

    def __enter__(self) -> CymruDns:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            qname = query.question[0].name.to_text().lower()
            self.queries.append(qname)
            text = self.answers.get(qname)
            if text is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            else:
                response.answer.append(dns.rrset.from_text(qname, 60, "IN", "TXT", json.dumps(text)))
            self._sock.sendto(response.to_wire(), peer)
