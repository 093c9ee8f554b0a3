"""Observation records: the JSON-lines form and validation against the schema."""

from __future__ import annotations

import pytest

from graphkit.model.records import EdgeRecord, NodeRecord, RecordError, from_json, to_json, validate


def test_round_trip() -> None:
    records = [
        NodeRecord("Domain", "example.com", {"created": "2016-01-01"}, "zone:abc"),
        EdgeRecord(
            "LOOKED_UP",
            "IPAddress",
            "10.0.0.1",
            "Domain",
            "example.com",
            {"qtype": "A", "day": "2016-05-04", "count": 3},
            "bind:1",
        ),
        NodeRecord("ASN", 15632, {"name": "ALFA-BANK-AS"}),
    ]
    for record in records:
        assert from_json(to_json(record)) == record


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"node": "Bogus", "key": "x"}', "unknown label 'Bogus'"),
        ('{"node": "Domain"}', "Domain is missing its key 'name'"),
        ('{"node": "ASN", "key": "AS1"}', "ASN.number must be int"),
        ('{"node": "IPAddress", "key": "1.2.3.4", "props": {"version": "4"}}', "IPAddress.version must be int"),
        ('{"node": "Domain", "key": "a.com", "props": {"colour": "red"}}', "Domain has no property 'colour'"),
        (
            '{"edge": "RESOLVES_TO", "from": ["Domain", "a.com"], "to": ["Domain", "b.com"]}',
            "RESOLVES_TO cannot go from Domain to Domain",
        ),
        (
            '{"edge": "LOOKED_UP", "from": ["IPAddress", "1.1.1.1"], "to": ["Domain", "a.com"], "props": {"qtype": "A"}}',
            "LOOKED_UP is missing identity property 'day'",
        ),
        ('{"edge": "NOPE", "from": ["Domain", "a"], "to": ["Domain", "b"]}', "unknown relationship type 'NOPE'"),
    ],
)
def test_invalid_records_say_why(line: str, reason: str) -> None:
    with pytest.raises(RecordError, match=reason.replace("(", r"\(")):
        validate(from_json(line))


@pytest.mark.parametrize("line", ["not json", "[1, 2]", '{"edge": "X", "from": "a"}', '{"props": {}}', "{" * 5000])
def test_malformed_json_is_a_record_error(line: str) -> None:
    with pytest.raises(RecordError):
        validate(from_json(line))


@pytest.mark.parametrize(
    "record",
    [
        NodeRecord("Domain", "a.example", source="s\x1f1"),
        NodeRecord("Domain", "a.example", {"sources": ["ok", "s\x1f1"]}),
        EdgeRecord("RESOLVES_TO", "Domain", "a.example", "IPAddress", "10.0.0.1", source="s\x1f1"),
        EdgeRecord("RESOLVES_TO", "Domain", "a.example", "IPAddress", "10.0.0.1", {"sources": ["s\x1f1"]}),
    ],
)
def test_a_source_id_with_the_unit_separator_is_refused(record: NodeRecord | EdgeRecord) -> None:
    # the embedded store joins a relationship's sources with it
    with pytest.raises(RecordError, match="may not contain the control character U\\+001F"):
        validate(record)
