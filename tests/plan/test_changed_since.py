"""`plan --changed-since GITREF`: a pull request's plan reads and plans only what differs from
the config at GITREF; anything that could change every plan makes it unscoped, and an
unreadable revision is exit 1 (SPEC 3, issue 10)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support import QUICKSTART, converged_seed

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """The quickstart config committed to a fresh repository (in a subfolder, as in a real
    repository), with one commit: HEAD."""
    root = tmp_path / "repo"
    shutil.copytree(QUICKSTART, root / "network", ignore=shutil.ignore_patterns("sandbox"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "network")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def plan_json(netsync, sb, repo: Path, *extra: str):
    code, out, err = netsync(
        sb,
        "plan",
        "-c",
        str(repo / "network"),
        "--format",
        "json",
        "--changed-since",
        "HEAD",
        *extra,
    )
    return code, (json.loads(out) if out.strip() else None), err


def test_one_changed_relationship_plans_alone_in_a_few_requests(sandbox, netsync, repo):
    sb = sandbox(converged_seed())
    edit(repo / "network/network.yaml", "sendingPercentage: 50", "sendingPercentage: 40")
    code, doc, err = plan_json(netsync, sb, repo)
    assert code == 0, err
    changing = [c for c in doc["changes"] if c["action"] != "no-op"]
    assert [(c["address"], c["action"]) for c in changing] == [
        ("network.outbound.rivera", "update")
    ]
    assert len(doc["changes"]) == 1  # nothing else was planned, not even as a no-op
    assert doc["scope"]["changed_since"] == "HEAD"
    assert len(sb.requests) <= 5, sb.requests
    assert {r["vendor"] for r in sb.requests} == {"casexchange"}


def test_text_plan_names_its_scope(sandbox, netsync, repo):
    sb = sandbox(converged_seed())
    edit(repo / "network/network.yaml", "sendingPercentage: 50", "sendingPercentage: 40")
    code, out, err = netsync(sb, "plan", "-c", str(repo / "network"), "--changed-since", "HEAD")
    assert code == 0, err
    assert "Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete." in out
    assert "Scope: the 1 declared resource changed since HEAD (--changed-since)" in out
    code, md, err = netsync(
        sb, "plan", "-c", str(repo / "network"), "--changed-since", "HEAD", "--format", "markdown"
    )
    assert "changed since HEAD" in md


def test_nothing_changed_reads_nothing(sandbox, netsync, repo):
    sb = sandbox(converged_seed())
    code, out, err = netsync(sb, "plan", "-c", str(repo / "network"), "--changed-since", "HEAD")
    assert code == 0, err
    assert "No declared resource changed since HEAD: nothing to plan." in out
    assert sb.requests == []


@pytest.mark.parametrize(
    "file, old, new, why",
    [
        ("netsync.yaml", "confirm_timeout: 30", "confirm_timeout: 20", "providers"),
        ("netsync.yaml", "max_change_percent: 60", "max_change_percent: 70", "settings"),
        ("routing.yaml", "prune: false", "prune: true", "routing.prune"),
        ("network.yaml", "pending: report", "pending: accept", "network.pending"),
    ],
)
def test_a_setting_that_can_change_any_plan_unscopes_it(
    sandbox, netsync, repo, file, old, new, why
):
    sb = sandbox(converged_seed())
    edit(repo / "network" / file, old, new)
    code, doc, err = plan_json(netsync, sb, repo)
    assert code == 0, err
    assert "scope" not in doc
    assert len(doc["changes"]) >= 10  # every declared resource is planned
    notes = [w["message"] for w in doc["warnings"]]
    assert f"--changed-since HEAD: {why} changed since HEAD; the whole config is planned" in notes


def test_an_alias_retargeted_changes_what_uses_it(sandbox, netsync, repo):
    """Both sides are resolved: moving an alias changes every resource that names it."""
    sb = sandbox(converged_seed())
    edit(
        repo / "network/netsync.yaml",
        "caldwell: b2c3d4e5-6789-0abc-def1-234567890abc",
        "caldwell: b2c3d4e5-6789-0abc-def1-234567890abd",
    )
    code, doc, err = plan_json(netsync, sb, repo)
    addresses = sorted(c["address"] for c in doc["changes"])
    assert "routing.rules.CA Med-Mal to Caldwell" in addresses
    assert "network.outbound.b2c3d4e5-6789-0abc-def1-234567890abd" in addresses or any(
        a.startswith("network.outbound.") for a in addresses
    )
    assert "network.outbound.rivera" not in addresses


def test_removed_resources_are_no_longer_managed_and_left_alone(sandbox, netsync, repo):
    sb = sandbox(converged_seed())
    edit(repo / "network/cases.yaml", "    notes: Surveillance requested by the insurer\n", "")
    text = (repo / "network/cases.yaml").read_text()
    start = text.index("  XYZ789-ClaimNumber:")
    (repo / "network/cases.yaml").write_text(text[:start])
    code, doc, err = plan_json(netsync, sb, repo)
    assert code == 0, err
    notes = {w.get("address"): w["message"] for w in doc["warnings"]}
    assert "no longer managed" in notes["case_requests.XYZ789-ClaimNumber"]
    planned = {c["address"] for c in doc["changes"]}
    assert planned == {"case_requests.ABC123-ClaimNumber"}
    assert not [r for r in sb.requests if r["method"] != "GET"]


def test_a_removed_rule_under_prune_is_deleted(sandbox, netsync, repo):
    edit(repo / "network/routing.yaml", "prune: false", "prune: true")
    git(repo, "commit", "-q", "-am", "prune")
    text = (repo / "network/routing.yaml").read_text()
    start = text.index("    NV Product Liability to Rivera:")
    (repo / "network/routing.yaml").write_text(text[:start])
    sb = sandbox(converged_seed())
    code, doc, err = plan_json(netsync, sb, repo, "--detailed-exitcode")
    assert code == 2, err
    changing = [(c["address"], c["action"]) for c in doc["changes"] if c["action"] != "no-op"]
    assert changing == [("routing.rules.NV Product Liability to Rivera", "delete")]


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~5", "-x"])
def test_an_unresolvable_ref_is_exit_1_never_a_full_or_empty_plan(sandbox, netsync, repo, ref):
    sb = sandbox(converged_seed())
    code, out, err = netsync(
        sb, "plan", "-c", str(repo / "network"), "--changed-since", ref, "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["errors"]
    assert ref in err
    assert sb.requests == []


def test_outside_a_repository_is_exit_1(sandbox, netsync, tmp_path):
    folder = tmp_path / "plain"
    shutil.copytree(QUICKSTART, folder, ignore=shutil.ignore_patterns("sandbox"))
    code, out, err = netsync(
        sandbox(converged_seed()), "plan", "-c", str(folder), "--changed-since", "HEAD"
    )
    assert code == 1
    assert "cannot read the config at HEAD" in err


def test_a_config_new_since_the_ref_or_invalid_there_is_planned_whole(sandbox, netsync, repo):
    sb = sandbox(converged_seed())
    moved = repo / "moved"
    shutil.copytree(repo / "network", moved)
    code, out, err = netsync(
        sb, "plan", "-c", str(moved), "--changed-since", "HEAD", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0, err
    assert "scope" not in doc
    assert any("the whole config is planned" in w["message"] for w in doc["warnings"])

    edit(repo / "network/routing.yaml", "priority: 1", "priority: one")
    git(repo, "commit", "-q", "-am", "broken")
    edit(repo / "network/routing.yaml", "priority: one", "priority: 1")
    code, doc, err = plan_json(netsync, sb, repo)
    assert code == 0, err
    assert "scope" not in doc
    assert any("is not valid" in w["message"] for w in doc["warnings"])


@pytest.mark.parametrize("extra", [["-c", "-"], ["--target", "network"]])
def test_refused_with_stdin_or_target(netsync, repo, extra):
    code, out, err = netsync(None, "plan", *extra, "--changed-since", "HEAD")
    assert code == 1
    assert "--changed-since cannot be combined with" in err


def test_apply_rejects_the_option(netsync, repo):
    code, out, err = netsync(None, "apply", "-c", str(repo / "network"), "--changed-since", "HEAD")
    assert code == 1
    assert "--changed-since" in err


def test_a_scoped_plan_file_applies_only_its_change_and_says_so(sandbox, netsync, repo, tmp_path):
    sb = sandbox(converged_seed())
    edit(repo / "network/network.yaml", "sendingPercentage: 50", "sendingPercentage: 40")
    planfile = tmp_path / "pr.plan"
    code, out, err = netsync(
        sb, "plan", "-c", str(repo / "network"), "--changed-since", "HEAD", "-o", str(planfile)
    )
    assert code == 0, err
    assert json.loads(planfile.read_text())["scope"]["changed_since"] == "HEAD"
    sb.requests.clear()
    code, out, err = netsync(
        sb, "apply", str(planfile), "-c", str(repo / "network"), "--auto-approve"
    )
    assert code == 0, err
    assert "covers part of the config only" in err
    writes = [(r["method"], r["path"]) for r in sb.requests if r["method"] != "GET"]
    assert writes == [
        ("PUT", "/api/public/v1/network/outbound/c3d4e5f6-7890-1abc-def2-34567890abcd")
    ]
