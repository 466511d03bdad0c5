"""The SPEC section 4 document and schemas/plan.schema.json, which must accept it and reject
anything else."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from netsync.model import Action, Change, Plan, ResourceType
from netsync.render import document_text, plan_to_json, render

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_json_output_validates(plan: Plan, validator: Draft202012Validator) -> None:
    doc = json.loads(render(plan, "json"))
    assert list(validator.iter_errors(doc)) == []
    assert doc == plan_to_json(plan)
    lines = render(plan, "json").splitlines()
    changes = [json.loads(line.strip().rstrip(",")) for line in lines if '"action"' in line]
    assert changes == doc["changes"], "one change per line, in order"
    assert lines[1] == '  "format_version": "1",' and lines[-1] == "}"


def test_document_text_layout() -> None:
    document = {"a": [{"x": 1}, [2]], "b": {}, "c": {"k": {"y": "é"}, "m": None}, "d": []}
    text = document_text(document)
    assert json.loads(text) == document
    assert text == (
        '{\n  "a": [\n    {"x": 1},\n    [2]\n  ],\n  "b": {},\n'
        '  "c": {\n    "k": {"y": "\\u00e9"},\n    "m": null\n  },\n  "d": []\n}\n'
    )


def test_document_shape(plan: Plan) -> None:
    doc = plan_to_json(plan)
    assert list(doc) == ["format_version", "changes", "summary", "errors", "warnings"]
    assert doc["format_version"] == "1"
    addresses = [c["address"] for c in doc["changes"]]
    assert addresses == sorted(addresses)
    assert len(addresses) == len(plan.changes), "no-ops are listed too"
    assert {c["action"] for c in doc["changes"]} == {
        "create",
        "update",
        "re-refer",
        "delete",
        "no-op",
    }
    assert list(doc["summary"]) == ["create", "update", "re-refer", "delete", "no-op"]
    assert doc["summary"] == {"create": 2, "update": 5, "re-refer": 1, "delete": 1, "no-op": 2}
    for change in doc["changes"]:
        assert list(change) == ["address", "type", "id", "action", "fields", "before", "after"]
        if change["action"] == "create":
            assert change["before"] is None
    rivera = next(c for c in doc["changes"] if c["address"] == "network.outbound.rivera")
    assert rivera["before"]["sendingPercentage"] == 33.5
    assert rivera["after"]["sendingPercentage"] == 50
    assert isinstance(rivera["after"]["sendingPercentage"], int)
    assert doc["warnings"][0] == {
        "address": "network.outbound.rivera",
        "message": "awaiting the other firm's acceptance",
        "file": None,
        "line": None,
        "column": None,
    }
    assert doc["errors"][0]["file"] == "cases.yaml" and doc["errors"][0]["line"] == 3


def test_empty_plan_validates(validator: Draft202012Validator) -> None:
    doc = plan_to_json(Plan())
    assert validator.is_valid(doc)
    assert doc["summary"] == {"create": 0, "update": 0, "re-refer": 0, "delete": 0, "no-op": 0}


def _mutate(doc: dict, path: list, value: object = None, delete: bool = False) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "delete"),
    [
        (["changes", 0, "action"], "replace", False),
        (["changes", 0, "type"], "casexchange_firm", False),
        (["changes", 0, "fields"], None, True),
        (["changes", 0, "before"], None, True),
        (["summary", "no-op"], None, True),
        (["summary", "noop"], 0, False),
        (["summary", "create"], -1, False),
        (["format_version"], "2", False),
        (["format_version"], None, True),
        (["warnings"], None, True),
        (["errors", 0, "column"], None, True),
        (["errors", 0, "line"], "3", False),
        (["targets"], {"casexchange": {"firm": "x"}}, False),
        (["targets"], {"github": {"base_url": "https://x"}}, False),
        (["resources"], {"cases.x": {"live_digest": "a"}}, False),
    ],
)
def test_schema_rejects(
    plan: Plan, validator: Draft202012Validator, path: list, value: object, delete: bool
) -> None:
    doc = plan_to_json(plan)
    assert validator.is_valid(doc)
    assert not validator.is_valid(_mutate(doc, path, value, delete))


@pytest.mark.parametrize("path", [["changes", 0, "impact_note"], ["unexpected"]])
def test_schema_allows_additions_to_format_1(
    plan: Plan, validator: Draft202012Validator, path: list
) -> None:
    """SPEC 4: format 1 is open for additions at the top level and in `changes` items."""
    assert validator.is_valid(_mutate(plan_to_json(plan), path, {"any": "value"}))


def _first(doc: dict, action: str) -> int:
    return next(i for i, c in enumerate(doc["changes"]) if c["action"] == action)


@pytest.mark.parametrize(
    ("action", "key", "value"),
    [
        ("create", "before", {"x": 1}),
        ("create", "after", None),
        ("delete", "after", {"x": 1}),
        ("update", "fields", []),
        ("update", "before", None),
        ("no-op", "fields", ["status"]),
    ],
)
def test_schema_rejects_inconsistent_change(
    plan: Plan, validator: Draft202012Validator, action: str, key: str, value: object
) -> None:
    doc = plan_to_json(plan)
    bad = _mutate(doc, ["changes", _first(doc, action), key], value)
    assert not validator.is_valid(bad)


def test_plan_file_extras_validate(plan: Plan, validator: Draft202012Validator) -> None:
    doc = plan_to_json(plan)
    doc.update(
        netsync_version="0.1.0",
        targets={
            "casexchange": {"base_url": "https://api.casexchange.com", "firm": "a1b2"},
            "smokeball": {"base_url": "https://api.smokeball.com"},
            "trackops": {"base_url": "https://acme.viewcases.com"},
        },
        config_digest="sha256:abc",
        resources={
            "network.outbound.caldwell": {"live_digest": None, "desired_digest": "d1"},
            "network.outbound.rivera": {"live_digest": "l2", "desired_digest": "d2"},
        },
        salt="s3",
    )
    assert list(validator.iter_errors(doc)) == []


def test_create_before_and_delete_after_are_null(validator: Draft202012Validator) -> None:
    plan = Plan(
        changes=[
            Change(
                "network.outbound.a",
                ResourceType.OUTBOUND,
                "a",
                Action.CREATE,
                before={},
                after={"sendingPercentage": 1},
            ),
            Change(
                "routing.rules.b",
                ResourceType.ROUTING_RULE,
                "b",
                Action.DELETE,
                before={"priority": 1},
                after={},
            ),
        ]
    )
    doc = plan_to_json(plan)
    assert doc["changes"][0]["before"] is None
    assert doc["changes"][1]["after"] is None
    assert validator.is_valid(doc)
