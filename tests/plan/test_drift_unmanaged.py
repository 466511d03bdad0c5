"""Unmanaged routing rules and ignored fields (SPEC §3 `drift`, issue 9).

A routing rule added in the CaseXchange portal reroutes cases without any pull request. When the
config declares `routing.rules`, such an undeclared live rule is drift (exit 2) whatever `prune`
says, listed under "Unmanaged routing rules" with the remedies; `plan` only warns about it;
`routing.ignore` silences it; under `prune: true` it is planned as a delete. A field both declared
and ignored (`settings.ignore_fields`, a resource's `ignore_fields`) is a validate error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support import QUICKSTART, converged_seed, quickstart_seed, write_config

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
PORTAL_RULE_ID = "7e7e7e7e-1234-4abc-8def-0123456789ab"
PORTAL_RULE = "Portal: TX Trucking to Rivera"
ADDRESS = f"routing.rules.{PORTAL_RULE}"
REMEDIES = (
    "Declare them under routing.rules",
    "delete them in the CaseXchange portal",
    "routing.prune: true",
    "routing.ignore",
)


def with_portal_rule(seed: dict) -> dict:
    """The world plus one rule nobody declared (added in the vendor portal)."""
    seed["routing_rules"].append(
        {
            "id": PORTAL_RULE_ID,
            "name": PORTAL_RULE,
            "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "TX"}],
            "targetFirmId": RIVERA,
            "priority": 9,
            "isActive": True,
        }
    )
    return seed


def quickstart_copy(tmp_path: Path, routing_extra: str = "", prune: bool = False) -> Path:
    """The quickstart config in tmp_path, with `prune` set and lines added under `routing:`."""
    folder = tmp_path / "network"
    folder.mkdir(parents=True)
    for path in QUICKSTART.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    routing = folder / "routing.yaml"
    text = routing.read_text()
    assert "  prune: false\n" in text
    text = text.replace("  prune: false\n", f"  prune: {str(prune).lower()}\n{routing_extra}")
    routing.write_text(text)
    return folder


def test_drift_text_lists_an_unmanaged_rule_with_remedies(netsync, sandbox, tmp_path):
    """`drift` (text) exits 2 and lists the undeclared live rule under "Unmanaged routing
    rules" with its id and live fields, followed by the remedies; the summary counts it."""
    sb = sandbox(with_portal_rule(converged_seed()))
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART))
    assert code == 2, (out, err)
    assert "Unmanaged routing rules" in out
    section = out[out.index("Unmanaged routing rules") :]
    assert ADDRESS in section and PORTAL_RULE_ID in section
    assert '"TX"' in section and RIVERA in section
    for remedy in REMEDIES:
        assert remedy in section, remedy
    assert "1 unmanaged routing rule" in out
    assert "No drift" not in out


def test_drift_json_has_an_unmanaged_list(netsync, sandbox):
    """`drift --format json` has `unmanaged`: address, type, id and the live fields."""
    sb = sandbox(with_portal_rule(converged_seed()))
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART), "--format", "json")
    assert code == 2, err
    document = json.loads(out)
    [item] = document["unmanaged"]
    assert item["address"] == ADDRESS
    assert item["type"] == "casexchange_routing_rule"
    assert item["id"] == PORTAL_RULE_ID
    live = item["live"]
    assert live["targetFirmId"] == RIVERA
    assert live["conditions"] == [{"field": "jurisdiction", "operator": "eq", "value": "TX"}]
    assert live["priority"] == 9 and live["isActive"] is True
    assert all(c["action"] == "no-op" for c in document["changes"])  # converged otherwise


def test_drift_markdown_has_an_unmanaged_section(netsync, sandbox):
    """`drift --format markdown` has an "Unmanaged routing rules" section naming the rule, and
    the remedies."""
    sb = sandbox(with_portal_rule(converged_seed()))
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART), "--format", "markdown")
    assert code == 2, err
    assert "#### Unmanaged routing rules (1)" in out
    section = out[out.index("#### Unmanaged routing rules") :]
    assert PORTAL_RULE.split(":")[0] in section and PORTAL_RULE_ID in section
    assert "routing.ignore" in out and "routing.prune: true" in out


