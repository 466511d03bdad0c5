"""The ready-made CI in examples/ci/ works as written.

Each workflow is parsed and its structure checked (triggers, the fork guard, full history for
`--changed-since`, the apply job's never-cancelled concurrency group or resource group, artifact
uploads, which secret tier each job gets). Then the steps that run netsync are run as written,
in bash, in a temporary git repository holding the quickstart config, against a sandbox started
with the quickstart seed: the GitHub expressions and GitLab variables are given concrete values,
the secrets are the sandbox's credentials of the tier the file names, and `netsync` is this
checkout's (`python -m netsync`). A pull request changes one relationship; merging applies it;
the nightly drift is 0 until someone changes the live network behind git's back, then 2.

The github-script steps run in node against a stand-in for the GitHub API (skipped without
node); the GitLab helper runs against a small fake GitLab API.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from support import QUICKSTART, ROOT

CI = ROOT / "examples" / "ci"
GITHUB = CI / "github" / "netsync.yml"
GITLAB = CI / "gitlab" / ".gitlab-ci.yml"
GITLAB_HELPER = CI / "gitlab" / "netsync_gitlab.py"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT_EXAMPLE = CI / "pre-commit" / ".pre-commit-config.yaml"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"

READ_SECRETS = {
    "CASEXCHANGE_API_KEY_RO",
    "SMOKEBALL_API_KEY",
    "SMOKEBALL_CLIENT_ID",
    "SMOKEBALL_CLIENT_SECRET",
    "TRACKOPS_USERNAME",
    "TRACKOPS_API_TOKEN",
}
WRITE_SECRETS = {"CASEXCHANGE_API_KEY_APPLY", "CASEXCHANGE_EMAIL", "CASEXCHANGE_PASSWORD"}

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
    "LANG": "C.UTF-8",
}
# `netsync` in a step is this checkout's CLI; every call is logged as "EXIT SUBCOMMAND".
NETSYNC_SHIM = """netsync() {
  "$NETSYNC_PYTHON" -m netsync "$@" && rc=0 || rc=$?
  printf '%s %s\\n' "$rc" "$1" >> "$NETSYNC_LOG"
  return "$rc"
}
"""
COMMAND = re.compile(
    r"(?:^|\bthen\s+|;\s*|&&\s*|\|\|\s*)(netsync\s+(validate|plan|apply|drift|show)\b[^;|&\n]*)",
    re.MULTILINE,
)
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


# --------------------------------------------------------------------------------------------
# Helpers


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def comments_of(path: Path) -> str:
    """The file's comment lines (where the secrets are documented)."""
    return "\n".join(line for line in path.read_text().splitlines() if line.startswith("#"))


def commands(script: str) -> list[str]:
    """The netsync commands a shell script runs, in order (comments and echoes left out)."""
    lines = [line.strip() for line in script.splitlines()]
    text = "\n".join(line for line in lines if not line.startswith("#"))
    return [m.group(1).strip() for m in COMMAND.finditer(text)]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


def secrets_of(sb) -> dict[str, str]:
    """The sandbox's credentials under the secret names the examples document."""
    creds = sb.world.data["credentials"]
    cx, smokeball, trackops = creds["casexchange"], creds["smokeball"], creds["trackops"]
    key = {k.split("_")[1]: k for k in cx["api_keys"]}  # ro, std, full
    return {
        "CASEXCHANGE_API_KEY_RO": key["ro"],
        "CASEXCHANGE_API_KEY_APPLY": key["full"],  # the quickstart manages routing rules
        "CASEXCHANGE_EMAIL": cx["logins"][0]["email"],
        "CASEXCHANGE_PASSWORD": cx["logins"][0]["password"],
        "SMOKEBALL_API_KEY": smokeball["api_keys"][0],
        "SMOKEBALL_CLIENT_ID": smokeball["clients"][0]["client_id"],
        "SMOKEBALL_CLIENT_SECRET": smokeball["clients"][0]["client_secret"],
        "TRACKOPS_USERNAME": trackops["users"][0]["username"],
        "TRACKOPS_API_TOKEN": trackops["users"][0]["token"],
    }


