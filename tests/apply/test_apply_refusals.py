"""`netsync apply` refusing before any write (SPEC 1 safety, 2 key tiers, 3 apply PLANFILE), its
usage rules, already-applied plans, and what it never prints (credentials, personal data).

Every refusal is checked against the sandbox request log: "before any write" means not one
POST, PUT or DELETE reached a vendor."""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from support import CREDENTIAL_VARS, QUICKSTART, converged_seed, quickstart_seed

from netsync.config.schema import format_checker, load_schema
from netsync.sandbox import trackops as sandbox_trackops

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
OKAFOR = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
NY_RULE = "Auto-route NY Personal Injury"

# The ten changes the quickstart plan makes (the 11th resource, "CA Med-Mal to Caldwell", is a
# no-op).
PLANNED = {
    "case_requests.ABC123-ClaimNumber": "create",
    "case_requests.XYZ789-ClaimNumber": "update",
    f"cases.{CASE}": "re-refer",
    f"matters.{MATTER}": "update",
    "network.inbound.hawkins": "update",
    "network.inbound.whitfield": "update",
    "network.outbound.caldwell": "create",
    "network.outbound.rivera": "update",
    f"routing.rules.{NY_RULE}": "update",
    "routing.rules.NV Product Liability to Rivera": "create",
}
PERSONAL_DATA = (
    "Acme Insurance",
    "joe@example.com",
    "Adjuster",
    "Globex Mutual",
    "Denver",
    "dana.reyes@example.com",
    "Dana",
    "Reyes",
    "555-555-0199",
    "1600 Glenarm",
    "Elena",
    "Martinez",
    "elena.martinez@example.com",
    "555-0142",
)


# -- helpers ----------------------------------------------------------------------------------


def writes(sb) -> list[tuple[str, str]]:
    """Every request that could change vendor state."""
    return [(r["method"], r["path"]) for r in sb.requests if r["method"] != "GET"]


def validate_report(path: Path) -> dict:
    document = json.loads(path.read_text())
    Draft202012Validator(
        load_schema("report.schema.json"), format_checker=format_checker()
    ).validate(document)
    return document


def make_plan(netsync, sb, tmp_path: Path, config: Path = QUICKSTART, name="release.plan"):
    plan = tmp_path / name
    code, _, err = netsync(sb, "plan", "-c", str(config), "-o", str(plan))
    assert code == 0, err
    assert plan.is_file()
    sb.clear_requests()
    return plan


def copy_config(tmp_path: Path, name: str = "cfg") -> Path:
    """The quickstart config files (not its sandbox/ folder) in a folder the test may edit."""
    target = tmp_path / name
    target.mkdir()
    for path in QUICKSTART.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) >= 1, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def assert_refused_report(path: Path, planned: dict[str, str] = PLANNED) -> dict:
    report = validate_report(path)
    assert report["result"] == "refused"
    assert {i["address"]: i["action"] for i in report["items"]} == planned
    assert len(report["items"]) == len(planned)
    for item in report["items"]:
        assert item["outcome"] == "not_attempted"
        assert item["attempts"] == 0 and item["status"] is None and item["method"] is None
    return report


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("Error: ")]


def subprocess_env(sb) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CREDENTIAL_VARS and not (k.startswith("NETSYNC_") and k.endswith("_URL"))
    }
    env.pop("NO_COLOR", None)
    env.update(sb.env())
    return env


# -- stale plan files ---------------------------------------------------------------------------


def _rule(world, name):
    return next(r for r in world.data["routing_rules"] if r["name"] == name)


def _outbound_share(world):
    world.data["outbound"][RIVERA]["relationship"]["sendingPercentage"] = 40


def _inbound_instructions(world):
    world.data["inbound"][HAWKINS]["relationship"]["referralInstructions"] = "Phone us first"


def _rule_target(world):
    _rule(world, NY_RULE)["targetFirmId"] = WHITFIELD


def _rule_priority(world):
    _rule(world, NY_RULE)["priority"] = 7


