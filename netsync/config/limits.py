"""Size limits for configs.

netsync validates every pull request, so any contributor's YAML reaches it: a 489-byte alias
bomb once grew `validate` past 1.5 GB. Each limit sits far above any real network (a large firm's
config is a few thousand values in a few hundred kilobytes) and low enough that validating any
input, however hostile, ends within seconds with bounded memory.
"""

from __future__ import annotations

# Bytes, checked before parsing: reading, decoding and scanning stay cheap.
MAX_FILE_BYTES = 10_000_000
MAX_TOTAL_BYTES = 20_000_000  # every file of a directory together
MAX_FILES = 1_000  # *.yaml/*.yml files in one config directory

# Values (scalars, mappings and lists, keys included; an alias counts the values it copies),
# counted while the document is built, so an alias bomb stops at the alias that crosses it. A
# resource is about ten values, so this is some 100,000 resources: ten times the largest
# national network netsync is benchmarked with (tests/perf), which must still plan. An alias
# bomb stops here within a few seconds and a few hundred MB (tests/config/test_limits.py).
MAX_VALUES = 1_000_000
MAX_DEPTH = 64  # nesting of mappings and lists; a real config needs fewer than 10 levels

MAX_STRING = 100_000  # characters in one value (a long note is a few thousand)
MAX_KEY = 1_000  # characters in one key (a rule name, a reference, an id)
MAX_NUMBER_TEXT = 100  # characters of a number as written; Python refuses ints over 4300 digits
MAX_INTEGER = 2**63 - 1  # vendors store integers in 64 bits


def megabytes(size: int) -> str:
    """`10 MB` for messages: sizes users compare with `ls -l`, not with MiB."""
    return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
