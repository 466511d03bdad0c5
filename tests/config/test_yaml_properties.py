"""Properties of the YAML loader (hypothesis): what PyYAML writes, netsync reads back equal and
located; YAML 1.1-only scalars stay strings; interpolation never changes what it does not own;
aliases load exactly up to the value budget and fail cleanly past it; and the pure-Python parser
(PyYAML without libyaml) reports the corpus as libyaml does."""

from __future__ import annotations

import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_broken_configs import CASES, ENV, expectation

from netsync.config import ConfigError, limits, load_config, yamlload
from netsync.config.document import LocDict, LocList, plain
from netsync.config.scalars import ScalarError, resolve_plain
from netsync.config.yamlload import YamlError, load_yaml

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def is_string_in_yaml_1_2(text: str) -> bool:
    """Whether YAML 1.2 reads `text`, written plain, as a string. A few texts are strings in
    YAML 1.1 but numbers in 1.2 (`0o17`, `1e5`), so PyYAML writes them unquoted; they are left
    out of the round trip (the YAML 1.1 scalars have their own property)."""
    try:
        return isinstance(resolve_plain(text), str)
    except ScalarError:
        return False


# Text a config may hold: letters, digits, punctuation, symbols and spaces of any script, but no
# control, format (bidi, zero-width), line-separator or surrogate characters, and no `$`, which
# starts an interpolation.
TEXT = st.text(
    st.characters(
        whitelist_categories=("L", "N", "P", "S", "Zs"),
        blacklist_characters="$",
    ),
    max_size=30,
)
KEYS = TEXT.filter(lambda k: k != "<<")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT.filter(is_string_in_yaml_1_2)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=6)


def load(text: str, env: dict[str, str] | None = None) -> Any:
    value, errors = load_yaml(text, "p.yaml", env or {})
    assert errors == []
    return value


def walk_locations(value: Any, lines: list[str]) -> None:
    """Every key's location points into the text, at the key (or the quote opening it)."""
    if isinstance(value, LocDict):
        for key, child in value.items():
            loc = value.key_locs[key]
            line = lines[loc.line - 1]
            assert line[loc.column - 1 :].startswith((key, "'", '"', "? ")) or key == ""
            walk_locations(child, lines)
    elif isinstance(value, LocList):
        assert len(value.item_locs) == len(value)
        for child in value:
            walk_locations(child, lines)


@PROPERTY
@given(DOCUMENTS, st.sampled_from([False, None]))
def test_what_safe_dump_writes_loads_back_equal_and_located(doc, flow):
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow, width=10_000)
    value = load(text)
    assert plain(value) == doc
    walk_locations(value, text.splitlines())


YAML_11_ONLY = st.sampled_from(
    ["on", "off", "yes", "no", "y", "n", "On", "YES", "No", "01234", "0777", "010", "1_000",
     "0b101", "12:30:00", "0x_1F", ".5e", "+.inf.", "Null", "NuLL", "tRue"]
)  # fmt: skip


@PROPERTY
@given(YAML_11_ONLY | st.dates().map(str) | st.datetimes().map(lambda d: d.isoformat()))
def test_yaml_1_1_scalars_stay_strings(text):
    expected = {"Null": None}.get(text, text)
    assert plain(load(f"key: {text}\n")) == {"key": expected}


@PROPERTY
@given(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1))
def test_plain_integers_are_integers(number):
    assert plain(load(f"key: {number}\n")) == {"key": number}


@PROPERTY
@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=40))
def test_a_quoted_variable_loads_back_its_exact_value_and_remembers_it(secret):
    value = load('key: "${SECRET}"\nliteral: "$${SECRET}"\n', {"SECRET": secret})
    assert plain(value) == {"key": secret, "literal": "${SECRET}"}
    assert value.value_vars == {"key": ("SECRET",)}


@PROPERTY
@given(st.lists(TEXT | st.just("$") | st.just("$$"), max_size=6).map("".join))
def test_a_dollar_not_starting_an_interpolation_is_kept(text):
    text = text.replace("${", "$ {")
    quoted = yaml.safe_dump({"key": text}, allow_unicode=True, width=10_000)
    assert plain(load(quoted)) == {"key": text}


def bomb(levels: int, width: int) -> tuple[str, int]:
    """A list-of-aliases bomb and how many values it expands to (keys and the root included)."""
    lines, size = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"], 1 + width
    total = 2 + size  # the root mapping, the key a0, and its value
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
        size = 1 + width * size
        total += 1 + size
    return "\n".join(lines) + "\n", total


@pytest.fixture
def small_budget(monkeypatch):
    """A small budget, so the property explores both sides of it quickly."""
    monkeypatch.setattr(limits, "MAX_VALUES", 2_000)


@PROPERTY
@given(st.integers(1, 6), st.integers(1, 8))
def test_aliases_load_exactly_up_to_the_value_budget(small_budget, levels, width):
    text, total = bomb(levels, width)
    if total > limits.MAX_VALUES:
        with pytest.raises(YamlError, match=r"alias \*a\d+ makes the config larger than 2,000"):
            load_yaml(text, "p.yaml", {})
        return
    expected: dict[str, Any] = {"a0": ["lol"] * width}
    for level in range(1, levels):
        expected[f"a{level}"] = [expected[f"a{level - 1}"]] * width
    assert plain(load(text)) == expected


SMALL_CASES = [
    case
    for case in CASES
    if (case.is_dir() or case.stat().st_size < 20_000)
    and "bomb" not in case.name
    and "budget" not in case.name
]


@pytest.mark.parametrize("case", SMALL_CASES, ids=[c.name for c in SMALL_CASES])
def test_the_pure_python_parser_reports_the_corpus_like_libyaml(case, monkeypatch):
    monkeypatch.setattr(yamlload, "_FastParser", None)
    monkeypatch.delenv("NETSYNC_TEST_SURELY_UNSET", raising=False)
    monkeypatch.delenv("NETSYNC_TRACKOPS_URL", raising=False)
    _, line, _, message = expectation(case)
    with pytest.raises(ConfigError) as info:
        load_config(case, ENV)
    reported = "\n".join(str(d) for d in info.value.diagnostics)
    assert message in reported and f":{line}:" in reported, reported


def test_every_letter_key_is_kept_as_written():
    keys = {c: i for i, c in enumerate(string.ascii_letters)}
    assert plain(load(yaml.safe_dump(keys))) == keys