def test_plan_only_warns_about_an_unmanaged_rule(netsync, sandbox):
    """`plan` shows the undeclared rule as a warning, not a change: exit 0, and with
    --detailed-exitcode exit 0 when nothing else changes (2 only when there are changes)."""
    sb = sandbox(with_portal_rule(converged_seed()))
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART))
    assert code == 0, err
    assert f"Warning: {ADDRESS}: live routing rule is not declared" in out
    assert "Unmanaged routing rules" not in out
    assert "No changes. Live state matches the configuration." in out
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--detailed-exitcode")
    assert code == 0, (out, err)
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert ADDRESS not in {c["address"] for c in document["changes"]}
    assert ADDRESS in {w["address"] for w in document["warnings"]}

    other = sandbox(with_portal_rule(quickstart_seed()))  # the quickstart changes as well
    code, out, err = netsync(other, "plan", "-c", str(QUICKSTART), "--detailed-exitcode")
    assert code == 2, (out, err)
    assert f"Warning: {ADDRESS}" in out


def test_unmanaged_rule_is_drift_also_when_other_things_drift(netsync, sandbox):
    """With other drift present, the unmanaged rule is still listed and counted."""
    sb = sandbox(with_portal_rule(quickstart_seed()))
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART))
    assert code == 2, err
    assert "Unmanaged routing rules" in out and ADDRESS in out
    assert "; 1 unmanaged routing rule." in out


def test_routing_ignore_silences_an_unmanaged_rule(netsync, sandbox, tmp_path):
    """`routing.ignore: [name]` leaves the rule alone: drift exits 0 once everything else
    matches, with no warning about it (without the list the same world is drift)."""
    sb = sandbox(with_portal_rule(converged_seed()))
    plain = quickstart_copy(tmp_path / "a")
    code, out, err = netsync(sb, "drift", "-c", str(plain))
    assert code == 2, (out, err)

    ignoring = quickstart_copy(tmp_path / "b", f'  ignore: ["{PORTAL_RULE}"]\n')
    code, out, err = netsync(sb, "validate", "-c", str(ignoring))
    assert code == 0, err
    code, out, err = netsync(sb, "drift", "-c", str(ignoring))
    assert code == 0, (out, err)
    assert "No drift. Live state matches the configuration." in out
    assert PORTAL_RULE not in out and "Unmanaged" not in out
    code, out, err = netsync(sb, "drift", "-c", str(ignoring), "--format", "json")
    assert code == 0, err
    assert "unmanaged" not in json.loads(out) or json.loads(out)["unmanaged"] == []
    code, out, err = netsync(sb, "plan", "-c", str(ignoring))
    assert code == 0 and PORTAL_RULE not in out, out


def test_routing_ignore_also_protects_from_prune(netsync, sandbox, tmp_path):
    """Under `prune: true`, a rule named in routing.ignore is never planned for deletion."""
    sb = sandbox(with_portal_rule(converged_seed()))
    config = quickstart_copy(tmp_path, f'  ignore: ["{PORTAL_RULE}"]\n', prune=True)
    code, out, err = netsync(sb, "plan", "-c", str(config), "--detailed-exitcode")
    assert code == 0, (out, err)
    assert PORTAL_RULE not in out


def test_prune_plans_a_delete_instead(netsync, sandbox, tmp_path):
    """With `prune: true` the undeclared rule is planned as a delete (plan and drift), and
    drift exits 2."""
    sb = sandbox(with_portal_rule(converged_seed()))
    config = quickstart_copy(tmp_path, prune=True)
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    [delete] = [c for c in document["changes"] if c["address"] == ADDRESS]
    assert delete["action"] == "delete" and delete["id"] == PORTAL_RULE_ID
    assert document["summary"]["delete"] == 1
    code, out, err = netsync(sb, "plan", "-c", str(config))
    assert f"- {ADDRESS}" in out
    assert "Plan: 0 to create, 0 to update, 0 to re-refer, 1 to delete." in out
    code, out, err = netsync(sb, "drift", "-c", str(config))
    assert code == 2, (out, err)
    assert ADDRESS in out and "1 to delete" in out


