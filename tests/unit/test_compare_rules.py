"""The comparison rules (what counts as a change) and the canonical form digests use.

Each test names the rule it guards; hypothesis checks the rules hold for any value, not just the
handful the end-to-end plans happen to contain.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from netsync.compare import FieldRules, canonical, equal

UUID_UPPER = "C3D4E5F6-7890-1ABC-DEF2-34567890ABCD"
UUID_LOWER = UUID_UPPER.lower()


def test_numbers_compare_by_decimal_value_whatever_their_json_type():
    """50 = 50.0 = "50"; 33.5 != 33.50001."""
    assert equal(50, 50.0) and equal(50, "50") and equal("50.0", 50)
    assert not equal(33.5, 33.50001)
    assert not equal(50, "fifty")


def test_booleans_are_never_numbers():
    """true is not 1 and false is not 0."""
    assert not equal(True, 1) and not equal(False, 0) and not equal(1, True)
    assert equal(True, True) and not equal(True, False)


def test_ids_compare_case_insensitively_and_names_exactly():
    """A firm id in either case is the same id; other strings compare as written."""
    assert equal(UUID_UPPER, UUID_LOWER)
    assert not equal("Rivera", "rivera")


def test_date_times_compare_as_instants():
    """The same instant in two offsets, or with Z, is equal; another instant is not."""
    assert equal("2026-03-31T16:00:00Z", "2026-03-31T18:00:00+02:00")
    assert equal("2026-03-31T16:00:00.000Z", "2026-03-31T16:00:00+00:00")
    assert not equal("2026-03-31T16:00:00Z", "2026-03-31T16:00:01Z")


def test_absent_equals_null_but_empty_values_are_values():
    """A live field that is absent equals null; "" and [] are not null."""
    assert equal(None, None)
    assert not equal("", None) and not equal([], None) and not equal(None, "")


def test_lists_are_ordered_unless_the_field_is_a_set():
    """Staff id lists and routing conditions are sets; other lists keep their order."""
    rules = FieldRules(unordered=frozenset({"conditions"}))
    a = [{"field": "caseType", "value": ["PI"]}, {"field": "jurisdiction", "value": "NY"}]
    assert rules.equal("conditions", a, list(reversed(a)))
    assert not rules.equal("other", a, list(reversed(a)))
    assert not rules.equal("conditions", a, a[:1])


def test_nested_values_follow_the_same_rules():
    """Numbers and ids inside objects and lists compare by the rules above."""
    assert equal({"fee": 25, "firm": UUID_UPPER}, {"fee": 25.0, "firm": UUID_LOWER})
    assert not equal({"fee": 25}, {"fee": 26})
    assert equal([1, 2.0], [1.0, 2])


def test_diff_names_changed_fields_sorted_and_reports_the_managed_live_values():
    """`before` holds the live value of every declared field; `changed` only those that
    differ, sorted."""
    diff = FieldRules().diff({"b": 2, "a": 1, "c": 3}, {"a": 1, "b": 3, "extra": 9})
    assert diff.before == {"b": 3, "a": 1, "c": None}
    assert diff.changed == ["b", "c"]
    assert diff.fixed == []


def test_whole_objects_are_managed_per_declared_subfield():
    """client/contact: only declared subfields count, as dotted paths; undeclared live
    subfields are neither compared nor shown."""
    rules = FieldRules(whole_objects=frozenset({"contact"}))
    live = {"contact": {"email": "old@example.com", "phone_office": "555", "last_name": "A"}}
    diff = rules.diff({"contact": {"email": "new@example.com", "last_name": "A"}}, live)
    assert diff.changed == ["contact.email"]
    assert diff.before == {"contact": {"email": "old@example.com", "last_name": "A"}}
    assert rules.diff({"contact": {"last_name": "A"}}, {"contact": None}).changed == [
        "contact.last_name"
    ]


def test_keyed_lists_match_items_by_their_key():
    """custom_fields are matched by id: order does not matter, a changed value is named by
    its id, an item missing live is a change."""
    rules = FieldRules(keyed_lists={"custom_fields": "id"})
    live = {"custom_fields": [{"id": 2, "value": "b"}, {"id": 1, "value": "a"}]}
    same = {"custom_fields": [{"id": 1, "value": "a"}, {"id": 2, "value": "b"}]}
    assert rules.diff(same, live).changed == []
    changed = {
        "custom_fields": [{"id": 1, "value": "a"}, {"id": 2, "value": "c"}, {"id": 3, "value": 0}]
    }
    diff = rules.diff(changed, live)
    assert diff.changed == ["custom_fields.2", "custom_fields.3"]
    assert diff.before["custom_fields"][1] == {"id": 2, "value": "b"}


def test_create_only_differences_are_reported_apart_from_changes():
    """A create-only field that differs is `fixed` (a warning), never a change to make."""
    rules = FieldRules(create_only=frozenset({"case_type_id"}))
    diff = rules.diff({"case_type_id": 2, "due_on": "x"}, {"case_type_id": 1, "due_on": "x"})
    assert diff.changed == [] and diff.fixed == ["case_type_id"]


def test_canonical_forms_print_the_same_for_equal_values():
    """Digests see 50, 50.0 and "50" alike, ids in one case, sets sorted; other values apart."""
    rules = FieldRules(unordered=frozenset({"ids"}))
    assert rules.canonical("fee", 50) == rules.canonical("fee", 50.0) == "5E+1"
    assert rules.canonical("fee", "50") == rules.canonical("fee", 50)
    assert rules.canonical("fee", 50) != rules.canonical("fee", 51)
    assert rules.canonical("firm", UUID_UPPER) == UUID_LOWER
    assert rules.canonical("ids", ["b", "a"]) == rules.canonical("ids", ["a", "b"])
    assert rules.canonical("list", ["b", "a"]) != rules.canonical("list", ["a", "b"])
    assert canonical({"a": None, "b": 1}) == {"b": Decimal(1)}


# Values as JSON and YAML carry them: ints and floats.
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)


@given(numbers)
def test_any_number_equals_itself_as_int_float_or_string(value):
    """Property: a number equals its own string form (a vendor may send "50" for 50)."""
    assert equal(value, str(value))
    assert not equal(value, str(value) + "1")
    assert FieldRules().canonical("x", value) == FieldRules().canonical("x", str(value))


@given(st.lists(st.text(min_size=1, max_size=5), max_size=6))
def test_any_set_field_is_order_blind(items):
    """Property: a set field equals any permutation of itself."""
    rules = FieldRules(unordered=frozenset({"s"}))
    assert rules.equal("s", items, list(reversed(items)))
    assert rules.canonical("s", items) == rules.canonical("s", list(reversed(items)))


@given(st.text(max_size=20), st.text(max_size=20))
def test_plain_strings_are_equal_only_when_identical(a, b):
    """Property: strings that are not ids, numbers or date-times compare exactly."""
    if canonical(a) == a and canonical(b) == b:
        assert equal(a, b) == (a == b)


def test_nested_objects_compare_every_key_of_either_side():
    """A key only one side has is a difference (absent = null against a value)."""
    assert not equal({"a": 1}, {"a": 1, "b": 2})
    assert not equal({"a": 1, "b": 2}, {"a": 1})
    assert equal({"a": 1, "b": None}, {"a": 1})


def test_null_against_a_value_is_a_change_either_way():
    """null never equals 0, "" or false, on either side."""
    for value in (0, "", False, []):
        assert not equal(None, value) and not equal(value, None)


def test_diff_collects_changes_of_every_kind_of_field():
    """Plain, whole-object and keyed-list changes of one resource are all listed."""
    rules = FieldRules(whole_objects=frozenset({"client"}), keyed_lists={"custom_fields": "id"})
    desired = {
        "due_on": "2026-07-01",
        "client": {"name": "B"},
        "custom_fields": [{"id": 1, "value": "x"}],
    }
    live = {"due_on": "2026-06-01", "client": {"name": "A"}, "custom_fields": []}
    assert rules.diff(desired, live).changed == ["client.name", "custom_fields.1", "due_on"]


def test_date_times_without_an_offset_are_utc_and_z_may_be_lower_case():
    """A date-time without an offset is read as UTC; `z` and `Z` are the same."""
    assert equal("2026-03-31T16:00:00", "2026-03-31T16:00:00Z")
    assert equal("2026-03-31T16:00:00z", "2026-03-31T18:00:00+02:00")
    assert not equal("2026-03-31T16:00:00", "2026-03-31T16:00:00+02:00")


def test_set_fields_see_instants_numbers_and_ids_alike():
    """Inside a set field, items are canonical: instants, numbers and ids in one form."""
    rules = FieldRules(unordered=frozenset({"s"}))
    assert rules.equal("s", ["2026-03-31T16:00:00Z", 5, UUID_UPPER], [UUID_LOWER, "5.0",
                       "2026-03-31T18:00:00+02:00"])  # fmt: skip
    assert not rules.equal("s", ["2026-03-31T16:00:00Z"], ["2026-03-31T16:00:01Z"])


def test_canonical_forms_reach_into_objects():
    """Numbers nested in objects digest alike too (25 and 25.0 inside `splitOriginatingStaff…`)."""
    rules = FieldRules()
    assert rules.canonical("x", {"ratio": 25, "at": "2026-03-31T16:00:00Z"}) == rules.canonical(
        "x", {"ratio": 25.0, "at": "2026-03-31T18:00:00+02:00"}
    )
    assert rules.canonical("x", {"ratio": 25}) != rules.canonical("x", {"ratio": 26})