def _case_referral(world):
    world.data["cases"][CASE]["referrals"].append(
        {
            "id": "5a5a5a5a-0000-4000-8000-000000000001",
            "referentFirmId": WHITFIELD,
            "status": "rejected",
            "closingStatus": None,
            "notes": "Sent by a colleague in the portal",
            "createdAt": "2026-03-10T10:00:00.000Z",
            "updatedAt": "2026-03-11T10:00:00.000Z",
        }
    )


def _matter_fee(world):
    world.data["matters"][MATTER]["referralAgreementFee"] = 30


def _case_request_due(world):
    record = next(r for r in world.data["case_requests"] if r["id"] == 501)
    record["due_on"] = "2026-06-25"


STALE = [
    pytest.param(_outbound_share, "network.outbound.rivera", "sendingPercentage", id="outbound"),
    pytest.param(
        _inbound_instructions, "network.inbound.hawkins", "referralInstructions", id="inbound"
    ),
    pytest.param(_rule_target, f"routing.rules.{NY_RULE}", "targetFirmId", id="rule-target"),
    pytest.param(_rule_priority, f"routing.rules.{NY_RULE}", "priority", id="rule-priority"),
    pytest.param(_case_referral, f"cases.{CASE}", "referentFirmId", id="case-referral"),
    pytest.param(_matter_fee, f"matters.{MATTER}", "referralAgreementFee", id="matter-fee"),
    pytest.param(_case_request_due, "case_requests.XYZ789-ClaimNumber", "due_on", id="due-on"),
]


@pytest.mark.parametrize("mutate, address, field", STALE)
def test_stale_plan_file_is_refused_before_any_write(
    sandbox, netsync, tmp_path, mutate, address, field
):
    """A managed live field changed after `plan -o`: apply PLANFILE refuses the whole plan with
    zero writes, names the address and the field, and reports every planned change as
    not_attempted under result "refused"."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    with sb.world.lock:
        mutate(sb.world)
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", str(plan), "-c", str(QUICKSTART), "--force", "--report", str(report)
    )
    assert code == 1, err
    assert writes(sb) == []
    assert f"{address}: {field} changed since the plan was made" in err
    assert error_lines(err) == [f"Error: {address}: {field} changed since the plan was made: "
                                "run netsync plan again"]  # fmt: skip
    assert out.splitlines()[-1] == (
        "Apply failed (refused before any write): 0 applied, 0 unconfirmed, 0 already applied, "
        "0 failed, 10 not attempted."
    )
    assert_refused_report(report)


def test_plan_file_refused_when_the_case_can_no_longer_be_re_referred(sandbox, netsync, tmp_path):
    """After `plan -o`, someone re-referred the case in the portal (latest referral now 'sent'
    to another firm): the fresh read makes the re-referral impossible, so apply PLANFILE
    refuses with zero writes, names the case and its status, and the report still holds one
    not_attempted item per planned change (the case included)."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    with sb.world.lock:
        _case_referral(sb.world)
        sb.world.data["cases"][CASE]["referrals"][-1]["status"] = "sent"
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", str(plan), "-c", str(QUICKSTART), "--force", "--report", str(report)
    )
    assert code == 1, err
    assert writes(sb) == []
    assert f"cases.{CASE}: the case is 'sent'" in err
    assert out.splitlines()[-1] == (
        "Apply failed (refused before any write): 0 applied, 0 unconfirmed, 0 already applied, "
        "0 failed, 10 not attempted."
    )
    assert_refused_report(report)