def sandbox_urls(sb) -> dict[str, str]:
    """Only the NETSYNC_*_URL variables: credentials come from the workflow's secrets."""
    return {k: v for k, v in sb.env().items() if k.startswith("NETSYNC_") and k.endswith("_URL")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


class Runner:
    """Runs CI scripts in bash in `repo` with `env`, logging every netsync call."""

    def __init__(self, repo: Path, env: dict[str, str]) -> None:
        self.repo = repo
        self.log = repo.parent / "netsync-calls.log"
        self.env = {
            **GIT_ENV,
            **env,
            "NETSYNC_PYTHON": sys.executable,
            "NETSYNC_LOG": str(self.log),
            "PYTHONPATH": str(ROOT),
        }

    def run(self, script: str, env: dict[str, str]):
        """(exit code, [(netsync exit, subcommand)...], stderr) of one step or job script."""
        self.log.write_text("")
        options = "-eo pipefail"  # GitHub's `bash -e` default shell; GitLab's runner likewise
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", *options.split(), "-c", NETSYNC_SHIM + script],
            cwd=self.repo,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        calls = [
            (int(c), sub) for c, sub in (line.split() for line in self.log.read_text().splitlines())
        ]
        return done.returncode, calls, done.stdout + done.stderr


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose main holds the quickstart config in network/, pushed to a bare
    `origin`, so `origin/main` resolves as on a CI runner."""
    origin, root = tmp_path / "origin.git", tmp_path / "repo"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(QUICKSTART, root / "network", ignore=shutil.ignore_patterns("sandbox"))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "network")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    return root


def open_pull_request(repo: Path) -> str:
    """A branch that lowers Rivera's share from 50 to 40; returns the base commit."""
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "lower-rivera")
    edit(repo / "network" / "network.yaml", "sendingPercentage: 50", "sendingPercentage: 40")
    git(repo, "commit", "-q", "-am", "Send Rivera 40 %")
    git(repo, "push", "-q", "origin", "lower-rivera")
    return base


def merge_pull_request(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "lower-rivera")
    git(repo, "push", "-q", "origin", "main")


