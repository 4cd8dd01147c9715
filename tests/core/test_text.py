"""Control characters: one pair of patterns, refused where typed and stripped where taken from elsewhere."""
from __future__ import annotations

import pytest

from outreach.core.text import has_control_characters, strip_control_characters


@pytest.mark.parametrize(("value", "one_line", "multiline"), [
    ("Plain text, é and 中文", False, False),
    ("tab\there", True, False),
    ("two\nlines", True, False),
    ("two\r\nlines", True, False),
    ("line\u2028separator", True, False),
    ("nul\x00byte", True, True),
    ("escape\x1b[31m", True, True),
    ("delete\x7f", True, True),
])
def test_refused_and_stripped_by_the_same_rule(value: str, one_line: bool, multiline: bool) -> None:
    assert has_control_characters(value) is one_line
    assert has_control_characters(value, multiline=True) is multiline
    for flag in (False, True):
        stripped = strip_control_characters(value, multiline=flag)
        assert not has_control_characters(stripped, multiline=flag)
        assert stripped == value or len(stripped) < len(value)
    assert strip_control_characters("a\tb\nc\x00d\x1b", multiline=True) == "a\tb\ncd"
    assert strip_control_characters("a\tb\nc\x00d\u2029") == "abcd"


def test_a_prefill_link_loses_its_control_characters(app, login_as) -> None:
    client, _ = login_as("coordinator")
    page = client.get("/meetings/new?title=Brief%00ing%0Anow&agenda=First%0ASecond%00").text
    assert 'value="Briefingnow"' in page and "First\nSecond</textarea>" in page
