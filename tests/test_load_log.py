"""`graphkit load log`: lookup logs told apart by their first lines, on both stores; each file
gives the graph its own kind gives, and a file it cannot tell is refused with the reason."""

from __future__ import annotations

from pathlib import Path

from helpers import Store, json_lines, realdata
from test_zeek import fresh, snapshot

from graphkit.cli.output import Format

REAL = {
    "tls/rita_proxy_rolling_x509.16-17.log.gz": "zeek",  # first: `load log` reads x509 logs before ssl logs
    "tls/rita_proxy_ssl.log": "zeek",
    "tls/rita_json_with_all_fields_ssl.log": "zeek",
    "dnsmasq/wilan_of_shame_dnsmasq_2.90.log": "dnsmasq",
    "suricata/surevego_testdata_eve_v1dns.json": "eve",
    "suricata/tenzir_rrdata-eve_v2dns.json": "eve",
    "zeek/rita-proxy-dns.log": "zeek",
    "zeek/rita-all-fields-dns.json.log": "zeek",
    "route53/awsdocs_resolver-query-log-example_v1.100000.json": "route53",
    "dnstap/go-dnscollector-dnstap.fstrm": "dnstap",
    "sysmon/sigma_remote_access_sysmon22.evtx": "sysmon",
    "sysmon/sigma_ligolo_ng_sysmon22.json": "sysmon",
    "sysmon/python-evtx_dns_log_malformed_DNSServer-Analytical.evtx": "windns",
}
DEMO_BIND = Path(__file__).parent.parent / "graphkit" / "demo" / "case2016" / "ns1.cdcservices.com-queries.log"


def test_real_logs_are_told_apart_and_load_as_their_own_kind(store: Store, tmp_path: Path) -> None:
    files = [realdata() / name for name in REAL] + [DEMO_BIND]
    proc = store.cli("load", "log", "--year", "2024", "--format", Format.json.value, *map(str, files))
    assert [r["path"] for r in json_lines(proc)] == [str(f) for f in files]
    for path, kind in [*zip(files, REAL.values()), (DEMO_BIND, "bind")]:
        assert f"{path}: read as " in proc.stderr and f"(graphkit load {kind})" in proc.stderr
    together = snapshot(store)
    one_by_one = fresh(store, tmp_path, "explicit")
    for path, kind in [*zip(files, REAL.values()), (DEMO_BIND, "bind")]:
        one_by_one.cli("load", kind, *(["--year", "2024"] if kind == "dnsmasq" else []), str(path))
    assert snapshot(one_by_one) == together


def test_what_it_cannot_tell_is_refused_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    whois = realdata() / "whois" / "whois.godaddy.com-registered.txt"
    sysmon = (realdata() / "sysmon" / "sigma_remote_access_sysmon22.evtx").read_bytes()
    other = tmp_path / "other-provider.evtx"  # the same file, its provider renamed: an EVTX of another log
    other.write_bytes(sysmon.replace("Windows-Sysmon".encode("utf-16-le"), "Windows-Other!".encode("utf-16-le")))
    conn = tmp_path / "conn.log"
    conn.write_text("#separator \\x09\n#path\tconn\n#fields\tts\tuid\n1.0\tC1\n")
    files = {
        "evtx": other,
        "conn": conn,
        "whois": whois,
        "eve": realdata() / "suricata" / "tenzir_rrdata-eve_v2dns.json",
    }
    proc = store.cli("load", "log", "--format", "json", *map(str, files.values()), check=False)
    assert proc.returncode == 1
    reports = {Path(r["path"]).name: r for r in json_lines(proc)}
    why = {name: reports[path.name]["rejected_whole"] for name, path in files.items()}
    assert "a Windows event log (EVTX) of neither Sysmon nor the DNS Server" in why["evtx"]
    assert "a Zeek conn log: graphkit reads Zeek's dns, ssl and x509 logs" in why["conn"]
    assert (
        why["whois"]
        == f"{whois}: cannot tell which log this is (its first lines fit no log format graphkit knows); name its kind: graphkit load KIND"
    )
    assert why["eve"] is None and store.stats()["lookups"] == 1


def test_standard_input_needs_its_kind(store: Store) -> None:
    proc = store.cli("load", "log", "-", input="x\n", check=False)
    assert proc.returncode == 1 and "standard input" in proc.stderr and "graphkit load KIND -" in proc.stderr