def converge(repo: Path, sb) -> None:
    """What main says is live already (the state before the pull request): the quickstart
    world differs in most resources, so this first apply needs --force."""
    env = {**GIT_ENV, **sb.env(), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "netsync", "apply", "-c", "network", "--auto-approve", "--force"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def live(sb) -> dict[str, Any]:
    """What the vendors hold, as a copy."""
    keys = ("outbound", "inbound", "pending", "routing_rules", "cases", "matters", "case_requests")
    return json.loads(json.dumps({k: sb.world.data[k] for k in keys}, default=str))


def change_behind_gits_back(sb) -> None:
    """Someone edits Rivera's share in the CaseXchange portal."""
    sb.world.data["outbound"][RIVERA]["relationship"]["sendingPercentage"] = 10


# --------------------------------------------------------------------------------------------
# GitHub Actions: structure


def github_jobs() -> dict[str, Any]:
    return load(GITHUB)["jobs"]


def secret_names(value: Any) -> set[str]:
    return set(re.findall(r"secrets\.([A-Z0-9_]+)", json.dumps(value)))


def test_github_triggers():
    on = triggers(load(GITHUB))
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"] and all("cron" in s for s in on["schedule"])


def test_github_jobs_run_on_their_events_only():
    jobs = github_jobs()
    assert set(jobs) == {"validate", "plan", "apply", "drift"}
    assert jobs["validate"]["if"] == "github.event_name == 'pull_request'"
    assert "github.event_name == 'pull_request'" in jobs["plan"]["if"]
    assert jobs["apply"]["if"] == ("github.event_name == 'push' && github.ref == 'refs/heads/main'")
    assert "github.event_name == 'schedule'" in jobs["drift"]["if"]


def test_github_fork_guard_keeps_secrets_to_same_repository_pull_requests():
    jobs = github_jobs()
    guard = "github.event.pull_request.head.repo.full_name == github.repository"
    assert guard in jobs["plan"]["if"]
    assert guard not in jobs["validate"]["if"]  # forks still get validate
    assert secret_names(jobs["validate"]) == set()  # ... which needs no secret


def test_github_plan_checks_out_history_and_posts_one_comment():
    plan = github_jobs()["plan"]
    checkout = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert plan["permissions"]["pull-requests"] == "write"
    scripts = [s for s in plan["steps"] if s.get("uses", "").startswith("actions/github-script")]
    assert len(scripts) == 1
    script = scripts[0]["with"]["script"]
    assert "<!-- netsync-plan -->" in script and "updateComment" in script
    assert "65536" in script
    upload = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-art"))
    assert upload["if"] == "always()"
    assert {"plan.md", "plan.txt", "netsync.plan"} <= set(upload["with"]["path"].split())
    run = next(s for s in plan["steps"] if s.get("id") == "plan")
    assert commands(run["run"])[0].startswith(
        'netsync plan -c "$NETSYNC_CONFIG" --changed-since "origin/$BASE_REF" --format markdown'
    )
    assert run["env"]["BASE_REF"] == "${{ github.base_ref }}"
    fail = plan["steps"][-1]
    assert fail["if"] == "steps.plan.outputs.exit_code != '0'" and "exit 1" in fail["run"]


def test_github_apply_is_never_cancelled_and_keeps_its_report():
    apply = github_jobs()["apply"]
    assert apply["concurrency"] == {"group": "netsync-apply", "cancel-in-progress": False}
    runs = [c for s in apply["steps"] if "run" in s for c in commands(s["run"])]
    assert runs == [
        'netsync plan -c "$NETSYNC_CONFIG" -o plan.json',
        'netsync apply plan.json -c "$NETSYNC_CONFIG" --report report.json',
    ]
    upload = next(s for s in apply["steps"] if s.get("uses", "").startswith("actions/upload-art"))
    assert upload["if"] == "always()" and "report.json" in upload["with"]["path"].split()


def test_github_drift_manages_one_labelled_issue():
    drift = github_jobs()["drift"]
    assert drift["permissions"]["issues"] == "write"
    script = next(s for s in drift["steps"] if "github-script" in s.get("uses", ""))
    assert "'netsync-drift'" in script["with"]["script"]
    run = next(s for s in drift["steps"] if s.get("id") == "drift")
    (command,) = commands(run["run"])
    assert command == 'netsync drift -c "$NETSYNC_CONFIG" --format markdown > drift.md'


def test_github_secret_tiers_per_job():
    """Pull requests and drift read with the cxp_ro_ key; only apply gets a key that writes
    and the service login; every secret is documented in the file's header."""
    jobs = github_jobs()
    assert secret_names(jobs["plan"]) == READ_SECRETS
    assert secret_names(jobs["drift"]) == READ_SECRETS
    assert secret_names(jobs["apply"]) == READ_SECRETS - {"CASEXCHANGE_API_KEY_RO"} | WRITE_SECRETS
    assert jobs["plan"]["env"]["CASEXCHANGE_API_KEY"] == "${{ secrets.CASEXCHANGE_API_KEY_RO }}"
    assert jobs["apply"]["env"]["CASEXCHANGE_API_KEY"] == (
        "${{ secrets.CASEXCHANGE_API_KEY_APPLY }}"
    )
    header = comments_of(GITHUB)
    for name in READ_SECRETS | WRITE_SECRETS:
        assert re.search(rf"^#\s+{name}\s", header, re.MULTILINE), name
    for tier in ("cxp_ro_", "cxp_std_", "cxp_full_"):
        assert tier in header


# --------------------------------------------------------------------------------------------
# GitHub Actions: the steps, run


class GitHubJob:
    """One job's netsync steps run in order, with `${{ }}` expressions resolved."""

    def __init__(self, runner: Runner, name: str, secrets: dict[str, str], base_ref: str):
        self.runner, self.name = runner, name
        self.workflow = load(GITHUB)
        self.job = self.workflow["jobs"][name]
        self.secrets, self.base_ref = secrets, base_ref
        self.outputs: dict[str, dict[str, str]] = {}

    def resolve(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("secrets."):
                return self.secrets[expr.removeprefix("secrets.")]
            if expr == "github.base_ref":
                return self.base_ref
            if m := re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)", expr):
                return self.outputs.get(m.group(1), {}).get(m.group(2), "")
            raise AssertionError(f"unknown expression in a step: {expr}")

        return EXPRESSION.sub(value, str(text))

    def run(self) -> list[tuple[str, int, list[tuple[int, str]], str]]:
        """(step id or name, step exit, netsync calls, output) of each netsync step."""
        results = []
        summary = self.runner.repo.parent / "step-summary.md"
        for step in self.job["steps"]:
            script = step.get("run", "")
            if not commands(script):
                assert "uses" in step or "pip install" in script or "exit 1" in script, step
                continue
            output = self.runner.repo.parent / "github-output"
            output.write_text("")
            env = {**self.workflow.get("env", {}), **self.job.get("env", {}), **step.get("env", {})}
            env = {k: self.resolve(v) for k, v in env.items()}
            env |= {
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.runner.repo),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
            }
            code, calls, out = self.runner.run(self.resolve(script), env)
            ran = [sub for _, sub in calls]
            assert ran == [c.split()[1] for c in commands(script)][: len(ran)], (ran, script)
            key = step.get("id") or step["name"]
            self.outputs[key] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
            results.append((key, code, calls, out))
        return results


