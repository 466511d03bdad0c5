"""One end-to-end scan of every output netsync produces in a run (issue 9, "Done when").

A sandbox world seeded with distinctive credentials (with `+`, `/` and `=`, so the raw,
URL-encoded and base64 forms all differ) and the quickstart's client personal data is put behind
a hostile vendor proxy (tests/plan/hostile_server.py) and taken through the whole job, with -v on
every command: validate (text, json), plan (text, json, markdown, -o plan file), show (text,
json, markdown), drift (text, json, markdown), a failing apply whose vendors answer writes with
a 400 that echoes the request's credentials and body (client data included), the converging
apply with --report, and a last drift. Then stdout, stderr, the plan file and both reports are
scanned for every credential of the run (configured and issued: the CaseXchange JWT, Smokeball's
OAuth token) in every form, the Basic header values, and the client personal data.
"""

from __future__ import annotations

import base64
import json
import shutil
from typing import Any
from urllib.parse import quote, quote_plus

import hostile_server as hs
from support import QUICKSTART, quickstart_seed

CREDS = {
    "CASEXCHANGE_API_KEY": "cxp_full_Sc4n+Key/Zq9=Aa",
    "CASEXCHANGE_EMAIL": "scan-robot+ci@acme-scan.example",
    "CASEXCHANGE_PASSWORD": "Pw+Sc4n/L0gin==",
    "SMOKEBALL_API_KEY": "sbK3y+Sc4n/Vx=Q",
    "SMOKEBALL_CLIENT_ID": "sbCl1ent+Sc4n/Id",
    "SMOKEBALL_CLIENT_SECRET": "sbS3cret+Sc4n/Zz==",
    "TRACKOPS_USERNAME": "scan-ops-user",
    "TRACKOPS_API_TOKEN": "t0Tok+Sc4n/Jk=M",
}
UNUSED = {  # seeded as valid too, never in netsync's environment: must not appear either
    "cx_token": "cxB3arer+Sc4n/Tk=",
    "sb_token": "sbB3arer+Sc4n/Tk=",
}
BASIC = {
    "trackops basic": base64.b64encode(
        f"{CREDS['TRACKOPS_USERNAME']}/token:{CREDS['TRACKOPS_API_TOKEN']}".encode()
    ).decode(),
    "smokeball basic": base64.b64encode(
        f"{CREDS['SMOKEBALL_CLIENT_ID']}:{CREDS['SMOKEBALL_CLIENT_SECRET']}".encode()
    ).decode(),
}

# The quickstart world's client personal data: Trackops client/contact values (live and in the
# config) and the CaseXchange case's client fields. Short or shared values ("CO", "US", a last
# name that is also a firm's or in a case title) are left out: they would match legitimately.
PERSONAL = (
    "Globex Mutual",
    "1600 Glenarm Pl",
    "Denver",
    "80202",
    "Dana",
    "Reyes",
    "dana.reyes@example.com",
    "555-555-0199",
    "Acme Insurance",
    "Adjuster",
    "joe@example.com",
    "Elena",
    "elena.martinez@example.com",
    "555-0142",
)

MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def seed() -> dict[str, Any]:
    world = quickstart_seed()
    world["credentials"] = {
        "casexchange": {
            "api_keys": [CREDS["CASEXCHANGE_API_KEY"]],
            "tokens": [UNUSED["cx_token"]],
            "logins": [
                {"email": CREDS["CASEXCHANGE_EMAIL"], "password": CREDS["CASEXCHANGE_PASSWORD"]}
            ],
        },
        "smokeball": {
            "api_keys": [CREDS["SMOKEBALL_API_KEY"]],
            "tokens": [UNUSED["sb_token"]],
            "clients": [
                {
                    "client_id": CREDS["SMOKEBALL_CLIENT_ID"],
                    "client_secret": CREDS["SMOKEBALL_CLIENT_SECRET"],
                }
            ],
        },
        "trackops": {
            "users": [
                {"username": CREDS["TRACKOPS_USERNAME"], "token": CREDS["TRACKOPS_API_TOKEN"]}
            ]
        },
    }
    return world


def forms(value: str) -> set[str]:
    """A secret as it may be printed: raw, URL-encoded, base64 (standard and URL-safe, with
    and without padding) and JSON-escaped."""
    b64 = base64.b64encode(value.encode()).decode()
    url_b64 = base64.urlsafe_b64encode(value.encode()).decode()
    return {
        value,
        quote(value, safe=""),
        quote_plus(value),
        b64,
        b64.rstrip("="),
        url_b64,
        url_b64.rstrip("="),
        json.dumps(value)[1:-1],
    }