def test_unmanaged_live_change_does_not_make_the_plan_stale(sandbox, netsync, tmp_path):
    """A field netsync does not manage (the matter's description) changing after `plan -o` does
    not refuse the plan, and the whole-object matter PUT keeps the new value (it is built from
    a read taken just before the write)."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    with sb.world.lock:
        sb.world.data["matters"][MATTER]["description"] = "Edited in Smokeball after the plan"
    code, out, err = netsync(sb, "apply", str(plan), "-c", str(QUICKSTART), "--force")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Apply complete: 3 created, 6 updated, 1 re-referred, 0 deleted, 0 already applied."
    )
    put = [r for r in sb.requests if r["method"] == "PUT" and r["path"] == f"/matters/{MATTER}"]
    assert len(put) == 1
    assert put[0]["body"]["description"] == "Edited in Smokeball after the plan"
    assert put[0]["body"]["referralAgreementFee"] in (33, 33.0)


def test_edited_config_after_plan_is_refused(sandbox, netsync, tmp_path):
    """The config changed after `plan -o` (one value in one file): refused before any write,
    naming the config digest."""
    sb = sandbox()
    config = copy_config(tmp_path)
    plan = make_plan(netsync, sb, tmp_path, config)
    edit(config / "network.yaml", "daysForInvestigating: 30", "daysForInvestigating: 31")
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", str(plan), "-c", str(config), "--force", "--report", str(report)
    )
    assert code == 1, err
    assert writes(sb) == []
    assert "config digest" in err
    assert "Apply failed (refused before any write)" in out.splitlines()[-1]
    assert_refused_report(report)


def test_plan_file_applied_against_another_sandbox_is_refused(sandbox, netsync, tmp_path):
    """A plan made against one set of base URLs, applied against another (same world): the
    targets differ, so it is refused before any write, naming both URLs."""
    first, second = sandbox(), sandbox()
    plan = make_plan(netsync, first, tmp_path)
    second.clear_requests()
    report = tmp_path / "report.json"
    code, _, err = netsync(
        second, "apply", str(plan), "-c", str(QUICKSTART), "--force", "--report", str(report)
    )
    assert code == 1, err
    assert writes(first) == [] and writes(second) == []
    assert f"the plan was made against casexchange at {first.url}" in err
    assert f"this apply points at {second.url}" in err
    for vendor in ("smokeball", "trackops"):
        assert f"the plan was made against {vendor} at {first.url}" in err
    assert_refused_report(report)


def test_plan_file_applied_with_another_firms_key_is_refused(sandbox, netsync, tmp_path):
    """Same URLs, but the CaseXchange key now belongs to another firm (/firms/me): refused
    before any write, naming both firms."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    old = sb.world.data["me"]["id"]
    new = "0f0f0f0f-1111-4222-8333-444455556666"
    with sb.world.lock:
        sb.world.data["me"]["id"] = new
    code, _, err = netsync(sb, "apply", str(plan), "-c", str(QUICKSTART), "--force")
    assert code == 1, err
    assert writes(sb) == []
    assert f"key of firm {old}" in err and f"key of firm {new}" in err


# -- already applied ----------------------------------------------------------------------------


def test_plan_file_applied_twice_is_already_applied(sandbox, netsync, tmp_path):
    """The second apply of one plan file writes nothing: exit 0, "Plan already applied", every
    change already_applied (with its planned action) and the report says nothing_to_do."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    code, _, err = netsync(sb, "apply", str(plan), "-c", str(QUICKSTART), "--force")
    assert code == 0, err
    sb.clear_requests()
    report = tmp_path / "report.json"
    code, out, err = netsync(sb, "apply", str(plan), "-c", str(QUICKSTART), "--report", str(report))
    assert code == 0, err
    assert writes(sb) == []
    assert "Plan already applied" in err
    assert out.splitlines()[-1] == (
        "Apply complete: 0 created, 0 updated, 0 re-referred, 0 deleted, 10 already applied."
    )
    document = json.loads(report.read_text())
    assert document["result"] == "nothing_to_do"
    assert {i["address"] for i in document["items"]} == set(PLANNED)
    assert all(i["outcome"] == "already_applied" for i in document["items"])
    assert {i["address"]: i["action"] for i in document["items"]} == PLANNED
    validate_report(report)


def test_plan_file_partly_applied_out_of_band(sandbox, netsync, tmp_path):
    """A change someone already made by hand (Rivera's relationship set to the desired values)
    is already_applied without a write; every other change is applied."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    with sb.world.lock:
        rel = sb.world.data["outbound"][RIVERA]["relationship"]
        rel["sendingPercentage"] = 50
        rel["referralInstructions"] = "Include police report and medical records when available"
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", str(plan), "-c", str(QUICKSTART), "--force", "--report", str(report)
    )
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Apply complete: 3 created, 5 updated, 1 re-referred, 0 deleted, 1 already applied."
    )
    assert not any(path.endswith(RIVERA) for method, path in writes(sb))
    assert len(writes(sb)) == 9
    document = json.loads(report.read_text())
    assert document["result"] == "applied"
    outcomes = {i["address"]: i["outcome"] for i in document["items"]}
    assert outcomes == {
        a: ("already_applied" if a == "network.outbound.rivera" else "applied") for a in PLANNED
    }
    rivera = next(i for i in document["items"] if i["address"] == "network.outbound.rivera")
    assert rivera["action"] == "update"
    assert rivera["method"] is None and rivera["attempts"] == 0
    validate_report(report)


