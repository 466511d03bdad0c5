"""SPEC section 2 rules end to end, each over real HTTP against a purpose-made sandbox world."""

from __future__ import annotations

import json
import re
import uuid

from support import QUICKSTART, quickstart_seed, write_config

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
NAKAMURA = "f6a7b8c9-0123-4def-5678-90abcdef0123"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
HEAD = f"""version: 1
firms: {{rivera: {RIVERA}, caldwell: {CALDWELL}}}
network:
  outbound:
    rivera: {{sendingPercentage: 33.5}}
"""


def plan_json(netsync, sb, config, *extra):
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", "json", *extra)
    return code, (json.loads(out) if out.strip() else None), err


def by_address(document):
    return {c["address"]: c for c in document["changes"]}


def test_prune_deletes_undeclared_rules_and_without_prune_warns(sandbox, netsync, tmp_path):
    rules = "routing:\n  prune: {prune}\n  rules: {{}}\n"
    sb = sandbox()
    config = write_config(tmp_path, HEAD + rules.format(prune="true"))
    code, document, err = plan_json(netsync, sb, config)
    assert code == 0, err
    deletes = [c for c in document["changes"] if c["action"] == "delete"]
    assert [c["address"] for c in deletes] == [
        "routing.rules.Auto-route NY Personal Injury",
        "routing.rules.CA Med-Mal to Caldwell",
    ]
    assert deletes[0]["id"] == "e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab"
    assert deletes[0]["after"] is None and deletes[0]["before"]["priority"] == 1
    config = write_config(tmp_path, HEAD + rules.format(prune="false"))
    code, document, _ = plan_json(netsync, sb, config)
    assert code == 0
    assert not [c for c in document["changes"] if c["action"] == "delete"]
    assert (
        sum("routing.prune: true would delete it" in w["message"] for w in document["warnings"])
        == 2
    )


def test_two_live_rules_with_one_name_are_a_plan_error(sandbox, netsync, tmp_path):
    seed = quickstart_seed()
    duplicate = dict(seed["routing_rules"][1], id="aaaaaaaa-3c49-4e17-baf2-8d9f461e23bc")
    seed["routing_rules"].append(duplicate)
    config = write_config(
        tmp_path,
        HEAD
        + """    caldwell: {}
routing:
  rules:
    CA Med-Mal to Caldwell:
      conditions: []
      targetFirmId: caldwell
""",
    )
    code, out, err = netsync(sandbox(seed), "plan", "-c", str(config))
    assert code == 1
    assert re.search(
        r"netsync.yaml:9:5: routing.rules.CA Med-Mal to Caldwell: 2 live routing "
        r"rules are named 'CA Med-Mal to Caldwell'",
        err + out,
    )


def test_inbound_status_rules(sandbox, netsync, tmp_path):
    seed = quickstart_seed()
    sb = sandbox(seed)
    # A pending request declared without status is an error naming the way out.
    config = write_config(tmp_path, f"version: 1\nnetwork:\n  inbound:\n    {WHITFIELD}: {{}}\n")
    code, out, err = netsync(sb, "plan", "-c", str(config))
    assert code == 1
    assert "declare status: active (accept) or status: inactive (decline)" in out + err
    # inactive with neither relationship nor request: nothing to do; active: an error.
    config = write_config(
        tmp_path, f"version: 1\nnetwork:\n  inbound:\n    {CALDWELL}: {{status: inactive}}\n"
    )
    code, document, _ = plan_json(netsync, sb, config)
    assert code == 0 and document["summary"]["no-op"] == 1
    config = write_config(
        tmp_path, f"version: 1\nnetwork:\n  inbound:\n    {CALDWELL}: {{status: active}}\n"
    )
    code, _, err = netsync(sb, "plan", "-c", str(config))
    assert code == 1 and "no inbound relationship or pending request" in err


def test_pending_policy_accept_plans_updates_for_undeclared_requests(sandbox, netsync, tmp_path):
    config = write_config(tmp_path, "version: 1\nnetwork:\n  pending: accept\n  inbound: {}\n")
    code, document, err = plan_json(netsync, sandbox(), config)
    assert code == 0, err
    updates = {c["address"]: c for c in document["changes"] if c["action"] == "update"}
    assert set(updates) == {
        f"network.inbound.{WHITFIELD}",
        "network.inbound.f7b8c9d0-1234-4ef0-8789-0abcdef01234",
    }
    assert updates[f"network.inbound.{WHITFIELD}"]["after"] == {"status": "active"}
    config = write_config(tmp_path, "version: 1\nnetwork:\n  pending: ignore\n  inbound: {}\n")
    code, document, _ = plan_json(netsync, sandbox(), config)
    assert code == 0 and document["changes"] == [] and document["warnings"] == []


def test_outbound_awaiting_acceptance_is_updated_never_created(sandbox, netsync, tmp_path):
    config = write_config(
        tmp_path, f"version: 1\nnetwork:\n  outbound:\n    {NAKAMURA}: {{sendingPercentage: 5}}\n"
    )
    code, document, err = plan_json(netsync, sandbox(), config)
    assert code == 0, err
    (change,) = document["changes"]
    assert change["action"] == "update"
    assert "not accepted our request yet" in document["warnings"][0]["message"]