def test_github_workflow_from_pull_request_to_merge_to_drift(sandbox, repo):
    sb = sandbox()
    converge(repo, sb)
    before = live(sb)
    base_ref = "main"
    open_pull_request(repo)
    runner = Runner(repo, sandbox_urls(sb))
    secrets = secrets_of(sb)

    # Pull request: validate, then the scoped plan.
    (step,) = GitHubJob(runner, "validate", {}, base_ref).run()
    assert step[1:3] == (0, [(0, "validate")]), step[3]
    plan_job = GitHubJob(runner, "plan", secrets, base_ref)
    (step,) = plan_job.run()
    assert step[1:3] == (0, [(0, "plan"), (0, "show")]), step[3]
    assert plan_job.outputs["plan"]["exit_code"] == "0"
    markdown = (repo / "plan.md").read_text()
    assert markdown.startswith("**Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete.**")
    assert "network.outbound.rivera" in markdown and "changed since origin/main" in markdown
    assert "network.outbound.caldwell" not in markdown  # not part of this pull request
    assert "network.outbound.rivera" in (repo / "plan.txt").read_text()
    assert (repo / "netsync.plan").exists()
    assert secrets["CASEXCHANGE_API_KEY_RO"] not in step[3]
    assert live(sb) == before  # a pull request never writes

    # Merge: an unscoped plan, then apply exactly it.
    merge_pull_request(repo)
    for name in ("plan.md", "plan.txt", "netsync.plan"):
        (repo / name).unlink()
    plan_step, apply_step = GitHubJob(runner, "apply", secrets, base_ref).run()
    assert plan_step[1:3] == (0, [(0, "plan")]), plan_step[3]
    assert apply_step[1:3] == (0, [(0, "apply")]), apply_step[3]
    report = json.loads((repo / "report.json").read_text())
    assert [i["address"] for i in report["items"]] == ["network.outbound.rivera"], report
    assert sb.world.data["outbound"][RIVERA]["relationship"]["sendingPercentage"] == 40

    # Nightly drift: none, then a change behind git's back.
    drift_job = GitHubJob(runner, "drift", secrets, base_ref)
    (step,) = drift_job.run()
    assert step[1:3] == (0, [(0, "drift")]), step[3]
    assert drift_job.outputs["drift"]["exit_code"] == "0"
    change_behind_gits_back(sb)
    (step,) = drift_job.run()
    assert step[1:3] == (0, [(2, "drift")]), step[3]  # the step passes; the issue step acts
    assert drift_job.outputs["drift"]["exit_code"] == "2"
    assert (repo / "drift.md").read_text().startswith("**Drift detected: ")


def test_github_invalid_pull_request_fails_validate_and_plan(sandbox, repo):
    sb = sandbox()
    git(repo, "checkout", "-q", "-b", "broken")
    edit(repo / "network" / "network.yaml", "sendingPercentage: 50", "sendingPercentage: fifty")
    git(repo, "commit", "-q", "-am", "broken")
    runner = Runner(repo, sandbox_urls(sb))
    (step,) = GitHubJob(runner, "validate", {}, "main").run()
    assert step[1:3] == (1, [(1, "validate")])
    assert "::error file=network/network.yaml,line=6,col=26::" in step[3]
    plan_job = GitHubJob(runner, "plan", secrets_of(sb), "main")
    (step,) = plan_job.run()
    assert step[1:3] == (0, [(1, "plan")])  # the comment step still posts the errors
    assert plan_job.outputs["plan"]["exit_code"] == "1"  # and the last step fails the job
    assert "sendingPercentage" in (repo / "plan.md").read_text()
    assert "::error file=network/network.yaml,line=6,col=26::" in step[3]  # GITHUB_ACTIONS