# -- key tiers ----------------------------------------------------------------------------------

NETWORK = {
    "network.outbound.rivera",
    "network.outbound.caldwell",
    "network.inbound.hawkins",
    "network.inbound.whitfield",
}
RULES = {f"routing.rules.{NY_RULE}", "routing.rules.NV Product Liability to Rivera"}


@pytest.mark.parametrize(
    "env, refused",
    [
        pytest.param(
            {"CASEXCHANGE_API_KEY": "cxp_ro_sandbox"},
            {**dict.fromkeys(NETWORK, "standard"), **dict.fromkeys(RULES, "a full key")},
            id="read-only-key",
        ),
        pytest.param(
            {"CASEXCHANGE_API_KEY": "cxp_std_sandbox"},
            dict.fromkeys(RULES, "a full key"),
            id="standard-key",
        ),
        pytest.param(
            {"CASEXCHANGE_TOKEN": None},
            {f"cases.{CASE}": "Bearer token"},
            id="no-token-no-login",
        ),
    ],
)
def test_key_tier_too_low_refuses_up_front(sandbox, netsync, tmp_path, env, refused):
    """Before any write, every planned write is checked against its credential: a key whose
    prefix shows a lower tier (or no Bearer token nor login for a re-referral) refuses the
    whole apply, one error per address naming the tier needed, with zero writes."""
    sb = sandbox()
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb,
        "apply",
        "-c",
        str(QUICKSTART),
        "--auto-approve",
        "--force",
        "--report",
        str(report),
        env=env,
    )
    assert code == 1, err
    assert writes(sb) == []
    lines = error_lines(err)
    assert len(lines) == len(refused), err
    for address, need in refused.items():
        line = next((x for x in lines if x.startswith(f"Error: {address}: ")), None)
        assert line is not None, f"{address} not named in {lines}"
        assert need in line
    if "CASEXCHANGE_API_KEY" in env:
        assert all("CASEXCHANGE_API_KEY" in x for x in lines)
    assert "Apply failed (refused before any write)" in out.splitlines()[-1]
    assert_refused_report(report)


def test_read_only_key_is_enough_to_plan(sandbox, netsync):
    """`plan` only reads: a cxp_ro_ key plans the quickstart (exit 0) and nothing is written."""
    sb = sandbox()
    code, out, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), env={"CASEXCHANGE_API_KEY": "cxp_ro_sandbox"}
    )
    assert code == 0, err
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in out
    assert writes(sb) == []
    assert {r["headers"].get("x-api-key") for r in sb.requests if r["vendor"] == "casexchange"} >= {
        "cxp_ro_sandbox"
    }


def test_service_login_stands_in_for_the_token(sandbox, netsync):
    """Without CASEXCHANGE_TOKEN, the service login (email + password) makes the re-referral:
    the apply is not refused."""
    sb = sandbox()
    code, out, err = netsync(
        sb,
        "apply",
        "-c",
        str(QUICKSTART),
        "--auto-approve",
        "--force",
        env={
            "CASEXCHANGE_TOKEN": None,
            "CASEXCHANGE_EMAIL": "sandbox@example.com",
            "CASEXCHANGE_PASSWORD": "sandbox",
        },
    )
    assert code == 0, err
    assert ("POST", f"/api/v1/cases/{CASE}/re-refer") in writes(sb)


# -- safety: --force ----------------------------------------------------------------------------