def test_case_in_a_status_the_vendor_will_not_re_refer_is_a_plan_error(sandbox, netsync, tmp_path):
    seed = quickstart_seed()
    seed["cases"][0]["referrals"][0]["status"] = "under_evaluation"
    config = write_config(tmp_path, HEAD + f"cases:\n  {CASE}:\n    referentFirmId: rivera\n")
    plan_file = tmp_path / "never.plan"
    code, out, err = netsync(
        sandbox(seed), "plan", "-c", str(config), "--detailed-exitcode", "-o", str(plan_file)
    )
    assert code == 1  # errors beat changes
    assert not plan_file.exists()  # no plan file when there are errors
    assert f"netsync.yaml:8:21: cases.{CASE}: the case is 'under_evaluation'" in err


def test_matter_custom_referral_type_by_name_and_link_objects(sandbox, netsync, tmp_path):
    seed = quickstart_seed()
    matter = seed["matters"][0]
    matter["referralType"] = "8f3e2d1c-0000-4000-8000-00000000b111"  # stored by id
    config = write_config(
        tmp_path,
        f"""version: 1
matters:
  {MATTER}:
    referralType: Billboard - I-10
    personResponsibleStaffId: C85D28CB-A760-4627-AA59-0A853C2E65ED
    personAssistingStaffIds: [1a2b3c4d-0000-4000-8000-0000000000a1]
    referrerId: 97bbe49f-6460-4bfc-b287-34ddfdbb81ef
    openedDate: 2026-02-03T09:00:00-05:00
    referralAgreementFee: 25.0
""",
    )
    code, document, err = plan_json(netsync, sandbox(seed), config)
    assert code == 0, err
    assert document["summary"]["no-op"] == 1, document["changes"]


def test_trackops_duplicates_error_and_create_only_fields_warn(sandbox, netsync, tmp_path):
    seed = quickstart_seed()
    seed["case_requests"][0]["case_region_id"] = 9
    config_text = (QUICKSTART / "cases.yaml").read_text().split("case_requests:")[1]
    config = write_config(
        tmp_path,
        "version: 1\nproviders: {trackops: {base_url: https://acme.viewcases.com}}\n"
        "case_requests:" + config_text,
    )
    code, document, err = plan_json(netsync, sandbox(seed), config)
    assert code == 0, err
    assert any("case_region_id differs" in w["message"] for w in document["warnings"])
    seed["case_requests"].append(dict(seed["case_requests"][0], id=777))
    code, out, err = netsync(sandbox(seed), "plan", "-c", str(config))
    assert code == 1
    assert "2 Trackops case requests have reference_value_1 'XYZ789-ClaimNumber'" in err


def test_target_selects_whole_segments(sandbox, netsync):
    sb = sandbox()
    code, document, err = plan_json(netsync, sb, QUICKSTART, "--target", "network.outbound")
    assert code == 0, err
    assert {c["address"] for c in document["changes"]} == {
        "network.outbound.caldwell",
        "network.outbound.rivera",
    }
    assert {r["vendor"] for r in sb.requests} == {"casexchange"}
    code, document, _ = plan_json(
        netsync, sb, QUICKSTART, "--target", f"cases.{CASE}", "--target", "matters"
    )
    assert {c["address"] for c in document["changes"]} == {f"cases.{CASE}", f"matters.{MATTER}"}
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--target", "network.outboundx")
    assert code == 1 and "--target network.outboundx is not an address" in err


def test_transient_429_and_503_during_reads_are_retried(sandbox, netsync):
    sb = sandbox()
    sb.add_fault(
        {"vendor": "casexchange", "path": f"/network/outbound/{RIVERA}", "status": 503, "count": 2}
    )
    sb.add_fault({"vendor": "smokeball", "path": "/matters/", "status": 429, "retry_after": 0})
    sb.add_fault({"vendor": "trackops", "path": "/case/requests", "status": 502})
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART))
    assert code == 0, err
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in out
    attempts = [r["status"] for r in sb.requests if r["path"].endswith(f"/outbound/{RIVERA}")]
    assert attempts == [503, 503, 200]
    assert [r["status"] for r in sb.requests if r["path"].startswith("/matters/")] == [429, 200]


def test_unreachable_vendor_is_a_clear_error(sandbox, netsync):
    sb = sandbox()
    code, out, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), env={"NETSYNC_SMOKEBALL_URL": "http://127.0.0.1:9"}
    )
    assert code == 1
    assert "Smokeball: GET http://127.0.0.1:9/" in err
    assert "cannot connect" in err and "Traceback" not in err and "internal error" not in err


def test_missing_credentials_name_the_variable(sandbox, netsync):
    sb = sandbox()
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), env={"TRACKOPS_API_TOKEN": None})
    assert code == 1
    assert "Trackops: the API token is not set: export TRACKOPS_API_TOKEN" in err


