"""Live RDAP: ask the registries about addresses, domains and AS numbers now.

- addresses go through ipwhois (`IPWhois(address).lookup_rdap`): its Team Cymru ASN lookup
  (AS number, BGP prefix, AS name) and the RIR's RDAP answer for the network;
- domains go to the registry named for their TLD in the IANA bootstrap registry
  (https://data.iana.org/rdap/dns.json, or a file/URL given instead): GET {base}domain/{name};
- AS numbers ("AS13335") likewise through the IANA asn.json registry: GET {base}autnum/{n}.

Answers are cached on disk as the JSON they came as (ipwhois results for addresses, RDAP
objects otherwise), so a cache file is also an input of `graphkit load rdap`. Requests are
rate limited, retried with exponential backoff when the failure may pass (timeouts,
connection errors, HTTP 429 and 5xx), and a failed item is reported, never fatal.

A mirror (`--mirror URL`) sends every request for https://HOST/PATH to URL/HOST/PATH
instead: a caching proxy, or the recorded-answers server of the tests. It applies to the
bootstrap registry, the bases it names, and ipwhois' RIR URL table.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import graphkit
from graphkit.errors import GraphkitError
from graphkit.model import names, times
from graphkit.model.records import NodeRecord, Record
from graphkit.parsers.registration import Tally

SOURCE_KIND = "rdap-collect"
IANA_BOOTSTRAP = "https://data.iana.org/rdap/{kind}.json"
BOOTSTRAP_MAX_AGE = 24 * 3600  # seconds a fetched bootstrap registry is reused
ASN_METHODS = ("dns", "whois", "http")
T = TypeVar("T")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphkit" / "rdap"


@dataclass
class RdapSettings:
    cache_dir: Path = field(default_factory=default_cache_dir)
    rate: float = 1.0  # network lookups per second (0: no limit)
    retries: int = 3  # further attempts after a failure that may pass
    backoff: float = 2.0  # seconds before the first retry; doubled for each next one
    timeout: float = 15.0  # seconds per request
    bootstrap: str | None = None  # file or URL of an IANA bootstrap registry (default: IANA's own)
    mirror: str | None = None  # send https://HOST/PATH to MIRROR/HOST/PATH
    asn_dns: str | None = None  # HOST[:PORT] of the DNS server for ipwhois' Team Cymru ASN queries
    asn_methods: tuple[str, ...] = ASN_METHODS
    refresh: bool = False  # ignore cached answers
    follow_related: bool = False  # also fetch the registrar's answer a registry links to


class ItemError(Exception):
    """One item could not be collected; the message says why."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def mirrored(url: str, mirror: str | None) -> str:
    if not mirror or not url.startswith(("https://", "http://")):
        return url
    parts = urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{mirror.rstrip('/')}/{parts.netloc}{rest}"


class RateLimiter:
    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