def test_quickstart_apply_needs_force_for_its_share(sandbox, netsync, tmp_path):
    """10 of 11 declared resources change (> max_change_percent 60): refused without --force,
    naming the setting, with zero writes; with --force it applies."""
    sb = sandbox()
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", "-c", str(QUICKSTART), "--auto-approve", "--report", str(report)
    )
    assert code == 1, err
    assert writes(sb) == []
    assert error_lines(err) == [
        "Error: apply needs --force: 10 of 11 declared resources change (91 %), more than "
        "settings.safety.max_change_percent (60 %)"
    ]
    assert_refused_report(report)
    code, out, err = netsync(sb, "apply", "-c", str(QUICKSTART), "--auto-approve", "--force")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Apply complete: 3 created, 6 updated, 1 re-referred, 0 deleted, 0 already applied."
    )
    assert len(writes(sb)) == 10


def _prune(config: Path, seed: dict) -> None:
    edit(config / "routing.yaml", "prune: false", "prune: true")
    seed["routing_rules"].append(
        {
            "id": "7e7e7e7e-0000-4000-8000-000000000077",
            "name": "Legacy GA rule",
            "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "GA"}],
            "targetFirmId": RIVERA,
            "priority": 9,
            "isActive": True,
        }
    )


def _inactive(config: Path, seed: dict) -> None:
    edit(config / "network.yaml", "status: active", "status: inactive")  # the first: hawkins


def _decline(config: Path, seed: dict) -> None:
    edit(config / "network.yaml", "pending: report", "pending: decline")
    seed["pending"].append(
        {"firmId": OKAFOR, "direction": "inbound", "requestedDate": "2026-03-30T08:05:00.000Z"}
    )


def _matter_status(status):
    def change(config: Path, seed: dict) -> None:
        edit(config / "cases.yaml", "status: Open", f"status: {status}")

    return change


DESTRUCTIVE = [
    pytest.param(
        _prune,
        "routing.rules.Legacy GA rule deletes a routing rule",
        ("DELETE", "/api/public/v1/routing/rules/7e7e7e7e-0000-4000-8000-000000000077"),
        id="prune-delete",
    ),
    pytest.param(
        _inactive,
        "network.inbound.hawkins sets an inbound relationship inactive",
        ("PUT", f"/api/public/v1/network/inbound/{HAWKINS}"),
        id="inbound-inactive",
    ),
    pytest.param(
        _decline,
        f"network.inbound.{OKAFOR} declines a pending request to send us referrals",
        ("PUT", f"/api/public/v1/network/inbound/{OKAFOR}"),
        id="pending-decline",
    ),
    pytest.param(
        _matter_status("Deleted"),
        f"matters.{MATTER} marks a matter Deleted",
        ("PUT", f"/matters/{MATTER}"),
        id="matter-deleted",
    ),
    pytest.param(
        _matter_status("Cancelled"),
        f"matters.{MATTER} marks a matter Cancelled",
        ("PUT", f"/matters/{MATTER}"),
        id="matter-cancelled",
    ),
]


@pytest.mark.parametrize("setup, reason, write", DESTRUCTIVE)
def test_destructive_change_needs_force_whatever_the_share(
    sandbox, netsync, tmp_path, setup, reason, write
):
    """One destructive change among 11 declared resources (9 %, far below the share limit)
    still needs --force: plan says so first (text and JSON requires_force), apply without
    --force refuses with zero writes naming the address and why, and --force applies it."""
    config = copy_config(tmp_path)
    seed = converged_seed()
    setup(config, seed)
    sb = sandbox(seed)

    code, out, err = netsync(sb, "plan", "-c", str(config))
    assert code == 0, err
    assert "Apply will need --force:" in out
    assert f"  - {reason}" in out.splitlines()
    assert "max_change_percent" not in out
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["requires_force"] == [reason]
    assert sum(1 for c in document["changes"] if c["action"] != "no-op") == 1

    sb.clear_requests()
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", "-c", str(config), "--auto-approve", "--report", str(report)
    )
    assert code == 1, err
    assert writes(sb) == []
    assert error_lines(err) == [f"Error: apply needs --force: {reason}"]
    assert validate_report(report)["result"] == "refused"

    code, out, err = netsync(sb, "apply", "-c", str(config), "--auto-approve", "--force")
    assert code == 0, err
    assert writes(sb) == [write]


