"""Plan files that must not be applied as they stand, and the paths a review found untested:
a `${VAR}` that resolves differently at apply time, answered pending requests, a rule renamed
under a planned prune delete, two declared rules on one live rule, a scoped plan file, Ctrl-C at
the prompt, a report written when apply fails on a bug, and the Smokeball waiting line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support import QUICKSTART, quickstart_seed, write_config

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
OKAFOR = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"
MED_MAL_RULE = "f5b82daf-3c49-4e17-baf2-8d9f461e23bc"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"


def writes(sb) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sb.requests if r["method"] != "GET"]


def test_a_variable_that_resolves_differently_at_apply_refuses_the_plan(sandbox, netsync, tmp_path):
    """The reviewed plan said 33.5 -> 40; with PCT=77 at apply time the config's bytes are the
    same but the desired state is not: refused, nothing written (not a PUT of 77)."""
    sb = sandbox()
    config = write_config(
        tmp_path,
        f"version: 1\nnetwork:\n  outbound:\n    {RIVERA}:\n      sendingPercentage: ${{PCT}}\n",
    )
    plan_file = tmp_path / "p.plan"
    code, out, err = netsync(sb, "plan", "-c", str(config), "-o", str(plan_file), env={"PCT": "40"})
    assert code == 0, err
    assert "33.5 → 40" in out
    sb.clear_requests()
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(config), env={"PCT": "77"})
    assert code == 1
    assert f"network.outbound.{RIVERA}: the desired state differs from the reviewed plan" in err
    assert writes(sb) == []
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(config), env={"PCT": "40"})
    assert code == 0, err
    assert sb.world.data["outbound"][RIVERA]["relationship"]["sendingPercentage"] == 40


def test_a_plan_file_that_answered_pending_requests_reapplies_as_already_applied(
    sandbox, netsync, tmp_path
):
    """`network.pending: accept` plans an update for Okafor's request; once it is answered,
    the same plan file is already applied (exit 0), not refused as "gone"."""
    sb = sandbox()
    config = write_config(tmp_path, "version: 1\nnetwork:\n  pending: accept\n")
    plan_file = tmp_path / "p.plan"
    assert netsync(sb, "plan", "-c", str(config), "-o", str(plan_file))[0] == 0
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(config))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("Apply complete: 0 created, 2 updated")
    sb.clear_requests()
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(config))
    assert code == 0, err
    assert "Plan already applied" in err
    assert out.splitlines()[-1].endswith("2 already applied.")
    assert writes(sb) == []


def test_a_planned_prune_delete_of_a_rule_renamed_since_is_refused(sandbox, netsync, tmp_path):
    """The rule the plan deletes was renamed in the portal: it still exists under its id, so
    the delete is refused (never reported as already applied while the rule lives on)."""
    sb = sandbox()
    config = write_config(
        tmp_path,
        f"version: 1\nfirms: {{rivera: {RIVERA}, caldwell: {CALDWELL}}}\n"
        "network: {outbound: {rivera: {}, caldwell: {}}}\n"
        "routing:\n  prune: true\n  rules: {}\n",
    )
    plan_file = tmp_path / "p.plan"
    target = "routing.rules.CA Med-Mal to Caldwell"
    code, out, err = netsync(
        sb, "plan", "-c", str(config), "--target", target, "-o", str(plan_file)
    )
    assert code == 0, err
    with sb.world.lock:
        rule = next(r for r in sb.world.data["routing_rules"] if r["id"] == MED_MAL_RULE)
        rule["name"] = "Renamed in the portal"
    sb.clear_requests()
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(config), "--force")
    assert code == 1
    assert f"{target}: the rule was renamed to 'Renamed in the portal'" in err
    assert writes(sb) == []
    assert any(r["id"] == MED_MAL_RULE for r in sb.world.data["routing_rules"])


def test_two_declared_rules_on_one_live_rule_are_a_plan_error(sandbox, netsync, tmp_path):
    """One declared rule matches the live rule by name, another pins its id: both are errors,
    so apply can never send two PUTs to one rule."""
    config = write_config(
        tmp_path,
        f"version: 1\nfirms: {{caldwell: {CALDWELL}}}\n"
        "network: {outbound: {caldwell: {}}}\n"
        "routing:\n  rules:\n"
        "    CA Med-Mal to Caldwell: {conditions: [], targetFirmId: caldwell}\n"
        f"    Renamed rule: {{id: {MED_MAL_RULE}, conditions: [], targetFirmId: caldwell}}\n",
    )
    code, out, err = netsync(sandbox(), "plan", "-c", str(config))
    assert code == 1
    message = (
        f"live routing rule {MED_MAL_RULE} is matched by routing.rules.CA Med-Mal to Caldwell "
        "and routing.rules.Renamed rule"
    )
    assert err.count(message) == 2


def test_a_scoped_plan_file_warns_that_it_is_partial(sandbox, netsync, tmp_path):
    """A plan made with --target applies only its changes and says so."""
    sb = sandbox()
    plan_file = tmp_path / "p.plan"
    code, _, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), "--target", "matters", "-o", str(plan_file)
    )
    assert code == 0, err
    assert json.loads(plan_file.read_text())["scope"]["targets"] == ["matters"]
    code, out, err = netsync(sb, "apply", str(plan_file), "-c", str(QUICKSTART))
    assert code == 0, err
    assert "this plan file covers part of the config only" in err
    assert writes(sb) == [("PUT", f"/matters/{MATTER}")]


def test_a_bug_during_apply_still_writes_the_report(sandbox, netsync, tmp_path, monkeypatch):
    """Whatever ends apply, the report is written (here: an unexpected exception)."""
    from netsync import apply as apply_module

    def broken(self, run, decision):
        raise RuntimeError("boom")

    monkeypatch.setattr(apply_module.Apply, "proceed", broken)
    report = tmp_path / "r.json"
    code, out, err = netsync(
        sandbox(), "apply", "-c", str(QUICKSTART), "--auto-approve", "--force",
        "--report", str(report),
    )  # fmt: skip
    assert code == 1
    assert "internal error: RuntimeError: boom" in err
    assert json.loads(report.read_text())["result"] == "refused"


def test_smokeball_write_waiting_to_show_says_so_every_ten_seconds(sandbox, tmp_path):
    """While a 202-accepted matter write is not visible yet, a `still waiting (N s)` line
    appears every 10 s; once it shows, the write is applied."""
    sb = sandbox(smokeball_visibility_delay=11)
    env = {**os.environ, **sb.env()}
    proc = subprocess.run(
        [sys.executable, "-m", "netsync", "apply", "-c", str(QUICKSTART), "--auto-approve",
         "--target", "matters"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"matters.{MATTER}: still waiting (10 s)" in proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("Apply complete: 0 created, 1 updated")


def test_ctrl_c_at_the_prompt_exits_130_and_writes_the_report(sandbox, tmp_path):
    """Ctrl-C while apply asks for `yes` is an interrupt (130, report "aborted"), never a
    plain error; nothing is written."""
    sb = sandbox(seed=quickstart_seed())
    report = tmp_path / "r.json"
    master, slave = os.openpty()
    env = {**os.environ, **sb.env()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "netsync", "apply", "-c", str(QUICKSTART), "--force",
         "--report", str(report)],
        env=env, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(slave)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            r["path"].endswith("/case/requests") for r in sb.requests
        ):
            time.sleep(0.05)
        time.sleep(1.0)  # the plan is shown and the prompt waits on the terminal
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert json.loads(Path(report).read_text())["result"] == "aborted"
    assert writes(sb) == []