def echo_request(shape: str):
    """A 400 in the vendor's error shape that echoes the request's credentials, the client and
    contact of a Trackops record, and the whole body, as a careless vendor validation error
    does."""

    def body(seen: hs.Seen) -> str:
        credentials = (
            f"authorization={seen.headers.get('authorization')}; "
            f"x-api-key={seen.headers.get('x-api-key')}"
        )
        sent = seen.body.decode("utf-8", "replace")
        try:
            record = json.loads(sent).get("casefile_request") or {}
        except (ValueError, AttributeError):
            record = {}
        personal = {k: record[k] for k in ("client", "contact") if k in record}
        # what matters first, so that no truncation of long messages can hide it
        message = f"{credentials}; invalid {json.dumps(personal)}; rejected {sent}"
        if shape == "trackops":
            return json.dumps({"errors": [message]})
        if shape == "smokeball":
            return json.dumps(
                {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": message}
            )
        return json.dumps(
            {
                "meta": {"success": False},
                "error": {"code": "validation_error", "message": message, "details": []},
            }
        )

    content_type = "application/problem+json" if shape == "smokeball" else "application/json"
    return hs.answer(400, body, content_type)


def test_no_output_of_a_whole_run_holds_a_credential_or_client_data(netsync, sandbox, tmp_path):
    """Guards every output of every command (stdout, stderr with -v, plan file, reports,
    including vendor errors that echo the request) against carrying a credential in any form
    or a client's personal data."""
    sb = sandbox(seed())
    hostile = hs.HostileVendor(sb.url).start()
    config = tmp_path / "network"
    config.mkdir()
    for path in QUICKSTART.glob("*.yaml"):
        shutil.copy(path, config / path.name)
    planfile = tmp_path / "release.plan"
    failed_report = tmp_path / "failed-report.json"
    report = tmp_path / "report.json"

    env: dict[str, str | None] = {k: hostile.url for k in sb.env() if k.startswith("NETSYNC_")}
    env.update({k: None for k in sb.env() if not k.startswith("NETSYNC_")})  # no defaults
    env.update(CREDS)
    c = ("-c", str(config))
    outputs: dict[str, str] = {}

    def run(name: str, expected: int, *args: str) -> None:
        code, out, err = netsync(None, *args, "-v", env=env)
        outputs[f"{name} stdout"] = out
        outputs[f"{name} stderr"] = err
        assert code == expected, f"{name}: exit {code}\nstdout:\n{out}\nstderr:\n{err}"
        assert "Traceback" not in err and "internal error" not in err, err

    try:
        run("validate", 0, "validate", *c)
        run("validate json", 0, "validate", *c, "--format", "json")
        run("plan", 0, "plan", *c, "-o", str(planfile))
        run("plan json", 0, "plan", *c, "--format", "json")
        run("plan markdown", 0, "plan", *c, "--format", "markdown")
        run("show", 0, "show", str(planfile))
        run("show json", 0, "show", str(planfile), "--format", "json")
        run("show markdown", 0, "show", str(planfile), "--format", "markdown")
        run("drift", 2, "drift", *c)
        run("drift json", 2, "drift", *c, "--format", "json")
        run("drift markdown", 2, "drift", *c, "--format", "markdown")

        # Writes answered with a 400 that echoes credentials and body (client data included).
        hostile.plant("PUT", r"^/api/v1/case/requests/501", echo_request("trackops"))
        hostile.plant("POST", r"^/api/v1/case/requests", echo_request("trackops"))
        hostile.plant("PUT", rf"^/matters/{MATTER}", echo_request("smokeball"))
        hostile.plant("POST", rf"^/api/v1/cases/{CASE}/re-refer", echo_request("casexchange"))
        run(
            "failing apply",
            1,
            "apply",
            *c,
            "--auto-approve",
            "--force",
            "--continue-on-error",
            "--report",
            str(failed_report),
        )
        failed_items = json.loads(failed_report.read_text())["items"]
        assert {i["outcome"] for i in failed_items} >= {"failed", "applied"}, failed_items
        assert all(rule.hits for rule in hostile.rules), "an echo was never served"
        hostile.rules.clear()

        run("apply", 0, "apply", *c, "--auto-approve", "--force", "--report", str(report))
        run("last drift", 0, "drift", *c)
    finally:
        hostile.stop()

    outputs["plan file"] = planfile.read_text()
    outputs["failed report"] = failed_report.read_text()
    outputs["report"] = report.read_text()
    assert "Apply complete" in outputs["apply stdout"]

    # Every credential the run used: configured, issued by the vendors (the CaseXchange JWT
    # and refresh token, Smokeball's OAuth token) as the sandbox saw them, and the Basic values.
    secrets: dict[str, str] = {**CREDS, **UNUSED, **BASIC}
    for request in sb.requests:
        auth = request["headers"].get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme == "Bearer" and value:
            secrets[f"bearer sent to {request['vendor']}"] = value
        if request["path"].endswith(("/auth/login", "/auth/refresh-session")):
            body = request["body"] if isinstance(request["body"], dict) else {}
            if isinstance(body.get("refreshToken"), str):
                secrets["casexchange refresh token"] = body["refreshToken"]
    for kind, issued in sb.world.sessions.items():
        for n, token in enumerate(issued):
            secrets[f"{kind} #{n}"] = token
    secrets["sandbox jwt_secret"] = sb.world.data["jwt_secret"]
    assert any(k.startswith("bearer sent to casexchange") for k in secrets), "no login used"
    assert any(k.startswith("bearer sent to smokeball") for k in secrets), "no OAuth used"

    leaks = []
    for where, text in outputs.items():
        for name, value in secrets.items():
            for form in forms(value):
                if form in text:
                    leaks.append(f"{where}: credential {name} as {form!r}")
        for value in PERSONAL:
            if value in text:
                leaks.append(f"{where}: client data {value!r}")
    assert not leaks, "\n".join(sorted(set(leaks)))
    assert len(outputs) == 31 and all(isinstance(v, str) for v in outputs.values())