def test_converged_world_plans_no_force(sandbox, netsync):
    """Control for the above: the converged quickstart world plans nothing needing --force
    (no text line, requires_force absent or empty)."""
    sb = sandbox(converged_seed())
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART))
    assert code == 0, err
    assert "Apply will need --force" not in out
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0, err
    assert json.loads(out).get("requires_force") in (None, [])


# -- usage ----------------------------------------------------------------------------------


def test_plan_file_with_target_is_a_usage_error(sandbox, netsync, tmp_path):
    """`apply PLANFILE --target X` exits 1 (never 2) before any request: the plan file is the
    scope."""
    sb = sandbox()
    plan = make_plan(netsync, sb, tmp_path)
    code, _, err = netsync(
        sb, "apply", str(plan), "-c", str(QUICKSTART), "--target", "network.outbound"
    )
    assert code == 1
    assert "--target cannot be combined with a PLANFILE" in err
    assert sb.requests == []


def test_apply_without_auto_approve_refuses_when_stdin_is_not_a_terminal(
    sandbox, netsync, tmp_path
):
    """Without --auto-approve and with stdin not a terminal, apply refuses before reading
    anything (zero requests), exit 1, and the report says refused."""
    sb = sandbox()
    report = tmp_path / "report.json"
    code, _, err = netsync(sb, "apply", "-c", str(QUICKSTART), "--force", "--report", str(report))
    assert code == 1
    assert "stdin is not a terminal" in err
    assert "--auto-approve" in err
    assert sb.requests == []
    document = validate_report(report)
    assert document["result"] == "refused"
    assert document["items"] == []


def _run_with_terminal(sb, answer: str) -> tuple[int, str, str]:
    """`python -m netsync apply` with stdin on a pseudo-terminal, answering the prompt."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "netsync", "apply", "-c", str(QUICKSTART), "--force"],
            env=subprocess_env(sb),
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        slave = None
        os.write(master, answer.encode())
        out, err = proc.communicate(timeout=30)
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    return proc.returncode, out, err


def test_declined_prompt_cancels_with_zero_writes(sandbox):
    """On a terminal, apply shows the plan and asks; any answer but "yes" cancels: "Apply
    cancelled.", exit 1, nothing written."""
    sb = sandbox()
    code, out, err = _run_with_terminal(sb, "no\n")
    assert code == 1, err
    assert "Only 'yes' will be accepted" in err and "Apply cancelled." in err
    assert out.splitlines()[-1] == (
        "Apply failed (cancelled): 0 applied, 0 unconfirmed, 0 already applied, 0 failed, "
        "10 not attempted."
    )
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in out
    assert writes(sb) == []
    assert "Traceback" not in err


def test_yes_at_the_prompt_applies(sandbox):
    """Answering "yes" on a terminal applies the plan (exit 0)."""
    sb = sandbox()
    code, out, err = _run_with_terminal(sb, "yes\n")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Apply complete: 3 created, 6 updated, 1 re-referred, 0 deleted, 0 already applied."
    )
    assert len(writes(sb)) == 10


# -- nothing secret or personal in any output ---------------------------------------------------

CREDENTIALS = {
    "casexchange": {
        "api_keys": ["cxp_full_Q7rT9zKx2mWpL4"],
        "tokens": ["bearer+V4nJ8sLq/1Xc="],
        "logins": [],
    },
    "smokeball": {"api_keys": ["sbk-H3pM6wYt0Rz5"], "tokens": ["sbt-D2kF5gNb8Qv1"], "clients": []},
    "trackops": {"users": [{"username": "ops-user-4471", "token": "tot-L9cR2vXe7Ua3"}]},
}


