"""`netsync export` against the sandbox: what it writes validates and plans to zero changes,
manages exactly what it wrote, is byte-stable, and never holds personal data or a credential
(SPEC 3 `export`, issue 11)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from support import QUICKSTART, converged_seed, quickstart_seed

from netsync.export import FILES
from netsync.export.aliases import assign_aliases, slug

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
EVERYTHING = (
    "--firm", HAWKINS, "--firm", WHITFIELD, "--case", CASE, "--matter", MATTER,
    "--case-request", "ABC123-ClaimNumber", "--case-request", "XYZ789-ClaimNumber",
)  # fmt: skip
EXPORTED = 11  # 2 outbound, 2 inbound, 3 rules, 1 case, 1 matter, 2 case requests


def export(netsync, sb, folder: Path, *extra: str):
    return netsync(sb, "export", "-o", str(folder), *EVERYTHING, *extra)


def plan_json(netsync, sb, folder: Path):
    code, out, err = netsync(sb, "plan", "-c", str(folder), "--format", "json",
                             "--detailed-exitcode")  # fmt: skip
    return code, json.loads(out), err


def test_every_kind_round_trips_to_zero_changes(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    code, out, err = export(netsync, sb, tmp_path / "net")
    assert code == 0, err
    assert f"Exported {EXPORTED} resources" in err
    assert sorted(p.name for p in (tmp_path / "net").iterdir()) == sorted(FILES)
    code, _, err = netsync(sb, "validate", "-c", str(tmp_path / "net"))
    assert code == 0, err
    code, doc, err = plan_json(netsync, sb, tmp_path / "net")
    assert code == 0, err
    assert doc["summary"]["no-op"] == EXPORTED == len(doc["changes"])
    assert {c["type"] for c in doc["changes"]} == {
        "casexchange_outbound", "casexchange_inbound", "casexchange_routing_rule",
        "casexchange_case", "smokeball_matter", "trackops_case_request",
    }  # fmt: skip
    # only the live world's own finding: its NY rule routes to Rivera, whose profile is CA/NV
    assert [w["address"] for w in doc["warnings"]] == [
        "routing.rules.Auto-route NY Personal Injury"
    ]
    assert "does not list jurisdiction 'NY'" in doc["warnings"][0]["message"]


def _outbound(seed):
    seed["outbound"][RIVERA]["daysForInvestigating"] = 31


def _inbound(seed):
    seed["inbound"][HAWKINS]["referralInstructions"] = "Phone first"


def _rule(seed):
    seed["routing_rules"][0]["priority"] = 7


def _case(seed):
    seed["cases"][0]["referrals"].append(
        {"referentFirmId": CALDWELL, "status": "rejected", "createdAt": "2026-04-01T09:00:00Z"}
    )


def _matter(seed):
    seed["matters"][0]["referralAgreementFee"] = 40


def _case_request(seed):
    seed["case_requests"][0]["due_on"] = "2026-08-01"


@pytest.mark.parametrize(
    "change, address, action",
    [
        (_outbound, "network.outbound.rivera-injury-law", "update"),
        (_inbound, "network.inbound.hawkins-pratt-llp", "update"),
        (_rule, "routing.rules.Auto-route NY Personal Injury", "update"),
        (_case, f"cases.{CASE}", "re-refer"),
        (_matter, f"matters.{MATTER}", "update"),
        (_case_request, "case_requests.XYZ789-ClaimNumber", "update"),
    ],
)
def test_a_live_change_to_an_exported_value_is_exactly_one_change(
    sandbox, netsync, tmp_path, change, address, action
):
    code, _, err = export(netsync, sandbox(converged_seed()), tmp_path / "net")
    assert code == 0, err
    seed = converged_seed()
    change(seed)
    code, doc, err = plan_json(netsync, sandbox(seed), tmp_path / "net")
    assert code == 2, err
    changing = [(c["address"], c["action"]) for c in doc["changes"] if c["action"] != "no-op"]
    assert changing == [(address, action)]


def test_the_same_live_state_gives_the_same_bytes(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    for name in ("a", "b"):
        assert export(netsync, sb, tmp_path / name)[0] == 0
    for file in FILES:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    code, first, _ = netsync(sb, "export", *EVERYTHING)
    code, second, _ = netsync(sb, "export", *EVERYTHING)
    assert code == 0 and first == second
    merged = yaml.safe_load(first)
    assert set(merged) == {"version", "providers", "firms", "network", "routing", "cases",
                           "matters", "case_requests"}  # fmt: skip


def test_no_personal_datum_or_credential_is_written(sandbox, netsync, tmp_path):
    seed = converged_seed()
    sb = sandbox(seed)
    code, _, err = export(netsync, sb, tmp_path / "net")
    assert code == 0, err
    text = "\n".join((tmp_path / "net" / f).read_text() for f in FILES)
    personal = []
    for record in seed["case_requests"]:
        for part in ("client", "contact"):
            personal += [v for v in record.get(part, {}).values() if len(str(v)) > 3]
    for case in seed["cases"]:
        personal += [v for k, v in case.items() if k.startswith("client")]
    assert personal and not [p for p in personal if p in text]
    secrets = [v for k, v in sb.env().items() if not k.endswith("_URL")]
    assert secrets and not [s for s in secrets if s in text]
    assert "# left out, unmanaged (personal data): client, contact" in text


def test_all_fields_exports_the_whole_matter_and_still_round_trips(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    code, _, err = export(netsync, sb, tmp_path / "net", "--all-fields")
    assert code == 0, err
    matters = yaml.safe_load((tmp_path / "net/matters.yaml").read_text())["matters"]
    assert {"referralAgreementFee", "personResponsibleStaffId", "status"} <= set(matters[MATTER])
    assert "clientIds" not in matters[MATTER]  # PUT cannot change it: never managed
    code, doc, err = plan_json(netsync, sb, tmp_path / "net")
    assert code == 0, err


def test_existing_files_are_refused_without_force(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    folder = tmp_path / "net"
    assert export(netsync, sb, folder)[0] == 0
    (folder / "cases.yaml").write_text("# mine\n")
    code, _, err = export(netsync, sb, folder)
    assert code == 1
    assert "already holds" in err and "--force" in err
    assert (folder / "cases.yaml").read_text() == "# mine\n"
    code, _, err = export(netsync, sb, folder, "--force")
    assert code == 0, err
    assert "cases:" in (folder / "cases.yaml").read_text()


def test_other_yaml_in_the_folder_is_refused_even_with_force(sandbox, netsync, tmp_path):
    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "netsync.yaml").write_text("version: 1\n")
    code, _, err = export(netsync, sandbox(converged_seed()), folder, "--force")
    assert code == 1
    assert "other YAML files (netsync.yaml)" in err
    assert sorted(p.name for p in folder.iterdir()) == ["netsync.yaml"]


def test_a_rule_whose_target_has_no_relationship_fails_and_writes_nothing(
    sandbox, netsync, tmp_path
):
    sb = sandbox(quickstart_seed())  # the rules target caldwell, who has no relationship yet
    code, _, err = netsync(sb, "export", "-o", str(tmp_path / "net"))
    assert code == 1
    assert (
        f"routing.rules.CA Med-Mal to Caldwell: firm {CALDWELL} has no outbound relationship" in err
    )
    assert "Nothing was exported." in err
    assert not (tmp_path / "net").exists()


def test_a_case_or_request_that_does_not_exist_fails(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    missing = "00000000-0000-4000-8000-000000000000"
    code, _, err = netsync(sb, "export", "--case", missing, "--case-request", "NOPE-1")
    assert code == 1
    assert f"cases.{missing}: no such case" in err
    assert "case_requests.NOPE-1: no such case request" in err


def test_aliases_of_the_config_are_reused_and_its_settings_kept(sandbox, netsync, tmp_path):
    config = tmp_path / "old.yaml"
    config.write_text(
        "version: 1\n"
        "providers:\n"
        "  casexchange: {base_url: 'https://bot:hunter2@api.casexchange.com', timeout: 20}\n"
        f"firms: {{rivera: {RIVERA}}}\n"
        "routing: {prune: true}\n"
    )
    sb = sandbox(converged_seed())
    code, _, err = export(netsync, sb, tmp_path / "net", "-c", str(config))
    assert code == 0, err
    firms = yaml.safe_load((tmp_path / "net/firms.yaml").read_text())["firms"]
    assert firms["rivera"] == RIVERA and "rivera-injury-law" not in firms
    providers = (tmp_path / "net/providers.yaml").read_text()
    assert "https://api.casexchange.com" in providers and "hunter2" not in providers
    assert "127.0.0.1" not in providers  # NETSYNC_*_URL is never written
    assert "prune: true" in (tmp_path / "net/routing.yaml").read_text()
    code, doc, err = plan_json(netsync, sb, tmp_path / "net")
    assert code == 0, err


def test_alias_collisions_are_numbered_in_firm_id_order(sandbox, netsync, tmp_path):
    seed = converged_seed()
    twin = "c0000000-0000-4000-8000-000000000001"
    seed.setdefault("firms", []).append({"id": twin, "name": "Rivera Injury Law"})
    seed["outbound"][twin] = copy.deepcopy(seed["outbound"][RIVERA])
    seed["outbound"][twin]["sendingPercentage"] = 5
    sb = sandbox(seed)
    code, _, err = export(netsync, sb, tmp_path / "net")
    assert code == 0, err
    firms = yaml.safe_load((tmp_path / "net/firms.yaml").read_text())["firms"]
    assert firms["rivera-injury-law"] == twin  # c000… sorts before c3d4…
    assert firms["rivera-injury-law-2"] == RIVERA


def test_slugs_and_aliases():
    assert slug("Hawkins & Pratt LLP") == "hawkins-pratt-llp"
    assert slug("1st Street Law") == "firm-1st-street-law"
    assert slug("  ") == slug(None) == "firm"
    assert slug("Ünïcode Øffice") == "n-code-ffice"
    ids = ["b", "a", "c"]
    names = {"a": "Same", "b": "Same", "c": "Other"}
    assert assign_aliases(ids, names, {"same": "x"}) == {
        "a": "same-2", "b": "same-3", "c": "other",
    }  # fmt: skip
    assert assign_aliases(["a"], names, {"keep": "A", "also": "a"}) == {"a": "also"}


def test_a_live_state_the_config_cannot_express_is_refused(sandbox, netsync, tmp_path):
    """Percentages over 100 in all: the export would not validate, so nothing is written."""
    seed = converged_seed()
    seed["outbound"][CALDWELL]["sendingPercentage"] = 75  # 50 + 75
    code, _, err = netsync(sandbox(seed), "export", "-o", str(tmp_path / "net"))
    assert code == 1
    assert "the exported config would not validate" in err and "100" in err
    assert not (tmp_path / "net").exists()


def test_a_new_case_request_without_client_and_contact_is_a_plan_error(sandbox, netsync, tmp_path):
    """validate accepts a case request without them (an exported one has none); creating one
    needs them, so plan refuses at its line."""
    config = tmp_path / "netsync.yaml"
    config.write_text(
        "version: 1\ncase_requests:\n"
        "  NEW-1: {case_type_id: 1, case_region_id: 1, created_on: 2026-06-01}\n"
    )
    sb = sandbox(converged_seed())
    assert netsync(sb, "validate", "-c", str(config))[0] == 0
    code, out, err = netsync(sb, "plan", "-c", str(config))
    assert code == 1
    assert f"{config}:3:3: case_requests.NEW-1: no Trackops case request" in err
    assert "needs client and contact" in err


def test_a_section_with_nothing_to_export_is_written_as_an_empty_mapping(
    sandbox, netsync, tmp_path
):
    """`cases:` alone would be YAML null; the files say `{}` so they read as empty sections."""
    sb = sandbox(converged_seed())
    code, _, err = netsync(sb, "export", "-o", str(tmp_path / "net"))
    assert code == 0, err
    for name, section in (("cases.yaml", "cases"), ("matters.yaml", "matters")):
        lines = (tmp_path / "net" / name).read_text().splitlines()
        assert f"{section}: {{}}" in lines and f"{section}:" not in lines, lines


def test_firm_takes_an_alias_of_the_config_and_refuses_anything_else(sandbox, netsync, tmp_path):
    sb = sandbox(converged_seed())
    code, out, err = netsync(sb, "export", "-c", str(QUICKSTART), "--firm", "hawkins")
    assert code == 0, err
    assert "hawkins:" in out.split("inbound:")[1]  # the alias, resolved, written under inbound
    code, out, err = netsync(sb, "export", "--firm", "hawkins")
    assert code == 1 and out == ""
    assert "--firm hawkins: not a CaseXchange firm id, nor an alias" in err
    assert not any(r["path"].endswith("/hawkins") for r in sb.requests)  # refused before asking