# --------------------------------------------------------------------------------------------
# ignore_fields: a field is either managed or ignored


IGNORE_CONFIG = """\
version: 1
settings:
  ignore_fields:
    casexchange_outbound: [{settings_ignored}]
firms:
  rivera: c3d4e5f6-7890-1abc-def2-34567890abcd
network:
  outbound:
    rivera:
      description: Primary PI partner
      sendingPercentage: 50
      ignore_fields: [{own_ignored}]
"""


def _line_of(text: str, needle: str) -> int:
    [line] = [n for n, content in enumerate(text.splitlines(), 1) if needle in content]
    return line


def test_settings_ignore_fields_naming_a_declared_field_is_an_error(netsync, tmp_path):
    """`settings.ignore_fields` listing a field the resource declares: validate exits 1 with
    the error at that field's line in the resource."""
    text = IGNORE_CONFIG.format(settings_ignored="sendingPercentage", own_ignored="")
    path = write_config(tmp_path, text)
    code, out, err = netsync(None, "validate", "-c", str(path))
    assert code == 1, out
    line = _line_of(text, "      sendingPercentage: 50")
    assert f"{path}:{line}:7: network.outbound.rivera: sendingPercentage" in err, err
    assert "ignored" in err


def test_resource_ignore_fields_naming_a_declared_field_is_an_error(netsync, tmp_path):
    """A resource's own `ignore_fields` listing one of its declared fields: validate exits 1
    at that field's line."""
    text = IGNORE_CONFIG.format(settings_ignored="", own_ignored="description")
    path = write_config(tmp_path, text)
    code, out, err = netsync(None, "validate", "-c", str(path), "--format", "json")
    assert code == 1, out
    [error] = json.loads(out)["errors"]
    assert error["address"] == "network.outbound.rivera"
    assert error["line"] == _line_of(text, "description: Primary")
    assert error["column"] == 7
    assert "description" in error["message"]


def test_ignoring_an_undeclared_field_validates(netsync, tmp_path):
    """Ignoring fields the resource does not declare is fine, in settings and per resource."""
    text = IGNORE_CONFIG.format(
        settings_ignored="referralInstructions", own_ignored="daysForInvestigating"
    )
    path = write_config(tmp_path, text)
    code, out, err = netsync(None, "validate", "-c", str(path))
    assert code == 0, err
    assert "Config is valid" in out


HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"


def test_drift_warns_about_private_network_firms_the_config_does_not_declare(sandbox, netsync):
    """SPEC §3: undeclared outbound relationships of the private network are warnings (not
    drift: the exit code stays 0), and only `drift` lists the network to find them."""
    seed = converged_seed()
    seed["outbound"][HAWKINS] = {"inNetwork": True, "sendingPercentage": 5}  # portal-made
    sb = sandbox(seed)
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0, err
    found = [w for w in json.loads(out)["warnings"] if w["address"].startswith("network.outbound")]
    assert [w["address"] for w in found] == [f"network.outbound.{HAWKINS}"]
    assert found[0]["message"].startswith(f"Hawkins & Pratt LLP ({HAWKINS}) is in the private")
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0 and not any(
        "private network" in w["message"] for w in json.loads(out)["warnings"]
    )
    targeted = ("drift", "-c", str(QUICKSTART), "--target", "network.outbound.rivera")
    code, out, err = netsync(sb, *targeted, "--format", "json")
    assert code == 0 and not any(
        "private network" in w["message"] for w in json.loads(out)["warnings"]
    )
    listed = [r for r in sb.requests if r["path"] == "/api/public/v1/firms/available"]
    assert len(listed) == 1  # the whole-section drift only