def _secret_forms(env: dict[str, str]) -> set[str]:
    values = {v for k, v in env.items() if k in CREDENTIAL_VARS and v}
    forms = set()
    for value in values:
        forms |= {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    user, token = env["TRACKOPS_USERNAME"], env["TRACKOPS_API_TOKEN"]
    forms.add(base64.b64encode(f"{user}/token:{token}".encode()).decode())
    return forms


def test_no_credential_and_no_personal_data_in_any_output(sandbox, netsync, tmp_path, monkeypatch):
    """plan -o and apply --report, with two Trackops writes failing on vendor errors that echo
    the client's personal data and the Authorization header: no credential (raw, URL-encoded,
    base64, nor the Trackops Basic value) and no personal value appears on stdout, stderr, in
    the plan file or in the report; the failures are still reported, with the values masked."""

    def create(req, world):
        body = req.body["casefile_request"]
        return sandbox_trackops.errors(
            400,
            f"Duplicate request for client {body['client']['name']} (contact "
            f"{body['contact']['last_name']} <{body['contact']['email']}>); "
            f"caller {req.headers.get('authorization')}",
        )

    def update(req, world, rec):
        contact = rec["contact"]
        return sandbox_trackops.errors(
            409,
            f"Case request locked by {contact['first_name']} {contact['last_name']} "
            f"({contact['email']}) of {rec['client']['name']}, {rec['client']['city']}",
        )

    seed = copy.deepcopy(quickstart_seed())
    seed["credentials"] = CREDENTIALS
    sb = sandbox(seed)
    env = sb.env()
    assert env["CASEXCHANGE_API_KEY"] == "cxp_full_Q7rT9zKx2mWpL4"
    plan = tmp_path / "release.plan"
    code, plan_out, plan_err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(plan))
    assert code == 0, plan_err

    monkeypatch.setattr(sandbox_trackops, "_create", create)
    monkeypatch.setattr(sandbox_trackops, "_update", update)
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb,
        "apply",
        str(plan),
        "-c",
        str(QUICKSTART),
        "--force",
        "--continue-on-error",
        "--report",
        str(report),
    )
    assert code == 1, err
    failed_posts = [r for r in sb.requests if r["vendor"] == "trackops" and r["status"] >= 400]
    assert {r["method"] for r in failed_posts} == {"POST", "PUT"}  # the faults did fire
    document = validate_report(report)
    assert document["result"] == "partial"
    items = {i["address"]: i for i in document["items"]}
    for address in ("case_requests.ABC123-ClaimNumber", "case_requests.XYZ789-ClaimNumber"):
        assert items[address]["outcome"] == "failed"
        assert "(sensitive)" in items[address]["message"]
        assert f"{address}: failed:" in err

    outputs = {
        "plan stdout": plan_out,
        "plan stderr": plan_err,
        "plan file": plan.read_text(),
        "apply stdout": out,
        "apply stderr": err,
        "report": report.read_text(),
    }
    for secret in sorted(_secret_forms(env)):
        for where, text in outputs.items():
            assert secret not in text, f"credential {secret!r} in {where}"
    for value in PERSONAL_DATA:
        for where, text in outputs.items():
            assert value not in text, f"personal data {value!r} in {where}"


def test_vendor_error_echoing_undeclared_live_personal_data_is_masked(
    sandbox, netsync, tmp_path, monkeypatch
):
    """A Trackops error may echo the stored record's client/contact values that the config does
    not declare (the contact's phone, the client's street address). They are personal data all
    the same (SPEC 4: every output masks client and contact data; SPEC 3: no sensitive value in
    the report): neither stderr nor the report may show them."""

    def update(req, world, rec):
        return sandbox_trackops.errors(
            409,
            f"Case request locked: call {rec['contact']['phone_office']} or write to "
            f"{rec['client']['address_1']}",
        )

    sb = sandbox()
    monkeypatch.setattr(sandbox_trackops, "_update", update)
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb,
        "apply",
        "-c",
        str(QUICKSTART),
        "--auto-approve",
        "--force",
        "--continue-on-error",
        "--target",
        "case_requests.XYZ789-ClaimNumber",
        "--report",
        str(report),
    )
    assert code == 1, err
    assert [(r["method"], r["status"]) for r in sb.requests if r["method"] == "PUT"] == [
        ("PUT", 409)
    ]
    assert "case_requests.XYZ789-ClaimNumber: failed:" in err
    item = validate_report(report)["items"][0]
    assert item["outcome"] == "failed"
    for where, text in {"stdout": out, "stderr": err, "report": report.read_text()}.items():
        assert "555-555-0199" not in text, f"contact phone in {where}"
        assert "1600 Glenarm" not in text, f"client address in {where}"
