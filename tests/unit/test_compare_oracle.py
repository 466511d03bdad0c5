"""The comparison rules no longer use deepdiff (it cost ~1 ms per rule `conditions` on large
plans): a randomised check that the structural comparison agrees with the deepdiff-based one it
replaced, on nested JSON values of every kind the vendors send."""

from __future__ import annotations

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from netsync.compare import align, canonical, equal


def marked(value):
    """Booleans as markers: deepdiff (and ==) call False equal to 0, which the SPEC forbids
    ("booleans are never numbers"); the old rule broke it inside lists and sets."""
    if isinstance(value, bool):
        return f"<{value}>"
    if isinstance(value, dict):
        return {k: marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [marked(v) for v in value]
    return value


def oracle(desired, live, *, unordered: bool = False) -> bool:
    """The deepdiff-based rule, as netsync had it before, with booleans kept apart."""
    if unordered:
        a, b = marked(canonical(desired)), marked(canonical(live))
        if isinstance(a, list | dict) and isinstance(b, list | dict):
            return not DeepDiff(a, b, ignore_order=True)
        return type(a) is type(b) and a == b
    a, b = (marked(v) for v in align(desired, live))
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return not DeepDiff(a, b)
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.0, 1.0, 2.5, -1.0]),
    st.sampled_from(["", "1", "2.5", "a", "A", "NY", "2026-03-31T16:00:00Z",
                     "2026-03-31T18:00:00+02:00", "c3d4e5f6-7890-1abc-def2-34567890abcd",
                     "C3D4E5F6-7890-1ABC-DEF2-34567890ABCD"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["field", "value", "operator", "id"]), inner, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=600, derandomize=True)
@given(values, values)
def test_ordered_comparison_agrees_with_deepdiff(desired, live):
    """Any two values: equal exactly when the deepdiff-based rule said so."""
    assert equal(desired, live) == oracle(desired, live)


@settings(max_examples=600, derandomize=True)
@given(values, values)
def test_set_comparison_agrees_with_deepdiff(desired, live):
    """Set fields (routing conditions, staff ids): the same answer as deepdiff ignore_order."""
    assert equal(desired, live, unordered=True) == oracle(desired, live, unordered=True)


@settings(max_examples=300, derandomize=True)
@given(st.lists(values, max_size=5), st.randoms())
def test_a_set_equals_any_shuffle_of_itself(items, random):
    """Whatever the items, a shuffled set field is the same set."""
    shuffled = list(items)
    random.shuffle(shuffled)
    assert equal(items, shuffled, unordered=True)
