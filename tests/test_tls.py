"""Certificates and TLS sessions: load certs, load crtsh, Zeek ssl.log/x509.log (load zeek) and
Suricata tls events (load eve), on both stores, on the real files and on files written here."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers import Store, realdata

from graphkit.parsers.certificates import canonical_dn, serial_hex


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificate(
    cn: str,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None = None,
    *,
    ca: bool = False,
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
    serial: int = 0x1F,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = issuer if issuer else (_name(cn), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(dt.datetime(2016, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2017, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256()), key


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


# -- pure functions --------------------------------------------------------------------------


def test_distinguished_names_compare_across_writers() -> None:
    zeek = r"CN=*.ntv.io,O=Nativo\\, Inc.,L=El Segundo,C=US"
    suricata = "C=US, L=El Segundo, O=Nativo, Inc., CN=*.ntv.io"
    crtsh = 'C=US, L=El Segundo, O="Nativo, Inc.", CN=*.ntv.io'
    assert canonical_dn(zeek) == canonical_dn(suricata) == canonical_dn(crtsh)
    assert canonical_dn("CN=R3,O=Let's Encrypt,C=US") != canonical_dn("CN=R4,O=Let's Encrypt,C=US")
    assert serial_hex("04:E1:E7") == serial_hex("0004e1e7") == serial_hex(0x4E1E7) == "4e1e7"
    assert serial_hex("not hex") is None


# -- certificate files -------------------------------------------------------------------------


def test_certificate_files_give_fingerprints_names_and_verified_chains(store: Store, tmp_path: Path) -> None:
    root, root_key = _certificate("Fixture Root CA", ca=True)
    leaf, _ = _certificate(
        "shop.example-tls.test",
        (root.subject, root_key),
        dns=("shop.example-tls.test", "*.example-tls.test", "localhost"),
        ips=("192.0.2.7",),
    )
    impostor, _ = _certificate("Fixture Root CA", ca=True)  # the same name, another key: signs nothing here
    bundle = tmp_path / "chain.pem"
    bundle.write_bytes(
        _pem(leaf, impostor, root) + b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"
    )
    der = tmp_path / "leaf.der"
    der.write_bytes(leaf.public_bytes(serialization.Encoding.DER))
    proc = store.cli("load", "certs", str(bundle), str(der))
    assert f"{bundle}:" in proc.stderr and "not a readable certificate" in proc.stderr
    rows = store.query(
        "MATCH (c:Certificate) RETURN c.fingerprint, c.sha1, c.self_signed, c.ca, c.key_alg, c.key_length, c.serial "
        "ORDER BY c.fingerprint"
    )
    expected = sorted(
        [_sha256(c), c.fingerprint(hashes.SHA1()).hex(), c.issuer == c.subject, c is not leaf, "ecdsa", 256, "1f"]
        for c in (leaf, impostor, root)
    )
    assert rows == expected  # the DER copy of the leaf is the same node
    assert store.query("MATCH (c:Certificate)-[:ISSUED_BY]->(p:Certificate) RETURN c.fingerprint, p.fingerprint") == [
        [_sha256(leaf), _sha256(root)]
    ]
    assert store.query(
        "MATCH (:Certificate {fingerprint: $k})-[:NAMES]->(d:Domain) RETURN d.name ORDER BY d.name", k=_sha256(leaf)
    ) == [["*.example-tls.test"], ["shop.example-tls.test"]]  # not localhost: a single label joins strangers
    assert store.query(
        "MATCH (:Certificate {fingerprint: $k})-[:NAMES_ADDRESS]->(a:IPAddress) RETURN a.address", k=_sha256(leaf)
    ) == [["192.0.2.7"]]
    # the wildcard hangs under its registered domain like any name
    assert store.query("MATCH (:Domain {name: '*.example-tls.test'})-[:SUBDOMAIN_OF]->(d:Domain) RETURN d.name") == [
        ["example-tls.test"]
    ]


def test_real_root_certificates(store: Store) -> None:
    folder = realdata() / "tls"
    files = sorted(folder.glob("certifi_*.pem"))
    store.cli("load", "certs", *map(str, files))
    expected = []
    for path in files:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        expected.append([_sha256(cert), True, True])
    assert store.query(
        "MATCH (c:Certificate) RETURN c.fingerprint, c.self_signed, c.ca ORDER BY c.fingerprint"
    ) == sorted(expected)


# -- crt.sh --------------------------------------------------------------------------------------


def test_real_crtsh_answer(store: Store) -> None:
    path = realdata() / "tls" / "gwen001_related-domains_crtsh_paypal.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    proc = store.cli("load", "crtsh", str(path))
    assert f"crt.sh entries {len(entries)}" in proc.stdout
    ids = {e["id"] for e in entries}
    assert store.query("MATCH (c:Certificate) RETURN count(c)") == [[len(ids)]]
    first = entries[0]
    assert store.query(
        "MATCH (c:Certificate {fingerprint: $k}) RETURN c.crtsh_id, c.ct_entry, c.not_before, c.serial",
        k=f"crtsh:{first['id']}",
    ) == [
        [
            first["id"],
            first["entry_timestamp"][:19] + "Z",
            first["not_before"] + "Z",
            serial_hex(first["serial_number"]),
        ]
    ]
    # a precertificate and its certificate: two crt.sh ids, one issuer and serial
    pairs: dict[tuple[str, str], set[int]] = {}
    for e in entries:
        pairs.setdefault((serial_hex(e["serial_number"]) or "", canonical_dn(e["issuer_name"]) or ""), set()).add(
            e["id"]
        )
    shared = sum(1 for v in pairs.values() if len(v) > 1)
    assert shared > 0
    assert store.query(
        "MATCH (c:Certificate) WITH c.issuer_serial AS k, count(*) AS n WHERE n > 1 RETURN count(k)"
    ) == [[shared]]
    # loading it again changes nothing
    before = store.cli_stats()
    store.cli("load", "crtsh", str(path))
    assert store.cli_stats() == before


def test_crtsh_bad_entries_are_rejected_by_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "crtsh.json"
    good = {
        "id": 7,
        "issuer_name": "C=US, CN=CA",
        "common_name": "a.example.test",
        "name_value": "a.example.test\nb.example.test",
        "serial_number": "01",
        "not_before": "2016-01-01T00:00:00",
        "not_after": "9999-12-31T23:59:59",
        "entry_timestamp": None,
    }
    path.write_text(json.dumps([good, {"id": "seven"}, 5], indent=1), encoding="utf-8")
    proc = store.cli("load", "crtsh", str(path), check=False)
    assert "no crt.sh id" in proc.stderr and "not a crt.sh entry" in proc.stderr
    assert store.query("MATCH (c:Certificate)-[:NAMES]->(d:Domain) RETURN c.not_after, d.name ORDER BY d.name") == [
        ["9999-12-31T23:59:59Z", "a.example.test"],
        ["9999-12-31T23:59:59Z", "b.example.test"],
    ]


# -- Zeek ------------------------------------------------------------------------------------------


VECTORS = {"cert_chain_fps", "cert_chain_fuids", "san.dns", "san.ip"}
NUMBERS = {"ts", "certificate.not_valid_before", "certificate.not_valid_after"}
COUNTS = {"id.orig_p", "id.resp_p", "certificate.key_length"}


def _zeek_log(path: str, fields: list[str], rows: list[list[str]], fmt: str) -> str:
    """The rows as Zeek writes them: TSV with its headers, or JSON lines with typed values."""
    if fmt == "tsv":
        return _zeek_tsv(path, fields, rows)
    lines = []
    for row in rows:
        obj: dict[str, object] = {"_path": path}
        for name, value in zip(fields, row):
            if value == "-":
                continue
            if name in VECTORS:
                obj[name] = value.split(",")
            elif name in NUMBERS:
                obj[name] = float(value) if value.replace(".", "").isdigit() else value
            elif name in COUNTS:
                obj[name] = int(value)
            elif value in ("T", "F"):
                obj[name] = value == "T"
            else:
                obj[name] = value
        lines.append(json.dumps(obj))
    return "\n".join(lines) + "\n"


def _zeek_tsv(path: str, fields: list[str], rows: list[list[str]]) -> str:
    head = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        f"#path\t{path}",
        "#fields\t" + "\t".join(fields),
    ]
    return "\n".join(head + ["\t".join(r) for r in rows]) + "\n"


SSL_FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "server_name",
    "established",
    "ja3",
    "ja3s",
]


def test_real_zeek_x509_every_fingerprint_is_one_certificate(store: Store) -> None:
    path = realdata() / "tls" / "rita_proxy_rolling_x509.16-17.log.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    fields = next(line for line in lines if line.startswith("#fields")).split("\t")[1:]
    at = fields.index("fingerprint")
    fingerprints = {line.split("\t")[at] for line in lines if not line.startswith("#")}
    store.cli("load", "zeek", str(path))
    assert {row[0] for row in store.query("MATCH (c:Certificate) RETURN c.fingerprint")} == fingerprints


@pytest.mark.parametrize("fmt", ["tsv", "json"])
@pytest.mark.parametrize("layout", ["zeek4", "older"])
def test_zeek_ssl_links_servers_to_the_certificates_of_its_x509_log(
    store: Store, tmp_path: Path, layout: str, fmt: str
) -> None:
    leaf_fp, ca_fp = "ab" * 32, "cd" * 32
    x509_fields = [
        "ts",
        "fingerprint" if layout == "zeek4" else "id",
        "certificate.serial",
        "certificate.subject",
        "certificate.issuer",
        "certificate.not_valid_before",
        "certificate.not_valid_after",
        "certificate.key_type",
        "certificate.key_length",
        "san.dns",
        "san.ip",
        "basic_constraints.ca",
    ]
    ids = (leaf_fp, ca_fp) if layout == "zeek4" else ("Fleaf1", "Fca1")
    x509_rows = [
        [
            "1462000000.0",
            ids[0],
            "0A1B",
            "CN=mail.example-tls.test",
            "CN=Fixture CA,C=US",
            "1451606400.0",
            "1483228800.0",
            "rsa",
            "2048",
            "mail.example-tls.test,example-tls.test",
            "-",
            "F",
        ],
        [
            "1462000000.0",
            ids[1],
            "01",
            "CN=Fixture CA,C=US",
            "CN=Fixture CA,C=US",
            "1451606400.0",
            "1767225600.0",
            "rsa",
            "4096",
            "-",
            "-",
            "T",
        ],
    ]
    if layout == "older":  # a second sighting of the same leaf, by another file id
        x509_rows.append(["1462000500.0", "Fleaf2", *x509_rows[0][2:]])
    chain_field = "cert_chain_fps" if layout == "zeek4" else "cert_chain_fuids"
    chains = [f"{leaf_fp},{ca_fp}", f"{leaf_fp},{ca_fp}", "-"] if layout == "zeek4" else ["Fleaf1,Fca1", "Fleaf2", "-"]
    ssl_rows = [
        [
            "1462000000.5",
            "C1",
            "10.0.0.5",
            "50000",
            "198.51.100.20",
            "443",
            "mail.example-tls.test",
            "T",
            "j3client",
            "j3server",
            chains[0],
        ],
        [
            "1462086400.5",
            "C2",
            "10.0.0.6",
            "50001",
            "198.51.100.20",
            "443",
            "mail.example-tls.test",
            "T",
            "j3client",
            "j3server",
            chains[1],
        ],
        ["1462086401.5", "C3", "10.0.0.6", "50002", "198.51.100.21", "8443", "-", "T", "j3client", "-", chains[2]],
        ["not-a-time", "C4", "10.0.0.6", "50003", "198.51.100.21", "443", "-", "T", "-", "-", "-"],
    ]
    ssl = tmp_path / "ssl.log"
    text = _zeek_log("ssl", [*SSL_FIELDS, chain_field], ssl_rows, fmt)
    # a line of each format's own kind of damage: rejected with its number, the rest loads
    ssl.write_text(
        text + ("1462086402.5\tC5\ttoo\tfew\tfields\t-\n" if fmt == "tsv" else '{"ts": 1462086402.5, "uid": \n')
    )
    x509_log = tmp_path / "x509.log"
    x509_log.write_text(_zeek_log("x509", x509_fields, x509_rows, fmt))
    dns = tmp_path / "dns.log"
    dns.write_text(
        _zeek_tsv("dns", ["ts", "id.orig_h", "query"], [["1462000000.0", "10.0.0.5", "mail.example-tls.test"]])
    )
    proc = store.cli(
        "load", "zeek", str(ssl), str(dns), str(x509_log), check=False
    )  # x509 read first, whatever the order
    first = 7 if fmt == "tsv" else 1  # the line of the first session
    assert f"{ssl}:{first + 3}: ts is not a time: not-a-time" in proc.stderr
    damaged = "6 fields where #fields names 11" if fmt == "tsv" else "not JSON"
    assert f"{ssl}:{first + 4}: {damaged}" in proc.stderr
    leaf_key = (
        leaf_fp
        if layout == "zeek4"
        else store.query("MATCH (c:Certificate {serial: 'a1b'}) RETURN c.fingerprint")[0][0]
    )
    assert store.query("MATCH (c:Certificate) RETURN count(c)") == [[2]]
    assert store.query(
        "MATCH (s:IPAddress)-[r:SERVED_CERT]->(c:Certificate) RETURN s.address, c.fingerprint, r.port, r.count, r.first_seen, r.last_seen"
    ) == [["198.51.100.20", leaf_key, 443, 2, "2016-04-30T07:06:40Z", "2016-05-01T07:06:40Z"]]
    issued = store.query("MATCH (c:Certificate)-[:ISSUED_BY]->(p:Certificate) RETURN c.fingerprint, p.ca")
    assert issued == [[leaf_key, True]]
    assert store.query(
        "MATCH (c:IPAddress)-[r:REQUESTED_TLS]->(d:Domain) RETURN c.address, d.name, r.day, r.count ORDER BY c.address"
    ) == [
        ["10.0.0.5", "mail.example-tls.test", "2016-04-30", 1],
        ["10.0.0.6", "mail.example-tls.test", "2016-05-01", 1],
    ]
    assert store.query(
        "MATCH (a:IPAddress)-[r:USED_FINGERPRINT]->(f:Fingerprint) RETURN a.address, f.id, r.count ORDER BY a.address"
    ) == [["10.0.0.5", "ja3:j3client", 1], ["10.0.0.6", "ja3:j3client", 2]]
    assert store.query(
        "MATCH (a:IPAddress)-[r:SERVED_FINGERPRINT]->(f:Fingerprint) RETURN a.address, f.id, r.count"
    ) == [["198.51.100.20", "ja3s:j3server", 2]]
    assert store.query("MATCH (:IPAddress {address: '10.0.0.5'})-[r:LOOKED_UP]->(d:Domain) RETURN d.name") == [
        ["mail.example-tls.test"]
    ]
    # loading again changes nothing
    before = store.cli_stats()
    store.cli("load", "zeek", str(x509_log), str(ssl), check=False)
    after = store.cli_stats()
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_real_zeek_ssl_logs(store: Store) -> None:
    folder = realdata() / "tls"
    proc = store.cli(
        "load", "zeek", str(folder / "rita_proxy_ssl.log"), str(folder / "rita_json_with_all_fields_ssl.log")
    )
    assert "TLS sessions 407" in proc.stdout and "TLS sessions 10" in proc.stdout
    assert "known only by a Zeek file id" in proc.stdout  # the JSON log's chains name x509 lines not given
    rows = store.query(
        "MATCH (c:IPAddress)-[r:REQUESTED_TLS]->(d:Domain {name: 'www.google.com'}) RETURN c.address, sum(r.count)"
    )
    assert rows == [["10.136.0.18", 406]] or rows[0][1] > 0
    assert store.query("MATCH (f:Fingerprint {kind: 'ja3'}) RETURN count(f)")[0][0] >= 1


# -- Suricata ----------------------------------------------------------------------------------------


def test_real_suricata_tls_events(store: Store) -> None:
    path = realdata() / "suricata" / "suricata-verify_tls-fingerprint-alert_eve.json"
    proc = store.cli("load", "eve", str(path))
    assert "tls events 1" in proc.stdout
    sha1 = "9086a43bf5cf1b2e4ef79796f9debab96635863f"
    assert store.query(
        "MATCH (s:IPAddress)-[r:SERVED_CERT]->(c:Certificate) RETURN s.address, r.port, c.fingerprint, c.sha1, c.not_after"
    ) == [["24.244.4.23", 443, sha1, sha1, "2016-12-07T08:19:00Z"]]
    assert store.query("MATCH (c:Certificate)-[:NAMES]->(d:Domain) RETURN d.name") == [["www.google.com"]]
    assert store.query("MATCH (c:IPAddress)-[:REQUESTED_TLS]->(d:Domain) RETURN c.address, d.name") == [
        ["10.16.1.11", "www.google.com"]
    ]


def test_suricata_tls_event_with_the_certificate_logged(store: Store, tmp_path: Path) -> None:
    import base64

    cert, _ = _certificate("api.example-tls.test", dns=("api.example-tls.test",))
    event = {
        "timestamp": "2016-05-01T10:00:00.000000+0000",
        "event_type": "tls",
        "src_ip": "10.0.0.9",
        "src_port": 5000,
        "dest_ip": "198.51.100.30",
        "dest_port": 443,
        "tls": {
            "sni": "api.example-tls.test",
            "fingerprint": "00:11",
            "ja3": {"hash": "ABC", "string": "771"},
            "ja4": "t13d1516h2_8daaf6152771_b186095e22b6",
            "certificate": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
        },
    }
    path = tmp_path / "eve.json"
    path.write_text(json.dumps(event) + "\n")
    store.cli("load", "eve", str(path))
    assert store.query("MATCH (:IPAddress)-[:SERVED_CERT]->(c:Certificate) RETURN c.fingerprint") == [[_sha256(cert)]]
    assert store.query(
        "MATCH (:IPAddress {address: '10.0.0.9'})-[:USED_FINGERPRINT]->(f:Fingerprint) RETURN f.id ORDER BY f.id"
    ) == [["ja3:abc"], ["ja4:t13d1516h2_8daaf6152771_b186095e22b6"]]


def test_fingerprint_digest_is_stable() -> None:
    # the older x509.log key is a digest of the fields: the same fields give the same key in every run
    from graphkit.parsers.certificates import Cert

    a = Cert(issuer="CN=CA", serial="01", subject="CN=x.example.test", dns_names=["x.example.test"])
    b = Cert(issuer="CN=CA", serial="1", subject="CN=x.example.test", dns_names=["x.example.test"])
    assert a.key() == b.key() and a.key().startswith("x509:")
    assert hashlib.sha256(b"").hexdigest() != a.key()


# -- Suricata tls events: Arrow's block reader and the line reader agree -----------------------------


def _random_tls_events(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    lines = []
    for i in range(n):
        sha = hashlib.sha1(str(rng.randrange(20)).encode()).hexdigest()
        tls: dict[str, object] = {
            "subject": f"C=US, O=Org {rng.randrange(5)}, CN=s{rng.randrange(20)}.example-tls.test",
            "issuerdn": rng.choice(["C=US, O=CA, CN=CA 1", "C=US, CN=Other CA", ""]),
            "serial": rng.choice(["04:E1:E7", "00:FF", ""]),
            "fingerprint": rng.choice([":".join(sha[j : j + 2] for j in range(0, 40, 2)), sha.upper(), "zz", ""]),
            "sni": rng.choice(["", f"s{rng.randrange(20)}.example-tls.test", "a.local", "bad name!"]),
            "notbefore": "2016-01-01T00:00:00",
            "notafter": rng.choice(["2017-01-01T00:00:00", "9999-12-31T23:59:59", "garbage"]),
            "ja3": {"hash": rng.choice(["A1B2", "c3d4", ""]), "string": "771"},
        }
        if rng.random() < 0.5:
            tls["ja3s"] = {"hash": rng.choice(["E5", "f6"])}
        if rng.random() < 0.3:
            tls["ja4"] = "t13d1516h2_8daaf6152771_b186095e22b6"
        event = {
            "timestamp": f"2016-05-0{1 + rng.randrange(3)}T1{rng.randrange(10)}:00:0{rng.randrange(10)}.{i:06d}+0000",
            "event_type": "tls",
            "src_ip": rng.choice(["10.0.0.1", "10.0.0.2", "fe80::1", ""]),
            "src_port": 50000,
            "dest_ip": rng.choice(["198.51.100.1", "198.51.100.2", "2001:db8::5"]),
            "dest_port": rng.choice([443, 8443, 70000]),
            "tls": tls,
        }
        lines.append(json.dumps(event))
        if rng.random() < 0.1:
            lines.append(json.dumps({"timestamp": event["timestamp"], "event_type": "flow", "src_ip": "10.0.0.1"}))
    return lines


@pytest.mark.parametrize("seed", [1, 2])
def test_suricata_tls_blocks_read_as_the_line_reader_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    from graph_dump import dump

    from graphkit.parsers import eve_blocks

    path = tmp_path / "eve.json"
    path.write_text("\n".join(_random_tls_events(400, seed)) + "\n")
    dumps = []
    for blocks in (True, False):
        if not blocks:
            monkeypatch.setattr(eve_blocks, "decoded", lambda *args: None)
        store = Store("embedded", str(tmp_path / f"store-{blocks}"))
        proc = store.cli("load", "eve", str(path), check=False)
        assert "Traceback" not in proc.stderr
        backend = store.open()
        try:
            dumps.append(dump(backend))
        finally:
            backend.close()
    fast, slow = dumps
    assert fast["SERVED_CERT"] and fast["REQUESTED_TLS"] and fast["USED_FINGERPRINT"]
    assert {k: v for k, v in fast.items() if k != "Source"} == {k: v for k, v in slow.items() if k != "Source"}


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_zeek_ssl_blocks_read_as_the_line_reader_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    import random

    import pyarrow as pa
    from graph_dump import dump

    from graphkit.parsers import zeek_columns

    rng = random.Random(7)
    fps = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(6)]
    rows = []
    for i in range(500):
        chain = rng.choice(["-", fps[rng.randrange(6)], f"{fps[rng.randrange(6)]},{fps[5]}", "Fnot-a-fingerprint"])
        rows.append([
            f"{1462000000 + rng.randrange(200000)}.{i:06d}", f"C{i}", rng.choice(["10.0.0.1", "10.0.0.2", "fe80::9"]),
            "50000", rng.choice(["198.51.100.1", "198.51.100.2"]), rng.choice(["443", "8443"]),
            rng.choice(["-", "a.example-tls.test", "b.example-tls.test", "local"]), "T",
            rng.choice(["-", "j3a", "J3B"]), rng.choice(["-", "j3s"]), chain,
        ])  # fmt: skip
    path = tmp_path / "ssl.log"
    path.write_text(_zeek_log("ssl", [*SSL_FIELDS, "cert_chain_fps"], rows, fmt))
    dumps = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(zeek_columns, "_tsv_arrow", lambda *args: None)

            def refuse(*args: object, **kwargs: object) -> None:
                raise pa.ArrowInvalid("the line reader, for the test")

            monkeypatch.setattr(zeek_columns.pj, "read_json", refuse)
        store = Store("embedded", str(tmp_path / f"store-{fast}"))
        store.cli("load", "zeek", str(path))
        backend = store.open()
        try:
            dumps.append(dump(backend))
        finally:
            backend.close()
    arrow, lines = dumps
    assert arrow["SERVED_CERT"] and arrow["ISSUED_BY"] and arrow["REQUESTED_TLS"] and arrow["USED_FINGERPRINT"]
    assert {k: v for k, v in arrow.items() if k != "Source"} == {k: v for k, v in lines.items() if k != "Source"}
