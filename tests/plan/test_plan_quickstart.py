"""The quickstart network planned against its sandbox world: every output format, exit codes,
what was sent over the wire, and convergence once the live world matches."""

from __future__ import annotations

import json
from pathlib import Path

import golden
import pytest
from jsonschema import Draft202012Validator
from support import QUICKSTART, converged_seed, quickstart_seed

from netsync.config.schema import format_checker, load_schema

GOLDEN = Path(__file__).parent / "golden"
PERSONAL_DATA = (
    "Acme Insurance",
    "joe@example.com",
    "Adjuster",
    "Globex Mutual",
    "Dana",
    "Reyes",
    "dana.reyes@example.com",
    "555-555-0199",
    "1600 Glenarm",
    "Elena",
    "Martinez",
)


def check_golden(name: str, text: str) -> None:
    """Config paths in warnings are the clone's: the golden holds them relative to it."""
    golden.check_golden(GOLDEN / name, text.replace(f"{QUICKSTART.parent.parent}/", ""))


@pytest.mark.parametrize("fmt, golden", [("text", "quickstart.txt"), ("markdown", "quickstart.md")])
def test_quickstart_plan_matches_golden(sandbox, netsync, fmt, golden):
    sb = sandbox()
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--format", fmt)
    assert code == 0, err
    check_golden(golden, out)


def test_quickstart_plan_json_is_exact_and_valid(sandbox, netsync):
    sb = sandbox()
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    Draft202012Validator(load_schema("plan.schema.json"), format_checker=format_checker()).validate(
        document
    )
    assert document["summary"] == {"create": 3, "update": 6, "re-refer": 1, "delete": 0, "no-op": 1}
    changes = {c["address"]: c for c in document["changes"]}
    assert [c["address"] for c in document["changes"]] == sorted(changes)
    rivera = changes["network.outbound.rivera"]
    assert rivera["action"] == "update"
    assert rivera["id"] == "c3d4e5f6-7890-1abc-def2-34567890abcd"
    assert rivera["fields"] == ["referralInstructions", "sendingPercentage"]
    assert rivera["before"]["sendingPercentage"] == 33.5
    assert rivera["after"]["sendingPercentage"] == 50
    case = changes["cases.3c90c3cc-0d44-4b50-8888-8dd25736052a"]
    assert case["action"] == "re-refer"
    assert case["before"] == {"referentFirmId": "d4e5f6a7-8901-2bcd-ef34-567890abcde0"}
    assert case["after"]["referentFirmId"] == "c3d4e5f6-7890-1abc-def2-34567890abcd"
    assert changes["network.inbound.whitfield"]["before"]["status"] == "pending"
    assert changes["routing.rules.CA Med-Mal to Caldwell"]["action"] == "no-op"
    assert changes["network.outbound.caldwell"]["before"] is None
    assert changes["case_requests.XYZ789-ClaimNumber"]["fields"] == ["due_on"]
    assert changes["matters.9a1b2c3d-0000-4000-8000-000000000001"]["fields"] == [
        "referralAgreementFee"
    ]
    warnings = [w["message"] for w in document["warnings"]]
    assert any("Okafor Legal Group" in w for w in warnings)
    assert document["errors"] == []


CALDWELL_ID = "b2c3d4e5-6789-0abc-def1-234567890abc"
REVIEW_PATHS = {
    "/api/public/v1/case-types",
    f"/api/public/v1/firms/{CALDWELL_ID}",
    "/api/public/v1/firms/available",
}


def test_plan_only_reads_and_uses_one_list_for_routing_rules(sandbox, netsync):
    sb = sandbox()
    code, _, err = netsync(sb, "plan", "-c", str(QUICKSTART))
    assert code == 0, err
    sent = sb.requests
    assert {r["method"] for r in sent} == {"GET"}
    paths = [r["path"] for r in sent]
    assert paths.count("/api/public/v1/routing/rules") == 1
    assert not any(p.startswith("/api/public/v1/routing/rules/") for p in paths)
    assert "/api/public/v1/sent-cases" not in paths  # never pages the account for one case
    assert "/matters" not in paths  # one matter: a single GET is cheaper than a page
    trackops = [r for r in sent if r["path"] == "/api/v1/case/requests"]
    assert sorted(r["query"]["reference_value_1"] for r in trackops) == [
        "ABC123-ClaimNumber",
        "XYZ789-ClaimNumber",
    ]
    review = [r for r in sent if r["path"] in REVIEW_PATHS or "/routing/evaluate" in r["path"]]
    # firms/me, pending, rules, 4 relationships, case, matter, types, 2 requests
    assert len(sent) - len(review) == 12
    # the review (SPEC 6): case types, caldwell's /firms/{id} (a create), the directory for
    # its profile (a rule targets it), and /routing/evaluate for each of the 16 case profiles
    assert sorted(r["path"].rsplit("/", 1)[-1] for r in review) == sorted(
        ["case-types", CALDWELL_ID, "available", *["evaluate"] * 16]
    )