def test_smokeball_client_credentials_token_is_fetched_once(sandbox, netsync):
    sb = sandbox()
    code, _, err = netsync(
        sb,
        "plan",
        "-c",
        str(QUICKSTART),
        "--target",
        "matters",
        env={
            "SMOKEBALL_TOKEN": None,
            "SMOKEBALL_CLIENT_ID": "sandbox-client",
            "SMOKEBALL_CLIENT_SECRET": "sandbox-secret",
        },
    )
    assert code == 0, err
    paths = [r["path"] for r in sb.requests]
    assert paths.count("/oauth2/token") == 1
    assert sb.requests[0]["path"] == "/oauth2/token"


def test_wrong_key_is_reported_once_without_the_key(sandbox, netsync):
    sb = sandbox()
    code, out, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), env={"CASEXCHANGE_API_KEY": "cxp_std_wrong_key_123"}
    )
    assert code == 1
    assert "401 invalid_api_key" in err
    assert "cxp_std_wrong_key_123" not in err + out
    assert err.count("invalid_api_key") == 1


def test_provider_concurrency_bounds_requests_in_flight(sandbox, netsync, tmp_path):
    """`providers.casexchange.concurrency: 1` serialises reads even with --parallelism 16."""
    sb = sandbox(latency_ms=30)
    firms = [RIVERA, CALDWELL, HAWKINS, WHITFIELD]
    config = write_config(
        tmp_path,
        "version: 1\nproviders: {casexchange: {concurrency: 1}}\nnetwork:\n  outbound:\n"
        + "".join(f"    {f}: {{}}\n" for f in firms),
    )
    code, _, err = netsync(sb, "plan", "-c", str(config), "--parallelism", "16")
    assert code == 0, err
    spans = sorted((r["started"], r["finished"]) for r in sb.requests)
    overlapping = sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])
    paths = [r["path"] for r in sb.requests]
    # me, pending, 4 relationships (only rivera's exists: 3 creates), each create's /firms/{id}
    assert len(paths) == 9, paths
    firm_reads = [p for p in paths if p.startswith("/api/public/v1/firms/") and p[-3:] != "/me"]
    assert len(firm_reads) == 3
    assert overlapping == 0


def test_errors_never_read_as_no_changes_and_go_to_stderr(sandbox, netsync):
    sb = sandbox()
    for command in ("plan", "drift"):
        code, out, err = netsync(
            sb,
            command,
            "-c",
            str(QUICKSTART),
            "--target",
            "network",
            env={"CASEXCHANGE_API_KEY": None},
        )
        assert code == 1
        assert "No changes" not in out and "No drift" not in out
        # the vendor failure, and each of the 4 network resources it left unread
        assert "5 errors: nothing can be applied until fixed." in out
        assert "export CASEXCHANGE_API_KEY" in err and "export CASEXCHANGE_API_KEY" not in out
        for name in (
            "outbound.rivera",
            "outbound.caldwell",
            "inbound.hawkins",
            "inbound.whitfield",
        ):
            assert f"network.{name}: not read: CaseXchange could not be read" in err


def test_renaming_a_pinned_rule_onto_another_live_rule_is_an_error(sandbox, netsync, tmp_path):
    config = write_config(
        tmp_path,
        HEAD
        + """    caldwell: {}
routing:
  prune: true
  rules:
    Auto-route NY Personal Injury:
      id: f5b82daf-3c49-4e17-baf2-8d9f461e23bc
      conditions: []
      targetFirmId: caldwell
""",
    )
    code, out, err = netsync(sandbox(), "plan", "-c", str(config))
    assert code == 1
    assert "would clash with live rule e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab" in err


def test_target_edge_cases(sandbox, netsync):
    sb = sandbox()
    code, _, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--target", "network.outbound.")
    assert code == 1 and "--target network.outbound. is not an address" in err
    code, document, err = plan_json(
        netsync, sb, QUICKSTART, "--target", "routing.rules.auto-route ny personal injury"
    )
    assert code == 0 and document["changes"] == []  # rule names match exactly
    code, document, _ = plan_json(netsync, sb, QUICKSTART, "--target", f"cases.{CASE.upper()}")
    assert [c["action"] for c in document["changes"]] == ["re-refer"]  # ids: any case


def test_parallelism_bounds_every_request_in_flight(sandbox, netsync):
    """`--parallelism 2` caps a vendor's requests in flight, pages read at the same time
    included: the quick start's rule to Caldwell (an outbound create) has the review search
    the public directory for Caldwell's name during the plan's reads, here 5 pages of it."""
    seed = quickstart_seed()
    seed["firms"] += [
        {"id": str(uuid.UUID(int=i + 1)), "name": f"Caldwell Medical Law {i:03d}"}
        for i in range(450)
    ]
    sb = sandbox(seed=seed, latency_ms=40)
    code, _, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--parallelism", "2")
    assert code == 0, err
    cx = [r for r in sb.requests if r["vendor"] == "casexchange"]
    assert sum(r["path"].endswith("/firms/available") for r in cx) == 5
    events = sorted([(r["started"], 1) for r in cx] + [(r["finished"], -1) for r in cx])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    assert most == 2
