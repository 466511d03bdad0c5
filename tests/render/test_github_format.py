"""`--format github` for validate, plan and drift, and what `GITHUB_ACTIONS=true` adds with any
other format: GitHub workflow commands (`::error file=…,line=…,col=…::message`) at the config
lines, escaped by GitHub's rules, with paths relative to `$GITHUB_WORKSPACE`; the markdown plan
appended to `$GITHUB_STEP_SUMMARY`; stdout unchanged and exit codes unchanged.

The renderer is checked on its own (exact escaping, no sensitive value); everything else runs the
real CLI against the sandbox.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from render_fixtures import SECRETS
from support import QUICKSTART, converged_seed

from netsync.model import Diagnostic, Location, Plan
from netsync.render import render_text
from netsync.render.github import annotation, escape_data, escape_property, render_github

MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
UNKNOWN_MATTER = "9a1b2c3d-0000-4000-8000-0000000000ff"
OKAFOR_WARNING = (
    "::warning::network.inbound.f7b8c9d0-1234-4ef0-8789-0abcdef01234: undeclared pending "
    "request from Okafor Legal Group to send us referrals"
)
MATTER_ERROR = "matters.{}: matter not found in Smokeball (netsync does not create matters)"
COMMAND = re.compile(r"^::(error|warning)( [^:]*)?::", re.MULTILINE)


def network_copy(root: Path, name: str = "network") -> Path:
    """The quickstart config (without its sandbox world) in `root/name`."""
    target = root / name
    shutil.copytree(QUICKSTART, target, ignore=shutil.ignore_patterns("sandbox"))
    return target


def edit(path: Path, old: str, new: str) -> tuple[int, int]:
    """Replace `old` once; returns the 1-based line and column where `new` starts."""
    text = path.read_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text)
    before = text[: text.index(new)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def annotations_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if COMMAND.match(line)]


def expected_annotations(doc: dict, workspace: Path) -> list[str]:
    """The annotations a plan document's errors and warnings make, written out by hand: the
    oracle for whatever warnings the sandbox world happens to produce."""

    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    lines = []
    for kind in ("error", "warning"):
        for d in doc[f"{kind}s"]:
            message = escape(": ".join(p for p in (d["address"], d["message"]) if p))
            if d["file"] is None:
                lines.append(f"::{kind}::{message}")
            else:
                path = Path(d["file"]).relative_to(workspace).as_posix()
                place = f"file={path},line={d['line']},col={d['column']}"
                lines.append(f"::{kind} {place}::{message}")
    return lines


# --------------------------------------------------------------------------------------------
# The renderer: escaping and format


def test_message_escapes_percent_cr_and_lf_and_nothing_else():
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_data("%0A is not a newline") == "%250A is not a newline"


def test_property_values_also_escape_colon_and_comma():
    assert escape_property("C:\\cfg,x/a%b\n.yaml") == "C%3A\\cfg%2Cx/a%25b%0A.yaml"


def test_control_characters_cannot_restyle_the_log():
    """ESC and bidi overrides are shown as \\uXXXX, as the text plan shows them."""
    assert escape_data("a\x1b[31mb\u202ec") == "a\\u001b[31mb\\u202ec"


def test_annotation_lines_exactly():
    located = Diagnostic("network.outbound.rivera", "50%\nbad", Location("a,b:c/n.yaml", 6, 26))
    assert annotation("error", located) == (
        "::error file=a%2Cb%3Ac/n.yaml,line=6,col=26::network.outbound.rivera: 50%25%0Abad"
    )
    assert annotation("warning", Diagnostic(None, "trackops: 503")) == "::warning::trackops: 503"
    assert annotation("error", Diagnostic("x", "y")) == "::error::x: y"
    # A config read from stdin is no file GitHub could show: the place stays in the message.
    stdin = Diagnostic("x", "y", Location("<stdin>", 4, 5))
    assert annotation("error", stdin) == "::error::<stdin>:4:5: x: y"


def test_plan_is_in_a_group_that_runs_no_command(plan: Plan):
    out = render_github(plan, token="t0k3n")
    lines = out.splitlines()
    assert lines[:4] == [
        "::error file=cases.yaml,line=3,col=3::cases.0000aaaa-0000-4000-8000-000000000000: case "
        "status is 'accepted'; only rejected or withdrawn cases can be re-referred",
        "::error::trackops: 503 Service Unavailable after 5 attempts",
        "::warning::network.outbound.rivera: awaiting the other firm's acceptance",
        "::warning file=cases.yaml,line=9,col=5::case_requests.ABC123-ClaimNumber: "
        "case_region_id differs from live (2 vs 1) but PUT cannot change it",
    ]
    assert lines[4].startswith("::group::Plan: ")
    assert lines[5] == "::stop-commands::t0k3n"
    body = out.split("::stop-commands::t0k3n\n", 1)[1].split("::t0k3n::\n", 1)[0]
    assert body == render_text(plan, errors_inline=False)
    assert out.endswith("::t0k3n::\n::endgroup::\n")
    # Without a token given, each run picks a fresh one nobody can guess from the plan.
    assert render_github(plan).split("\n")[5] != render_github(plan).split("\n")[5]


def test_no_sensitive_value_in_github_output(plan: Plan):
    for out in (render_github(plan), render_github(plan, drift=True)):
        for name, secret in SECRETS.items():
            assert secret not in out, f"{name} leaked into --format github"
        assert "(sensitive)" in out


# --------------------------------------------------------------------------------------------
# validate


def test_validate_annotates_each_error_at_its_file_and_line(netsync, tmp_path):
    config = network_copy(tmp_path)
    line, col = edit(config / "network.yaml", "sendingPercentage: 50", "sendingPercentage: fifty")
    col += len("sendingPercentage: ")  # the error points at the value
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    code, out, err = netsync(None, "validate", "-c", str(config), "--format", "github", env=env)
    assert code == 1, err
    assert out == (
        f"::error file=network/network.yaml,line={line},col={col}::network.outbound.rivera: "
        'sendingPercentage: expected number or null, got string "fifty"\n'
    )
    assert f"{config / 'network.yaml'}:{line}:{col}: network.outbound.rivera" in err  # as before

    shutil.rmtree(config)
    network_copy(tmp_path)
    code, out, err = netsync(None, "validate", "-c", str(config), "--format", "github", env=env)
    assert code == 0, err
    assert out.startswith("Config is valid: ") and "::" not in out


def test_validate_escapes_messages_and_paths(netsync, tmp_path):
    """An address with `%`, LF and CR, in a folder whose name holds `,` and `:`."""
    folder = tmp_path / "net,work:s"
    folder.mkdir()
    (folder / "netsync.yaml").write_text(
        'version: 1\nnetwork:\n  outbound:\n    "50%\\nof\\rit": {sendingPercentage: 5}\n'
    )
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    code, out, err = netsync(None, "validate", "-c", str(folder), "--format", "github", env=env)
    assert code == 1, err
    assert out.startswith(
        "::error file=net%2Cwork%3As/netsync.yaml,line=4,col=5::network.outbound.50%25%0Aof%0Dit: "
        "unknown firm alias"
    )
    assert out.count("\n") == 1  # one annotation, one line: no raw CR or LF got through
    assert "\r" not in out


def test_paths_relative_to_the_workspace_only_when_under_it(netsync, tmp_path):
    config = network_copy(tmp_path / "repo")
    edit(config / "network.yaml", "sendingPercentage: 50", "sendingPercentage: fifty")
    given = str(config)

    def file_property(env: dict[str, str | None]) -> str:
        code, out, _ = netsync(None, "validate", "-c", given, "--format", "github", env=env)
        assert code == 1
        return re.match(r"::error file=([^,]*),", out).group(1)

    assert file_property({"GITHUB_WORKSPACE": str(tmp_path / "repo")}) == "network/network.yaml"
    assert file_property({"GITHUB_WORKSPACE": str(tmp_path)}) == "repo/network/network.yaml"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    as_given = f"{given}/network.yaml".replace(":", "%3A").replace(",", "%2C")
    assert file_property({"GITHUB_WORKSPACE": str(outside)}) == as_given
    assert file_property({"GITHUB_WORKSPACE": None}) == as_given


def test_validate_under_github_actions_annotates_on_stderr_only(netsync, tmp_path):
    config = network_copy(tmp_path)
    edit(config / "network.yaml", "sendingPercentage: 50", "sendingPercentage: fifty")
    for fmt in ("text", "json"):
        args = ("validate", "-c", str(config), "--format", fmt)
        plain = netsync(None, *args, env={"GITHUB_ACTIONS": None})
        actions = netsync(None, *args, env={"GITHUB_ACTIONS": "true"})
        assert plain[0] == actions[0] == 1
        assert actions[1] == plain[1], fmt  # stdout byte for byte
        assert annotations_in(plain[2]) == []
        assert len(annotations_in(actions[2])) == 1, actions[2]
        assert actions[2].endswith(plain[2])  # the usual error lines follow, unchanged


# --------------------------------------------------------------------------------------------
# plan and drift


def test_plan_annotates_plan_errors_at_config_lines(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = network_copy(tmp_path)
    line, col = edit(config / "cases.yaml", MATTER, UNKNOWN_MATTER)
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", "github", env=env)
    assert code == 1, err
    found = annotations_in(out)
    assert found[0] == (
        f"::error file=network/cases.yaml,line={line},col={col}::"
        + MATTER_ERROR.format(UNKNOWN_MATTER)
    )
    assert OKAFOR_WARNING in found
    code, doc, _ = netsync(sb, "plan", "-c", str(config), "--format", "json")
    assert found == expected_annotations(json.loads(doc), tmp_path)
    assert f"{config / 'cases.yaml'}:{line}:{col}: matters.{UNKNOWN_MATTER}: matter not" in err


def test_errors_without_a_place_are_plain_error_commands(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = network_copy(tmp_path)
    env = {"GITHUB_WORKSPACE": str(tmp_path), "CASEXCHANGE_API_KEY": "cxp_ro_revoked"}
    code, out, err = netsync(sb, "drift", "-c", str(config), "--format", "github", env=env)
    assert code == 1, err
    placeless = [a for a in annotations_in(out) if a.startswith("::error::")]
    assert placeless and placeless[0].startswith("::error::network: CaseXchange: "), out
    assert "cxp_ro_revoked" not in out


def test_plan_appends_the_markdown_plan_to_the_step_summary(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = str(network_copy(tmp_path))
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
    code, markdown, err = netsync(sb, "plan", "-c", config, "--format", "markdown")
    assert code == 0, err
    for _ in range(2):
        code, out, err = netsync(sb, "plan", "-c", config, "--format", "github", env=env)
        assert code == 0, err
    assert summary.read_text() == "## Earlier step\n\n" + markdown + "\n" + markdown
    assert markdown.startswith("**Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete.**")
    assert f"\n::group::{markdown.splitlines()[0].strip('*')}\n" in out
    assert OKAFOR_WARNING in annotations_in(out)


def test_drift_summary_is_the_drift_markdown(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = str(network_copy(tmp_path))
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    code, markdown, _ = netsync(sb, "drift", "-c", config, "--format", "markdown")
    assert code == 2
    code, out, err = netsync(sb, "drift", "-c", config, "--format", "github", env=env)
    assert code == 2, err
    assert summary.read_text() == markdown
    assert markdown.startswith("**Drift detected: ")


def test_no_summary_without_format_github_or_without_the_variable(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = str(network_copy(tmp_path))
    summary = tmp_path / "summary.md"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, _, err = netsync(sb, "plan", "-c", config, "--format", "markdown", env=actions)
    assert code == 0, err
    assert not summary.exists()  # annotations only: the step asked for markdown on stdout
    code, out, err = netsync(sb, "plan", "-c", config, "--format", "github")
    assert code == 0 and out.startswith("::warning::"), err


def test_unwritable_summary_is_a_warning_not_a_new_exit_code(netsync, sandbox, tmp_path):
    sb = sandbox()
    config = str(network_copy(tmp_path))
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path)}  # a directory
    code, out, err = netsync(sb, "plan", "-c", config, "--format", "github", env=env)
    assert code == 0, err
    assert "::warning::cannot append the plan to $GITHUB_STEP_SUMMARY: " in out
    code, out, err = netsync(
        sb, "plan", "-c", config, "--format", "github", "--detailed-exitcode", env=env
    )
    assert code == 2, err


@pytest.mark.parametrize("command", ["plan", "drift"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_github_actions_annotates_stderr_and_leaves_stdout_alone(
    netsync, sandbox, tmp_path, command, fmt
):
    sb = sandbox()
    config = network_copy(tmp_path)
    line, col = edit(config / "cases.yaml", MATTER, UNKNOWN_MATTER)  # an error, and a warning
    args = (command, "-c", str(config), "--format", fmt)
    plain = netsync(sb, *args, env={"GITHUB_ACTIONS": None})
    actions = netsync(sb, *args, env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path)})
    assert plain[0] == actions[0] == 1
    assert actions[1] == plain[1]  # stdout byte for byte
    assert annotations_in(plain[1] + plain[2]) == []
    assert annotations_in(actions[1]) == []
    found = annotations_in(actions[2])
    assert found[0] == (
        f"::error file=network/cases.yaml,line={line},col={col}::"
        + MATTER_ERROR.format(UNKNOWN_MATTER)
    )
    assert OKAFOR_WARNING in found
    code, doc, _ = netsync(sb, command, "-c", str(config), "--format", "json")
    assert found == expected_annotations(json.loads(doc), tmp_path)


def test_exit_codes_are_those_of_the_other_formats(netsync, sandbox, tmp_path):
    """plan 0, 2 with --detailed-exitcode when changes, 1 on error; drift 2 drift, 0 none, 1
    error; whatever --format and GITHUB_ACTIONS say."""
    changed, converged = sandbox(), sandbox(converged_seed())
    config = network_copy(tmp_path)
    broken = network_copy(tmp_path, "broken")
    edit(broken / "cases.yaml", MATTER, UNKNOWN_MATTER)
    cases = [
        (changed, ("plan", "-c", str(config)), 0),
        (changed, ("plan", "-c", str(config), "--detailed-exitcode"), 2),
        (converged, ("plan", "-c", str(config), "--detailed-exitcode"), 0),
        (changed, ("plan", "-c", str(broken)), 1),
        (changed, ("drift", "-c", str(config)), 2),
        (converged, ("drift", "-c", str(config)), 0),
        (changed, ("drift", "-c", str(broken)), 1),
    ]
    for sb, args, expected in cases:
        for fmt, actions in (("text", None), ("github", None), ("text", "true")):
            env = {"GITHUB_ACTIONS": actions}
            code, _, err = netsync(sb, *args, "--format", fmt, env=env)
            assert code == expected, (args, fmt, actions, err)


def test_no_credential_or_personal_data_in_github_output(netsync, sandbox, tmp_path):
    """The quickstart's Trackops client and contact are sensitive: masked in the annotations'
    plan and in the step summary alike; no credential appears anywhere."""
    sb = sandbox()
    config = str(network_copy(tmp_path))
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    code, out, err = netsync(sb, "plan", "-c", config, "--format", "github", env=env)
    assert code == 0, err
    written = out + err + summary.read_text()
    assert "(sensitive)" in out and "(sensitive)" in summary.read_text()
    credentials = [v for k, v in sb.env().items() if k.endswith(("_KEY", "_TOKEN"))]
    assert len(credentials) == 5
    for value in ("Acme Insurance", "joe@example.com", "Adjuster", *credentials):
        assert value not in written, value