def test_detailed_exitcode_is_2_with_changes_and_0_once_converged(sandbox, netsync):
    code, _, _ = netsync(sandbox(), "plan", "-c", str(QUICKSTART), "--detailed-exitcode")
    assert code == 2
    code, out, err = netsync(
        sandbox(converged_seed()), "plan", "-c", str(QUICKSTART), "--detailed-exitcode"
    )
    assert (code, err) == (0, "")
    # the quickstart routes NY cases to Rivera, whose profile is CA and NV: the firm-profile
    # check warns on every plan of the rule, changes or none (the case, re-referred already,
    # is checked only when a plan re-refers it)
    *warnings, blank, last = out.splitlines()
    assert (blank, last) == ("", "No changes. Live state matches the configuration.")
    assert len(warnings) == 1 and "Rivera Injury Law, which this rule sends" in warnings[0]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_no_client_personal_data_in_any_output(sandbox, netsync, fmt, tmp_path):
    sb = sandbox()
    plan_file = tmp_path / "saved.plan"
    code, out, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), "--format", fmt, "-o", str(plan_file)
    )
    assert code == 0, err
    saved = plan_file.read_text()
    for secret in PERSONAL_DATA + tuple(v for v in sb.env().values() if "sandbox" in v):
        assert secret not in out, secret
        assert secret not in err, secret
        assert secret not in saved, secret
    assert "(sensitive)" in out


def test_read_only_key_and_no_bearer_token_plan_fine(sandbox, netsync):
    sb = sandbox()
    code, out, err = netsync(
        sb,
        "plan",
        "-c",
        str(QUICKSTART),
        env={"CASEXCHANGE_API_KEY": "cxp_ro_sandbox", "CASEXCHANGE_TOKEN": None},
    )
    assert code == 0, err
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in out
    keys = {r["headers"].get("x-api-key") for r in sb.requests if r["vendor"] == "casexchange"}
    assert keys == {"cxp_ro_sandbox"}
    assert not any(
        "authorization" in r["headers"] for r in sb.requests if r["vendor"] == "casexchange"
    )


def test_drift_reports_differences_with_exit_2_and_none_with_0(sandbox, netsync):
    code, out, _ = netsync(sandbox(), "drift", "-c", str(QUICKSTART))
    assert code == 2
    assert "sendingPercentage" in out and "Drift" in out
    code, out, _ = netsync(sandbox(), "drift", "-c", str(QUICKSTART), "--format", "json")
    assert code == 2
    assert json.loads(out)["summary"]["update"] == 6
    code, out, err = netsync(sandbox(converged_seed()), "drift", "-c", str(QUICKSTART))
    assert (code, err) == (0, "")
    assert "No drift" in out


def test_saved_plan_shows_the_same_and_validates(sandbox, netsync, tmp_path):
    sb = sandbox()
    plan_file = tmp_path / "release.plan"
    code, printed, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(plan_file))
    assert code == 0, err
    document = json.loads(plan_file.read_text())
    Draft202012Validator(load_schema("plan.schema.json")).validate(document)
    assert (
        document["targets"]["casexchange"]["firm"]["id"] == "a1b2c3d4-5678-9abc-def0-1234567890ab"
    )
    assert document["targets"]["trackops"]["base_url"] == sb.url
    assert len(document["config_digest"]) == 64
    # digests for what apply will check: every change but the no-ops
    written = {c["address"] for c in document["changes"] if c["action"] != "no-op"}
    assert set(document["resources"]) == written
    assert "routing.rules.CA Med-Mal to Caldwell" not in written
    code, shown, err = netsync(None, "show", str(plan_file))
    assert code == 0, err
    assert shown == printed


def test_show_rejects_a_file_that_is_not_a_plan(netsync, tmp_path):
    bogus = tmp_path / "bogus.plan"
    bogus.write_text('{"format_version": "1"}')
    code, out, err = netsync(None, "show", str(bogus))
    assert code == 1
    assert (
        "not a valid netsync plan file" in err
        and "Traceback" not in err
        and "internal error" not in err
    )


def test_plan_file_digests_are_keyed_by_the_config_not_just_the_salt(sandbox, netsync, tmp_path):
    from netsync.config import load_config
    from netsync.planfile import digest

    plan_file = tmp_path / "p.plan"
    code, _, err = netsync(sandbox(), "plan", "-c", str(QUICKSTART), "-o", str(plan_file))
    assert code == 0, err
    document = json.loads(plan_file.read_text())
    address = "case_requests.ABC123-ClaimNumber"
    stored = document["resources"][address]["desired_digest"]
    config = load_config(QUICKSTART, {})
    wanted = next(r.fields for r in config.resources if r.address == address)
    salt = document["salt"]
    assert digest(config.digest_key, salt, wanted) == stored  # apply can check it
    assert digest(b"", salt, wanted) != stored  # the file alone cannot confirm a guess
    digests = [
        d
        for r in document["resources"].values()
        for d in [r["live_digest"], r["desired_digest"], *r["live_fields"].values()]
        if d
    ]
    assert len(digests) == len(set(digests))


def _caldwell_in_texas(name: str) -> dict:
    """The quickstart world with Caldwell (a firm the plan creates a relationship with, and
    a rule sends CA med-mal cases to) listed in the directory as taking TX cases only."""
    seed = quickstart_seed()
    profile = {"jurisdictions": ["TX"], "caseTypes": ["Medical Malpractice"]}
    seed["firms"].append({"id": CALDWELL_ID, "name": name, **profile})
    return seed


@pytest.mark.parametrize(
    "name, query",
    [
        ("Caldwell Medical Law", {"search": "Caldwell Medical Law"}),  # one search by its name
        ("", {}),  # no name to search for: the whole directory, read once
    ],
)
def test_a_firm_to_create_has_its_directory_profile_checked(sandbox, netsync, name, query):
    sb = sandbox(_caldwell_in_texas(name))
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART))
    assert code == 0, err
    listed = [r["query"] for r in sb.requests if r["path"] == "/api/public/v1/firms/available"]
    assert listed == [{"source": "directory", "limit": "100", "page": "1", **query}]
    warning = next(line for line in out.splitlines() if "CA Med-Mal to Caldwell" in line)
    assert "which this rule sends" in warning and "TX" in warning
