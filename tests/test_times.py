"""Times in one form: text already in it is kept as it is only when reading it would give it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.model import times


def _read(text: str) -> str:
    """from_text's general path: read the ISO text, check it, write it in the one form."""
    return times.from_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))


@settings(max_examples=500, deadline=None)
@given(st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2110, 1, 1)))
def test_text_in_form_reads_as_the_general_path_reads_it(moment: datetime) -> None:
    text = moment.replace(microsecond=0).strftime(times.FORMAT)
    try:
        expected = _read(text)
    except times.InvalidTime:
        with pytest.raises(times.InvalidTime):
            times.from_text(text)
        return
    assert times.from_text(text) == expected == text


@pytest.mark.parametrize("text", ["2024-02-30T03:04:05Z", "2024-01-02T24:00:00Z", "1960-01-02T03:04:05Z"])
def test_text_in_form_but_no_time_is_refused(text: str) -> None:
    with pytest.raises(times.InvalidTime):
        times.from_text(text)


def test_other_forms_are_still_read() -> None:
    assert times.from_text("2024-01-02T03:04:05.123Z") == "2024-01-02T03:04:05Z"
    assert times.from_text("2024-01-02T05:04:05+02:00") == "2024-01-02T03:04:05Z"
    assert times.from_text(" 2024-01-02T03:04:05Z ") == "2024-01-02T03:04:05Z"
    assert times.from_text(str(int((datetime(2024, 1, 2, tzinfo=UTC) + timedelta(0)).timestamp()))) == (
        "2024-01-02T00:00:00Z"
    )