def test_github_drift_error_fails_the_job(sandbox, repo):
    sb = sandbox()
    secrets = {**secrets_of(sb), "CASEXCHANGE_API_KEY_RO": "cxp_ro_revoked"}
    drift_job = GitHubJob(Runner(repo, sandbox_urls(sb)), "drift", secrets, "main")
    (step,) = drift_job.run()
    assert step[1:3] == (1, [(1, "drift")]), step[3]
    assert "cxp_ro_revoked" not in step[3]


# --------------------------------------------------------------------------------------------
# GitHub Actions: the github-script steps, in node against a stand-in API

NODE_HARNESS = r"""
const fs = require('fs');
const [scriptPath, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const calls = [];
const listing = (label, items) => Object.assign(async () => ({ data: items }), { label, items });
const write = (name) => async (args) => { calls.push([name, args]); return { data: {} }; };
const github = {
  paginate: async (method, args) => { calls.push([method.label, args]); return method.items; },
  rest: { issues: {
    listComments: listing('listComments', state.comments || []),
    listForRepo: listing('listForRepo', state.issues || []),
    updateComment: write('updateComment'), createComment: write('createComment'),
    update: write('update'), create: write('create'),
  } },
};
const context = {
  repo: { owner: 'acme', repo: 'network' }, issue: { number: 7 }, runId: 42,
  serverUrl: 'https://github.com', payload: { pull_request: { head: { sha: '0123456789abc' } } },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptPath, 'utf8'))(
  require, github, context, {},
).then(() => console.log(JSON.stringify(calls)), (e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture
def github_script(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS)

    def run(job: str, state: dict[str, Any], env: dict[str, str]) -> list[list[Any]]:
        step = next(s for s in github_jobs()[job]["steps"] if "github-script" in s.get("uses", ""))
        (tmp_path / "script.js").write_text(step["with"]["script"])
        (tmp_path / "state.json").write_text(json.dumps(state))
        done = subprocess.run(
            [node, str(harness), "script.js", "state.json"],
            cwd=tmp_path,
            env={"PATH": os.environ["PATH"], **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [c for c in json.loads(done.stdout) if c[0] not in ("listComments", "listForRepo")]

    return run


def test_plan_comment_is_created_once_then_edited_in_place(github_script, tmp_path):
    (tmp_path / "plan.md").write_text("**Plan: 0 to create, 1 to update.**\n")
    env = {"PLAN_EXIT_CODE": "0", "BASE_REF": "main"}
    ((name, args),) = github_script("plan", {"comments": []}, env)
    assert name == "createComment" and args["issue_number"] == 7
    body = args["body"]
    assert body.startswith("<!-- netsync-plan -->\n") and "**Plan: 0 to create" in body
    assert "--changed-since origin/main" in body and "failed" not in body
    comments = [
        {"id": 1, "user": {"type": "User"}, "body": "quoting <!-- netsync-plan --> by hand"},
        {"id": 2, "user": {"type": "Bot"}, "body": "<!-- netsync-plan -->\nold plan"},
    ]
    ((name, args),) = github_script("plan", {"comments": comments}, env)
    assert name == "updateComment" and args["comment_id"] == 2


def test_plan_comment_fits_githubs_limit_and_says_when_cut(github_script, tmp_path):
    (tmp_path / "plan.md").write_text("| row |\n" * 20_000)  # 160,000 characters
    ((name, args),) = github_script("plan", {}, {"PLAN_EXIT_CODE": "1", "BASE_REF": "main"})
    assert name == "createComment"
    assert len(args["body"]) <= 65_536
    assert "**Truncated**" in args["body"] and "`netsync-plan` artifact" in args["body"]
    assert "**netsync plan failed** (exit 1)" in args["body"]


def test_drift_issue_is_opened_updated_and_closed(github_script, tmp_path):
    (tmp_path / "drift.md").write_text("**Drift detected: 0 to create, 1 to update.**\n")
    drifted = {"DRIFT_EXIT_CODE": "2"}
    ((name, args),) = github_script("drift", {"issues": []}, drifted)
    assert name == "create" and args["labels"] == ["netsync-drift"]
    assert "**Drift detected" in args["body"]
    pull = {"number": 3, "pull_request": {}}
    issue = {"number": 9}
    ((name, args),) = github_script("drift", {"issues": [pull, issue]}, drifted)
    assert (name, args["issue_number"]) == ("update", 9) and "**Drift detected" in args["body"]
    calls = github_script("drift", {"issues": [issue]}, {"DRIFT_EXIT_CODE": "0"})
    assert [c[0] for c in calls] == ["createComment", "update"]
    assert calls[1][1]["state"] == "closed"
    assert github_script("drift", {"issues": []}, {"DRIFT_EXIT_CODE": "0"}) == []


# --------------------------------------------------------------------------------------------
# GitLab CI


def gitlab_jobs() -> dict[str, Any]:
    return {k: v for k, v in load(GITLAB).items() if isinstance(v, dict) and "script" in v}


def gitlab_rules(job: dict[str, Any]) -> list[str]:
    return [rule["if"] for rule in job["rules"]]


def test_gitlab_structure():
    pipeline = load(GITLAB)
    jobs = gitlab_jobs()
    assert set(jobs) == {"validate", "plan", "apply", "drift"}
    assert gitlab_rules(jobs["validate"]) == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    (plan_rule,) = gitlab_rules(jobs["plan"])
    assert "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID" in plan_rule  # fork guard
    assert jobs["plan"]["variables"]["GIT_DEPTH"] == 0
    assert jobs["plan"]["artifacts"]["when"] == "always"
    assert "plan.md" in jobs["plan"]["artifacts"]["paths"]
    assert jobs["apply"]["resource_group"] == "netsync-apply"
    assert jobs["apply"]["interruptible"] is False
    assert gitlab_rules(jobs["apply"]) == [
        '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"'
    ]
    assert jobs["apply"]["artifacts"] == {
        "when": "always",
        "paths": ["report.json", "plan.json"],
        "expire_in": "90 days",
    }
    assert gitlab_rules(jobs["drift"]) == ['$CI_PIPELINE_SOURCE == "schedule"']
    assert jobs["drift"]["allow_failure"] == {"exit_codes": [2]}
    assert pipeline["default"]["before_script"] == [
        'python -m pip install --quiet "$NETSYNC_PACKAGE"'
    ]
    assert pipeline["variables"]["NETSYNC_CONFIG"] == "network"


def test_gitlab_secret_tiers_per_job():
    jobs = gitlab_jobs()
    for name in ("plan", "drift"):
        assert jobs[name]["variables"]["CASEXCHANGE_API_KEY"] == "$CASEXCHANGE_API_KEY_RO"
    assert jobs["apply"]["variables"]["CASEXCHANGE_API_KEY"] == "$CASEXCHANGE_API_KEY_APPLY"
    header = comments_of(GITLAB)
    for name in READ_SECRETS | WRITE_SECRETS | {"NETSYNC_GITLAB_TOKEN"}:
        assert re.search(rf"^#\s+{name}\b", header, re.MULTILINE), name


class GitLabJob:
    """One job's script as the runner runs it (one bash, -e), with project variables (the
    protected ones only on the default branch) and predefined CI variables."""

    def __init__(self, runner: Runner, name: str, variables: dict[str, str], ci: dict[str, str]):
        self.runner = runner
        self.pipeline = load(GITLAB)
        self.job = self.pipeline[name]
        self.variables, self.ci = variables, ci

    def run(self):
        env = {**self.variables, **self.ci}
        for key, value in {**self.pipeline["variables"], **self.job.get("variables", {})}.items():
            env[key] = re.sub(r"\$(\w+)", lambda m: env[m.group(1)], str(value))
        script = "\n".join(self.job["script"])
        return self.runner.run(script, env)


def test_gitlab_pipeline_from_merge_request_to_merge_to_drift(sandbox, repo):
    sb = sandbox()
    converge(repo, sb)
    base = open_pull_request(repo)
    (repo / ".gitlab").mkdir()
    shutil.copy(GITLAB_HELPER, repo / ".gitlab" / "netsync_gitlab.py")
    runner = Runner(repo, sandbox_urls(sb))
    project = secrets_of(sb)
    unprotected = {k: v for k, v in project.items() if k not in WRITE_SECRETS}
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base}

    code, calls, out = GitLabJob(runner, "validate", unprotected, mr).run()
    assert (code, calls) == (0, [(0, "validate")]), out
    code, calls, out = GitLabJob(runner, "plan", unprotected, mr).run()
    assert (code, calls) == (0, [(0, "plan"), (0, "show")]), out
    assert "NETSYNC_GITLAB_TOKEN is not set" in out
    markdown = (repo / "plan.md").read_text()
    assert markdown.startswith("**Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete.**")
    assert f"changed since {base}" in markdown and "network.outbound.rivera" in markdown

    merge_pull_request(repo)
    push = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}
    code, calls, out = GitLabJob(runner, "apply", project, push).run()
    assert (code, calls) == (0, [(0, "plan"), (0, "apply")]), out
    report = json.loads((repo / "report.json").read_text())
    assert [i["address"] for i in report["items"]] == ["network.outbound.rivera"], report

    schedule = {"CI_PIPELINE_SOURCE": "schedule"}
    code, calls, out = GitLabJob(runner, "drift", project, schedule).run()
    assert (code, calls) == (0, [(0, "drift")]), out
    assert "NETSYNC_GITLAB_TOKEN is not set" in out  # the issue helper ran (and closes none)
    change_behind_gits_back(sb)
    code, calls, out = GitLabJob(runner, "drift", project, schedule).run()
    assert (code, calls) == (2, [(2, "drift")]), out  # allow_failure: exit_codes [2]
    assert "NETSYNC_GITLAB_TOKEN is not set" in out  # ... after the helper ran
    assert (repo / "drift.md").read_text().startswith("**Drift detected: ")


def test_gitlab_drift_error_fails_the_job(sandbox, repo):
    sb = sandbox()
    project = {**secrets_of(sb), "CASEXCHANGE_API_KEY_RO": "cxp_ro_revoked"}
    job = GitLabJob(Runner(repo, sandbox_urls(sb)), "drift", project, {})
    code, calls, out = job.run()
    assert (code, calls) == (1, [(1, "drift")]), out


class FakeGitLab(BaseHTTPRequestHandler):
    """Just enough of the GitLab API for netsync_gitlab.py: notes on MR 5 and issues of
    project 123, behind a PRIVATE-TOKEN."""

    notes: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    seen: list[str]

    def log_message(self, *args: Any) -> None:
        pass

    def answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self) -> None:
        if self.headers.get("PRIVATE-TOKEN") != "glpat-test":
            return self.answer(401, {"message": "401 Unauthorized"})
        url = urlsplit(self.path)
        path, query = url.path.removeprefix("/api/v4/projects/123"), parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        self.seen.append(f"{self.command} {path}")
        if path == "/merge_requests/5/notes":
            if self.command == "GET":
                return self.answer(200, self.notes if query["page"] == ["1"] else [])
            self.notes.append({"id": len(self.notes) + 100, "body": body["body"]})
            return self.answer(201, self.notes[-1])
        if m := re.fullmatch(r"/merge_requests/5/notes/(\d+)", path):
            note = next(n for n in self.notes if n["id"] == int(m.group(1)))
            note["body"] = body["body"]
            return self.answer(200, note)
        if path == "/issues":
            if self.command == "GET":
                opened = [i for i in self.issues if i["state"] == "opened"]
                assert query["labels"] == ["netsync-drift"]
                return self.answer(200, opened if query["page"] == ["1"] else [])
            issue = {"iid": len(self.issues) + 1, "state": "opened", **body}
            self.issues.append(issue)
            return self.answer(201, issue)
        if m := re.fullmatch(r"/issues/(\d+)(/notes)?", path):
            issue = next(i for i in self.issues if i["iid"] == int(m.group(1)))
            if m.group(2):
                issue.setdefault("notes", []).append(body["body"])
            elif body.get("state_event") == "close":
                issue["state"] = "closed"
            else:
                issue.update(body)
            return self.answer(200, issue)
        return self.answer(404, {"message": "404 Not Found"})

    do_GET = do_POST = do_PUT = handle_any


@pytest.fixture
def gitlab_api() -> Iterator[tuple[type[FakeGitLab], dict[str, str]]]:
    handler = type("Handler", (FakeGitLab,), {"notes": [], "issues": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {
        "PATH": os.environ["PATH"],
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_port}/api/v4",
        "CI_PROJECT_ID": "123",
        "CI_MERGE_REQUEST_IID": "5",
        "CI_JOB_URL": "https://gitlab.example.com/acme/network/-/jobs/1",
        "NETSYNC_GITLAB_TOKEN": "glpat-test",
    }
    yield handler, env
    server.shutdown()
    server.server_close()


def helper(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(GITLAB_HELPER), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_gitlab_plan_note_is_created_once_then_edited(gitlab_api, tmp_path):
    api, env = gitlab_api
    (tmp_path / "plan.md").write_text("**Plan: 0 to create, 1 to update.**\n")
    api.notes.append({"id": 1, "body": "LGTM", "system": False})
    assert helper(tmp_path, env, "note", "plan.md", "0").returncode == 0
    assert [n["id"] for n in api.notes] == [1, 101]
    assert api.notes[1]["body"].startswith("<!-- netsync-plan -->\n")
    (tmp_path / "plan.md").write_text("**Plan: 0 to create, 2 to update.**\n")
    assert helper(tmp_path, env, "note", "plan.md", "1").returncode == 0
    assert [n["id"] for n in api.notes] == [1, 101]  # edited in place, not a second note
    assert "2 to update" in api.notes[1]["body"] and "exit 1" in api.notes[1]["body"]


def test_gitlab_drift_issue_is_opened_updated_and_closed(gitlab_api, tmp_path):
    api, env = gitlab_api
    (tmp_path / "drift.md").write_text("**Drift detected: 0 to create, 1 to update.**\n")
    assert helper(tmp_path, env, "drift", "drift.md", "2").returncode == 0
    assert helper(tmp_path, env, "drift", "drift.md", "2").returncode == 0
    assert len(api.issues) == 1 and api.issues[0]["labels"] == "netsync-drift"
    assert "**Drift detected" in api.issues[0]["description"]
    assert helper(tmp_path, env, "drift", "drift.md", "0").returncode == 0
    assert api.issues[0]["state"] == "closed" and api.issues[0]["notes"]
    assert helper(tmp_path, env, "drift", "drift.md", "0").returncode == 0
    assert len(api.issues) == 1


def test_gitlab_helper_without_token_posts_nothing(gitlab_api, tmp_path):
    api, env = gitlab_api
    env.pop("NETSYNC_GITLAB_TOKEN")
    done = helper(tmp_path, env, "note", "plan.md", "0")
    assert done.returncode == 0 and "NETSYNC_GITLAB_TOKEN is not set" in done.stderr
    assert api.seen == []


# --------------------------------------------------------------------------------------------
# pre-commit


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load(HOOKS.read_text())
    assert hook["id"] == "netsync-validate"
    assert hook["entry"] == "netsync validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    example = load(PRE_COMMIT_EXAMPLE)
    (used,) = example["repos"][0]["hooks"]
    assert used["id"] == hook["id"]


@pytest.mark.parametrize(("broken", "expected"), [(False, 0), (True, 1)])
def test_pre_commit_hook_runs_validate(tmp_path, broken, expected):
    (hook,) = yaml.safe_load(HOOKS.read_text())
    (used,) = load(PRE_COMMIT_EXAMPLE)["repos"][0]["hooks"]
    shutil.copytree(QUICKSTART, tmp_path / "network", ignore=shutil.ignore_patterns("sandbox"))
    if broken:
        edit(tmp_path / "network" / "routing.yaml", "targetFirmId: caldwell", "targetFirmId: x")
    argv = shlex.split(hook["entry"]) + list(used.get("args", []))
    assert argv[0] == "netsync"
    done = subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=tmp_path,
        env={**GIT_ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == expected, done.stdout + done.stderr
    if broken:
        assert "network/routing.yaml:" in done.stderr and "unknown firm alias 'x'" in done.stderr