class Cache:
    """One JSON file per answer: DIR/<kind>/<key>.json."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, kind: str, key: str) -> Path:
        return self.folder / kind / (re.sub(r"[^\w.@-]", "_", key) + ".json")

    def get(self, kind: str, key: str, max_age: float | None = None) -> Any | None:
        path = self.path(kind, key)
        try:
            if max_age is not None and time.time() - path.stat().st_mtime > max_age:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        path = self.path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
            partial.replace(path)
        except OSError as exc:
            raise GraphkitError(f"cannot write the RDAP cache in {self.folder} ({exc.strerror or exc})") from None


@cache
def user_agent() -> str:
    return f"graphkit/{graphkit.__version__} (RDAP collector)"


def http_json(url: str, timeout: float) -> Any:
    """GET a JSON answer; ItemError (retryable or not) when there is none."""
    from urllib.error import HTTPError, URLError  # here, with urllib.request: they load ssl and http
    from urllib.request import Request, urlopen

    request = Request(url, headers={"Accept": "application/rdap+json, application/json", "User-Agent": user_agent()})
    try:
        with urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) URLs from the registry
            body = answer.read()
    except HTTPError as exc:
        retry = exc.code == 429 or exc.code >= 500
        raise ItemError(f"HTTP {exc.code} from {url}", retryable=retry) from None
    except (URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ItemError(f"cannot reach {url} ({reason})", retryable=True) from None
    try:
        return json.loads(body)
    except ValueError:
        raise ItemError(f"the answer from {url} is not JSON") from None


class Bootstrap:
    """An IANA RDAP bootstrap registry (RFC 9224): which RDAP base serves which TLD or AS range."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.services: list[tuple[list[str], list[str]]] = []
        for service in doc.get("services") or []:
            if isinstance(service, list) and len(service) >= 2:
                entries, urls = service[-2], service[-1]
                self.services.append(([str(e).lower() for e in entries], [str(u) for u in urls]))

    @staticmethod
    def _pick(urls: list[str]) -> str:
        return next((u for u in urls if u.startswith("https://")), urls[0])

    def for_domain(self, name: str) -> str | None:
        labels = name.lower().split(".")
        for start in range(len(labels)):
            suffix = ".".join(labels[start:])
            for entries, urls in self.services:
                if suffix in entries and urls:
                    return self._pick(urls)
        return None

    def for_asn(self, number: int) -> str | None:
        for entries, urls in self.services:
            for entry in entries:
                low, _, high = entry.partition("-")
                if low.isdigit() and int(low) <= number <= int(high or low) and urls:
                    return self._pick(urls)
        return None


@contextmanager
def ipwhois_urls(mirror: str | None) -> Iterator[None]:
    """ipwhois' RIR RDAP URL table pointed at the mirror for the duration (restored after)."""
    import ipwhois.rdap as rdap_module

    saved = copy.deepcopy(rdap_module.RIR_RDAP), rdap_module.BOOTSTRAP_URL
    if mirror:
        for urls in rdap_module.RIR_RDAP.values():
            for name, url in urls.items():
                urls[name] = mirrored(url, mirror)
        rdap_module.BOOTSTRAP_URL = mirrored(rdap_module.BOOTSTRAP_URL, mirror)
    try:
        yield
    finally:
        rdap_module.RIR_RDAP.clear()
        rdap_module.RIR_RDAP.update(saved[0])
        rdap_module.BOOTSTRAP_URL = saved[1]


@dataclass
class ItemReport:
    item: str
    kind: str  # address, domain, autnum
    key: str  # what was asked: the address, the registered domain, the AS number
    status: str = "error"  # fetched, cached, error
    detail: str = ""
    records: int = 0

    def row(self) -> list[Any]:
        return [self.item, self.kind, self.key, self.status, self.records, self.detail]


REPORT_COLUMNS = ["item", "kind", "query", "status", "records", "detail"]


@dataclass
class Collection:
    targets: list[str]
    started: str
    reports: list[ItemReport] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # "<kind>:<key>" -> cached JSON
    records: list[Record] = field(default_factory=list)
    notes: Tally = field(default_factory=Tally)

    @property
    def errors(self) -> list[ItemReport]:
        return [r for r in self.reports if r.status == "error"]

    def source(self) -> NodeRecord:
        """The Source of this run, named by the answers it holds: the same answers, the same Source."""
        digest = hashlib.sha256(json.dumps(self.answers, sort_keys=True).encode()).hexdigest()
        run = f"{SOURCE_KIND}:{digest[:16]}"
        summary = {
            "targets": self.targets,
            "fetched": sum(r.status == "fetched" for r in self.reports),
            "cached": sum(r.status == "cached" for r in self.reports),
            "errors": {r.item: r.detail for r in self.errors},
            "skipped": dict(sorted(self.notes.skipped.items())),
        }
        props = {
            "kind": SOURCE_KIND,
            "path": " ".join(self.targets),
            "loaded_at": self.started,
            "records": len(self.records),
            "rejects": len(self.errors),
            "summary": json.dumps(summary, sort_keys=True),
        }
        return NodeRecord("Source", run, props, source=run)


