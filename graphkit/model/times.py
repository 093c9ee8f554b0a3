"""Times in one form: ISO 8601 UTC strings ('2016-05-04T09:12:03Z'), which sort as text
and read the same from both stores. Days are 'YYYY-MM-DD'."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

MIN_YEAR, MAX_YEAR = 1970, 2100
FORMAT = "%Y-%m-%dT%H:%M:%SZ"
IN_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # what _check writes


class InvalidTime(ValueError):
    """A timestamp that cannot be read; the message says why."""


def from_epoch(seconds: float) -> str:
    if not math.isfinite(seconds):
        raise InvalidTime(f"not a finite timestamp: {seconds}")
    if seconds > 1e11:  # milliseconds or microseconds since the epoch
        seconds /= 1000 if seconds < 1e14 else 1_000_000
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidTime(f"timestamp out of range: {seconds}") from None
    return _check(moment)


def from_text(text: str) -> str:
    """Epoch seconds (integer or decimal) or ISO 8601 (a missing zone means UTC)."""
    value = text.strip()
    if not value:
        raise InvalidTime("empty timestamp")
    if _in_form(value):
        return value
    try:
        return from_epoch(float(value))
    except ValueError:
        pass
    iso = value.replace(" ", "T", 1) if len(value) > 10 and value[10] == " " else value
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise InvalidTime(f"not a timestamp: {text[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _check(moment.astimezone(UTC))


def _in_form(value: str) -> bool:
    """Already in the one form, and a real time in range (most registries' dates): then
    from_text would give it back unchanged, without the cost of reading and writing it."""
    if not (value.isascii() and IN_FORM.fullmatch(value)):
        return False
    try:
        return MIN_YEAR <= datetime.fromisoformat(value[:-1]).year <= MAX_YEAR
    except ValueError:
        return False  # from_text says why


def from_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _check(moment.astimezone(UTC))


def _check(moment: datetime) -> str:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InvalidTime(f"timestamp outside {MIN_YEAR}-{MAX_YEAR}: {moment.isoformat()}")
    return moment.strftime(FORMAT)


def day_of(iso: str) -> str:
    return iso[:10]
