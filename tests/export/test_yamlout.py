"""Exported text reads back, through netsync's own loader, as exactly the values written:
nothing interpolated, nothing retyped by YAML 1.2 rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from netsync.config import RawFile, load_config_files
from netsync.export.yamlout import Entry, Section, file_text

TRICKY = [
    "Pay ${FEE} on signing",  # would be interpolated
    "literal $${ already",
    "0o17",  # an int in YAML 1.2, a string to PyYAML's 1.1 rules
    "yes",
    "1e3",
    "null",
    "2026-06-01",
    "two\nlines\n",
    " leading space",
    "",
]


@pytest.mark.parametrize("text", TRICKY)
def test_strings_read_back_unchanged(text):
    outbound = {"rivera": {"description": text, "sendingPercentage": 10}}
    sections = {
        "firms": Section(entries={"": [Entry("rivera", "c3d4e5f6-7890-1abc-def2-34567890abcd")]}),
        "network": Section(entries={"outbound": [Entry(k, v) for k, v in outbound.items()]}),
    }
    raw = RawFile(Path("x.yaml"), file_text(sections).encode())
    config = load_config_files([raw], {"FEE": "SECRET"})
    (resource,) = config.resources
    assert resource.fields["description"] == text