def classify(item: str) -> tuple[str, str]:
    """(kind, query key) of one target; ItemError when it is none of address, AS number, domain."""
    text = item.strip()
    try:
        return "address", names.ip(text)
    except names.InvalidName:
        pass
    if re.fullmatch(r"(?i)as\d{1,10}", text):
        return "autnum", str(int(text[2:]))
    try:
        registered, _ = names.suffixes(names.domain(text))
    except names.InvalidName as exc:
        raise ItemError(str(exc)) from None
    return "domain", registered


class RdapCollector:
    def __init__(self, settings: RdapSettings) -> None:
        self.settings = settings
        self.cache = Cache(settings.cache_dir)
        self.limiter = RateLimiter(settings.rate)
        self._bootstraps: dict[str, Bootstrap] = {}

    def collect(self, targets: list[str]) -> Collection:
        collection = Collection(targets, times.from_epoch(time.time()))
        for item in dict.fromkeys(targets):
            report = ItemReport(item, "?", item)
            collection.reports.append(report)
            try:
                report.kind, report.key = classify(item)
                answer, report.status = self._answer(report.kind, report.key)
                records = list(self._records(report.kind, answer, collection.notes))
            except ItemError as exc:
                report.status, report.detail = "error", str(exc)
                continue
            collection.answers[f"{report.kind}:{report.key}"] = answer
            collection.records.extend(records)
            report.records = len(records)
        return collection

    @staticmethod
    def _records(kind: str, answer: Any, notes: Tally) -> Iterator[Record]:
        from graphkit.parsers.rdap import RdapError, document_records, ipwhois_records  # with the first answer

        try:
            if kind == "address":
                yield from list(ipwhois_records(answer, notes))
            else:
                yield from list(document_records(answer, notes))
        except RdapError as exc:
            raise ItemError(f"unreadable answer: {exc}") from None

    def _answer(self, kind: str, key: str) -> tuple[Any, str]:
        if not self.settings.refresh:
            cached = self.cache.get(kind, key)
            if cached is not None:
                return cached, "cached"
        fetch = {"address": self._address, "domain": self._domain, "autnum": self._autnum}[kind]
        answer = self._retrying(lambda: fetch(key))
        self.cache.put(kind, key, answer)
        return answer, "fetched"

    def _retrying(self, attempt: Callable[[], T]) -> T:
        delay = self.settings.backoff
        for tries_left in range(self.settings.retries, -1, -1):
            self.limiter.wait()
            try:
                return attempt()
            except ItemError as exc:
                if not exc.retryable or tries_left == 0:
                    if exc.retryable:
                        raise ItemError(f"{exc} (after {self.settings.retries + 1} attempts)") from None
                    raise
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    # --- domains and AS numbers: RDAP over HTTP, found through the bootstrap registry ---

    def _get(self, url: str) -> Any:
        return http_json(mirrored(url, self.settings.mirror), self.settings.timeout)

    def bootstrap(self, kind: str) -> Bootstrap:
        if kind not in self._bootstraps:
            self._bootstraps[kind] = Bootstrap(self._bootstrap_doc(kind))
        return self._bootstraps[kind]

    def _bootstrap_doc(self, kind: str) -> dict[str, Any]:
        given = self.settings.bootstrap
        if given and not given.startswith(("http://", "https://")):
            try:
                doc = json.loads(Path(given).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise GraphkitError(f"--bootstrap {given}: cannot read an IANA bootstrap registry ({exc})") from None
            found = _bootstrap_part(doc, kind)
            if found is not None:
                return found
        url = given if given and given.startswith(("http://", "https://")) else IANA_BOOTSTRAP.format(kind=kind)
        cached = self.cache.get("bootstrap", kind, BOOTSTRAP_MAX_AGE)
        if cached is None or self.settings.refresh:
            try:
                cached = self._retrying(lambda: self._get(url))
            except ItemError as exc:
                raise ItemError(f"no IANA bootstrap registry: {exc}") from None
            self.cache.put("bootstrap", kind, cached)
        found = _bootstrap_part(cached, kind)
        if found is None:
            raise ItemError(f"{url} is not an IANA bootstrap registry for {kind}")
        return found

    def _domain(self, name: str) -> list[Any]:
        base = self.bootstrap("dns").for_domain(name)
        if base is None:
            raise ItemError(f"no RDAP service for {name} in the IANA bootstrap registry")
        answer = self._get(f"{base.rstrip('/')}/domain/{quote(name)}")
        answers = [answer]
        if self.settings.follow_related:
            answers.extend(self._related(answer))
        return answers

    def _related(self, answer: Any) -> Iterator[Any]:
        for link in answer.get("links") or [] if isinstance(answer, dict) else []:
            if isinstance(link, dict) and link.get("rel") == "related" and "rdap" in str(link.get("type", "")):
                try:
                    yield self._get(str(link.get("href")))
                except ItemError:
                    continue  # the registry's answer stands on its own

    def _autnum(self, number: str) -> Any:
        base = self.bootstrap("asn").for_asn(int(number))
        if base is None:
            raise ItemError(f"no RDAP service for AS{number} in the IANA bootstrap registry")
        return self._get(f"{base.rstrip('/')}/autnum/{number}")

    # --- addresses: ipwhois ---

    def _address(self, address: str) -> Any:
        from ipwhois import IPWhois
        from ipwhois.exceptions import (
            BaseIpwhoisException,
            HTTPLookupError,
            HTTPRateLimitError,
            IPDefinedError,
        )

        try:
            whois = IPWhois(address, timeout=self.settings.timeout)
        except IPDefinedError as exc:
            raise ItemError(f"not a public address ({exc})") from None
        if self.settings.asn_dns:
            host, port = host_port(self.settings.asn_dns)
            whois.net.dns_resolver.nameservers = [host]
            whois.net.dns_resolver.port = port
        try:
            with ipwhois_urls(self.settings.mirror):
                result = whois.lookup_rdap(
                    inc_raw=True,
                    retry_count=0,  # retries (with backoff) are ours
                    depth=0,
                    asn_methods=list(self.settings.asn_methods),
                    inc_nir=False,
                    rate_limit_timeout=0,
                )
        except HTTPRateLimitError as exc:
            raise ItemError(f"rate limited ({exc})", retryable=True) from None
        except HTTPLookupError as exc:
            permanent = re.search(r"error code 4\d\d", str(exc)) is not None
            raise ItemError(str(exc), retryable=not permanent) from None
        except BaseIpwhoisException as exc:
            raise ItemError(f"{type(exc).__name__}: {exc}", retryable=True) from None
        return json.loads(json.dumps(result, default=str))


def host_port(text: str, default_port: int = 53) -> tuple[str, int]:
    """'127.0.0.1:5353', '[::1]:5353' or a bare host -> (host, port)."""
    found = re.fullmatch(r"\[?([^\]]+?)\]?(?::(\d+))?", text.strip())
    if not found or (":" in found.group(1) and not text.strip().startswith("[") and found.group(2)):
        return text.strip(), default_port
    return found.group(1), int(found.group(2) or default_port)


def _registry_kind(doc: dict[str, Any]) -> str:
    """What a bootstrap registry maps: AS ranges, IP prefixes or DNS labels."""
    entries = [
        e
        for service in doc.get("services") or []
        if isinstance(service, list) and len(service) >= 2
        for e in service[-2]
        if isinstance(e, str)
    ]
    if entries and all(re.fullmatch(r"\d+(-\d+)?", e) for e in entries):
        return "asn"
    if any("/" in e for e in entries):
        return "ipv6" if any(":" in e for e in entries) else "ipv4"
    return "dns"


def _bootstrap_part(doc: Any, kind: str) -> dict[str, Any] | None:
    """The registry for one kind: the document itself, or its part in a combined snapshot."""
    if isinstance(doc, dict) and isinstance(doc.get("services"), list):
        return doc if _registry_kind(doc) == kind else None
    part = doc.get(kind) if isinstance(doc, dict) else None
    return part if isinstance(part, dict) and isinstance(part.get("services"), list) else None
