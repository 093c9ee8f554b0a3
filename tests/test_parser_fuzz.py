"""Property-based tests of the record, registry and DNS-record parsers (issue 9; the lookup-log
parsers have their own, tests/test_log_fuzz.py). Parse + validate + normalise, no store.

Generated files mix well-formed records with truncation, wrong types, huge fields, deep
JSON, invalid UTF-8 and binary noise. Nothing may escape as an exception; a file is either
rejected whole with a reason, or read with every reject carrying its line and reason; and
each input is handled within a bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.ingest.pipeline import dry_run
from graphkit.parsers.attributions import AttributionsParser
from graphkit.parsers.crtsh import CrtshParser
from graphkit.parsers.dnsmasq import DnsmasqParser
from graphkit.parsers.eve import EveParser
from graphkit.parsers.pdns import PdnsParser
from graphkit.parsers.prefixes import AsNamesParser, PrefixesParser
from graphkit.parsers.rdap import RdapParser
from graphkit.parsers.records_jsonl import RecordsParser
from graphkit.parsers.route53 import Route53Parser
from graphkit.parsers.umbrella import UmbrellaParser
from graphkit.parsers.whois import WhoisParser
from graphkit.parsers.zeek_tls import ZeekSslParser, ZeekX509Parser
from graphkit.parsers.zone import ZoneParser

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
PER_INPUT_SECONDS = 10.0

SEEDS: dict[str, tuple[Callable[[], Any], list[bytes]]] = {
    "records": (
        RecordsParser,
        [
            b'{"node": "Domain", "key": "a.example", "props": {"created": "2016-01-01"}}',
            b'{"edge": "RESOLVES_TO", "from": ["Domain", "a.example"], "to": ["IPAddress", "192.0.2.1"], "props": {"ttl": 60}}',
            b'{"node": "ASN", "key": 15632, "props": {"name": "ALFA-BANK-AS"}}',
        ],
    ),
    "zone": (
        lambda: ZoneParser(origin="fuzz.example."),
        [
            b"$TTL 300",
            b"@ IN SOA ns1 hostmaster 1 2 3 4 5",
            b"@ IN NS ns1",
            b"www IN A 192.0.2.1",
            b"mail IN MX 10 mx.fuzz.example.",
            b'@ IN TXT "v=spf1 include:_spf.example.net ip4:192.0.2.0/24 -all"',
            b"alias IN CNAME www",
            b"( multi",
            b"v6 IN AAAA 2001:db8::1",
        ],
    ),
    "pdns": (
        PdnsParser,
        [
            b'{"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": 1462320000, "time_last": 1474588800, "count": 3}',
            b'{"cond": "begin"}',
            b'{"obj": {"rrname": "b.example.", "rrtype": "NS", "rdata": ["ns1.example."], "time_first": "2016-05-04T00:00:00Z"}}',
            b'{"cond": "succeeded"}',
        ],
    ),
    "rdap": (
        RdapParser,
        [
            b'{"objectClassName": "domain", "ldhName": "example.com", "entities": [{"roles": ["registrant"], "vcardArray": ["vcard", [["fn", {}, "text", "Example Org"]]]}], "nameservers": [{"ldhName": "ns1.example.com"}]}',
            b'{"objectClassName": "ip network", "startAddress": "192.0.2.0", "endAddress": "192.0.2.255", "name": "TEST-NET"}',
            b'{"objectClassName": "autnum", "startAutnum": 64500, "name": "EXAMPLE-AS"}',
        ],
    ),
    "whois": (
        WhoisParser,
        [
            b"Domain Name: EXAMPLE.COM",
            b"Registrar: Example Registrar, LLC",
            b"Registrar IANA ID: 9999",
            b"Registrant Organization: Example Org",
            b"Registrant Email: REDACTED FOR PRIVACY",
            b"Name Server: NS1.EXAMPLE.COM",
            b"Creation Date: 2016-01-01T00:00:00Z",
        ],
    ),
    "prefixes": (
        lambda: PrefixesParser(load_all=True),
        [
            b"; IP-ASN32-DAT file",
            b"217.12.96.0/23\t15632",
            b"66.216.133.0/24\t7029",
            b"2001:db8::/32\t64500",
        ],
    ),
    "asnames": (
        AsNamesParser,
        [
            b'{"15632": "ALFA-BANK-AS Alfa-Bank Moscow Russia, RU", "7029": "WINDSTREAM - Windstream Communications Inc, US"}'
        ],
    ),
    "dnsmasq": (
        lambda: DnsmasqParser(year=2024),
        [
            b"Jun 19 22:26:08 dnsmasq[14240]: query[AAAA] a.example.com from 192.168.4.3",
            b"Jun 19 22:26:08 dnsmasq[14240]: reply a.example.com is <CNAME>",
            b"Jun 19 22:26:08 dnsmasq[14240]: reply b.example.net is 2603:1020:1300:e::68",
            b"Jun 19 22:26:08 dnsmasq[14240]: config c.example.org is 192.168.0.164",
            b"Dec 31 23:59:59 dnsmasq-dhcp[830]: DHCP, IP range 192.168.0.10 -- 192.168.0.200, lease time 1d",
        ],
    ),
    "route53": (
        Route53Parser,
        [
            b'{"version":"1.100000","account_id":"1","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2021-02-04T17:51:55Z","query_name":"a.example.","query_type":"A","rcode":"NOERROR","answers":[{"Rdata":"b.example.","Type":"CNAME","Class":"IN"},{"Rdata":"192.0.2.1","Type":"A","Class":"IN"}],"srcaddr":"10.0.0.1","srcport":"5353","srcids":{"instance":"i-1"}}',
            b'2021-02-04T17:51:55.000Z {"query_timestamp":"2021-02-04T17:51:55Z","query_name":"c.example.","query_type":"AAAA","srcaddr":"10.0.0.2","firewall_rule_action":"BLOCK"}',
        ],
    ),
    "umbrella": (
        UmbrellaParser,
        [
            b'"2024-03-14 18:59:23","Jane (jane@example.com)","Jane,HQ","10.1.2.3","203.0.113.7","Allowed","1 (A)","NOERROR","www.example.com.","Software/Technology","AD Users","AD Users",""',
            b'"Timestamp","Most Granular Identity","Identities","Internal IP","External IP","Action","Query Type","Response Code","Domain","Categories"',
        ],
    ),
    "eve": (
        EveParser,
        [
            b'{"timestamp":"2017-01-30T16:12:26.985026+0100","event_type":"dns","src_ip":"172.17.0.2","src_port":55645,"dest_ip":"172.21.3.254","dest_port":53,"dns":{"type":"query","id":1,"rrname":"a.example","rrtype":"A"}}',
            b'{"timestamp":"2017-01-30T16:12:27.027213+0100","event_type":"dns","src_ip":"172.21.3.254","src_port":53,"dest_ip":"172.17.0.2","dest_port":47719,"dns":{"type":"answer","id":1,"rrname":"a.example","rrtype":"A","ttl":30,"rdata":"192.0.2.1"}}',
            b'{"timestamp":"2017-05-09T21:07:44.210977+0000","event_type":"dns","src_ip":"10.16.1.11","src_port":54380,"dest_ip":"8.8.8.8","dest_port":53,"dns":{"version":2,"type":"answer","rrname":"b.example","rrtype":"A","answers":[{"rrname":"b.example","rrtype":"CNAME","ttl":5,"rdata":"c.example"}],"grouped":{"A":["192.0.2.9"]}}}',
            b'{"timestamp":"2025-03-01T10:00:00Z","event_type":"dns","src_ip":"10.1.1.1","src_port":53,"dest_ip":"10.1.1.5","dest_port":4000,"dns":{"version":3,"type":"response","queries":[{"rrname":"d.example","rrtype":"AAAA"}],"answers":[{"rrname":"d.example","rrtype":"AAAA","ttl":5,"rdata":"2001:db8::1"}]}}',
            b'{"timestamp":"2017-01-30T16:12:26Z","event_type":"alert","alert":{"signature":"x"}}',
            b'{"timestamp":"2016-09-19T15:13:55.657295+0000","event_type":"tls","src_ip":"10.16.1.11","src_port":54684,"dest_ip":"24.244.4.23","dest_port":443,"tls":{"subject":"C=US, O=Google Inc, CN=www.google.com","issuerdn":"C=US, O=Google Inc, CN=Google Internet Authority G2","serial":"2B:A2:F5","fingerprint":"90:86:a4:3b:f5:cf:1b:2e:4e:f7:97:96:f9:de:ba:b9:66:35:86:3f","sni":"www.google.com","notbefore":"2016-09-14T08:20:40","notafter":"2016-12-07T08:19:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865"},"ja4":"t13d1516h2_8daaf6152771_b186095e22b6"}}',
        ],
    ),
    "crtsh": (
        CrtshParser,
        [
            b"[",
            b'{"issuer_ca_id":27,"issuer_name":"C=US, O=\\"VeriSign, Inc.\\", CN=VeriSign Class 3","common_name":"a.example","name_value":"a.example\\nb.example","id":2382007425,"entry_timestamp":"2020-01-27T06:27:37.672","not_before":"2015-02-25T00:00:00","not_after":"2015-06-01T23:59:59","serial_number":"0f4a60debe"},',
            b'{"id":7,"common_name":"*.c.example","name_value":"192.0.2.7"}',
            b"]",
        ],
    ),
    "zeek-ssl": (
        ZeekSslParser,
        [
            b"#separator \\x09",
            b"#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tserver_name\tcert_chain_fps\tja3\tja3s",
            b"1462000000.5\t10.0.0.5\t198.51.100.20\t443\tmail.example\t"
            + b"ab" * 32
            + b","
            + b"cd" * 32
            + b"\tj3\tj3s",
            b"1462000001.5\t10.0.0.6\t198.51.100.21\t8443\t-\t(empty)\t-\t-",
        ],
    ),
    "zeek-x509": (
        ZeekX509Parser,
        [
            b"#separator \\x09",
            b"#fields\tts\tfingerprint\tcertificate.serial\tcertificate.subject\tcertificate.issuer\tcertificate.not_valid_before\tcertificate.not_valid_after\tsan.dns\tbasic_constraints.ca",
            b"1462000000.0\t"
            + b"ab" * 32
            + b"\t0A1B\tCN=mail.example\tCN=CA,C=US\t1451606400.0\t1483228800.0\tmail.example,*.example\tF",
        ],
    ),
    "attributions": (
        AttributionsParser,
        [
            b"address_or_cidr,organization,role,note",
            b"66.216.133.29,Listrak,mail server,from reporting",
            b'192.0.2.0/24,"Example, Inc.",resolver,',
        ],
    ),
}


def _mutations(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    seed = st.sampled_from(seeds)
    return st.one_of(
        seed,
        seed,
        st.tuples(seed, st.integers(0, 200)).map(lambda t: t[0][: t[1]]),  # truncated
        st.binary(max_size=60),  # binary noise, invalid UTF-8 included
        seed.map(lambda s: s.replace(b'"', b"", 1)),  # broken quoting
        seed.map(lambda s: s.replace(b"192.0.2", b"999.0.2").replace(b"15632", b'"x"')),  # wrong values and types
        seed.map(lambda s: s + b"\xff\xfe\x80"),  # invalid UTF-8 at the end
        seed.map(lambda s: s[:20] + b"A" * 200_000 + s[20:]),  # huge field
        st.integers(100, 5000).map(lambda n: b"[" * n + b"]" * n),  # deep JSON
        st.integers(100, 3000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parser-fuzz")


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_parser_never_crashes_and_explains_every_reject(kind: str, workdir: Path) -> None:
    make_parser, seeds = SEEDS[kind]
    path = workdir / f"input-{kind}"

    @FUZZ
    @given(lines=st.lists(_mutations(seeds), max_size=12), end_newline=st.booleans())
    def check(lines: list[bytes], end_newline: bool) -> None:
        path.write_bytes(b"\n".join(lines) + (b"\n" if end_newline else b""))
        started = time.monotonic()
        result = dry_run(make_parser(), path)
        assert time.monotonic() - started < PER_INPUT_SECONDS
        if result.rejected_whole is not None:
            assert result.rejected_whole.reason.strip()
        for reject in result.rejects:
            assert reject.reason.strip()
            assert reject.path == str(path)
        assert result.records >= 0

    check()
