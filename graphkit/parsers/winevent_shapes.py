"""One Windows event, whatever shape its export gave it: evtx_dump's and the EVTX reader's
(`Event.System`, `Event.EventData`), Winlogbeat's (`winlog.*`), PowerShell's Get-WinEvent
(`Id`, `MachineName`, the data as `Message` lines), flat exports (NXLog), and XML elements;
the readers are in `winevents`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MESSAGE_FIELD = re.compile(r"^(\w+): ?(.*)$")  # Get-WinEvent's Message: "QueryName: example.com"
DOTNET_DATE = re.compile(r"/Date\((-?\d+)\)/")
WINDOWS_EPOCH_YEAR = 1601  # a FILETIME of zero: a record with no time


@dataclass
class WinEvent:
    number: int  # record or line number in the file, for rejects
    event_id: int | None
    computer: str | None
    time: float | None  # when the event was written (System/TimeCreated), epoch seconds
    data: dict[str, Any] = field(default_factory=dict)  # EventData / UserData fields by name
    provider: str = ""
    text: bytes = b""  # what the event was read from, shown if it is rejected
    problem: str = "not a Windows event (no event id)"  # why, if it has no event id


def local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def from_element(event: ET.Element, number: int) -> WinEvent:
    system: dict[str, ET.Element] = {}
    data: dict[str, Any] = {}
    for part in event:
        name = local(part.tag)
        if name == "System":
            system = {local(child.tag): child for child in part}
        elif name in ("EventData", "UserData"):
            for child in part.iter():
                key = child.get("Name") or (local(child.tag) if child is not part and not len(child) else None)
                if key:
                    data[key] = child.text or ""
    provider = system.get("Provider")
    created = system.get("TimeCreated")
    return WinEvent(
        number=number,
        event_id=_int(system["EventID"].text if "EventID" in system else None),
        computer=system["Computer"].text if "Computer" in system else None,
        time=_time(created.get("SystemTime") if created is not None else None),
        data=data,
        provider=(provider.get("Name") or "") if provider is not None else "",
        text=ET.tostring(event)[:300],
    )


def from_document(document: Any, number: int, text: bytes) -> WinEvent:
    if not isinstance(document, dict):
        return WinEvent(number, None, None, None, text=text)
    event = document.get("Event")
    if isinstance(event, dict):  # evtx_dump / the EVTX reader
        system = event.get("System") or {}
        data = event.get("EventData") or _user_data(event.get("UserData"))
        return WinEvent(
            number=number,
            event_id=_int(_value(system.get("EventID"))),
            computer=_str(system.get("Computer")),
            time=_time(_attribute(system.get("TimeCreated"), "SystemTime")),
            data=data if isinstance(data, dict) else {},
            provider=_str(_attribute(system.get("Provider"), "Name")) or "",
            text=text,
        )
    winlog = document.get("winlog")
    if isinstance(winlog, dict):  # Winlogbeat / Elastic
        host: dict[str, Any] = document["host"] if isinstance(document.get("host"), dict) else {}
        return WinEvent(
            number=number,
            event_id=_int(winlog.get("event_id") or _nested(document, "event", "code")),
            computer=_str(winlog.get("computer_name") or host.get("hostname") or host.get("name")),
            time=_time(document.get("@timestamp")),
            data=winlog["event_data"] if isinstance(winlog.get("event_data"), dict) else {},
            provider=_str(winlog.get("provider_name")) or "",
            text=text,
        )
    if "Id" in document and "MachineName" in document:  # Get-WinEvent | ConvertTo-Json
        return WinEvent(
            number=number,
            event_id=_int(document.get("Id")),
            computer=_str(document.get("MachineName")),
            time=_time(document.get("TimeCreated")),
            data=_message_fields(document.get("Message")),
            provider=_str(document.get("ProviderName")) or "",
            text=text,
        )
    # flat (NXLog and the like): the data fields beside the system ones
    return WinEvent(
        number=number,
        event_id=_int(document.get("EventID", document.get("EventId"))),
        computer=_str(document.get("Computer") or document.get("Hostname") or document.get("ComputerName")),
        time=_time(document.get("EventTime") or document.get("TimeCreated") or document.get("@timestamp")),
        data=document,
        provider=_str(document.get("SourceName") or document.get("ProviderName")) or "",
        text=text,
    )


def _user_data(user_data: Any) -> dict[str, Any]:
    """UserData holds one element of its own name whose children are the fields."""
    if isinstance(user_data, dict) and len(user_data) == 1:
        inner = next(iter(user_data.values()))
        if isinstance(inner, dict):
            return {k: v for k, v in inner.items() if k != "#attributes"}
    return {}


def _message_fields(message: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    if isinstance(message, str):
        for line in message.splitlines():
            match = MESSAGE_FIELD.match(line.strip())
            if match:
                fields.setdefault(match.group(1), match.group(2))
    return fields


def _nested(document: dict[str, Any], *path: str) -> Any:
    value: Any = document
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _attribute(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        attributes = value.get("#attributes")
        return attributes.get(name) if isinstance(attributes, dict) else value.get(name)
    return value


def _value(value: Any) -> Any:
    """An element with attributes reads as {"#attributes": ..., "#text": value}."""
    return value.get("#text") if isinstance(value, dict) else value


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    value = _value(value)
    return value if isinstance(value, str) and value else None


def _time(value: Any) -> float | None:
    """ISO 8601 (UTC unless it says otherwise), or .NET's /Date(ms)/; None for none or a zero FILETIME."""
    if isinstance(value, dict):
        value = value.get("value") or value.get("DateTime")
    if not isinstance(value, str):
        return None
    dotnet = DOTNET_DATE.search(value)
    if dotnet:
        return int(dotnet.group(1)) / 1000
    return utc_time(value)


def utc_time(value: str) -> float | None:
    """'2021-12-04 21:19:10.604' (Sysmon's UtcTime) or ISO 8601; None when it is not a time."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python's fromisoformat reads at most 6 fractional digits; Windows writes 7
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.year <= WINDOWS_EPOCH_YEAR:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
