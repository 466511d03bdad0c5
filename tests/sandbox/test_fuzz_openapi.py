"""Fuzz the sandbox's CaseXchange and Smokeball routes with schemathesis, from the vendors' own
OpenAPI documents (trimmed copies in vendor_schemas/*.openapi.json, see make_vendor_schemas.py).

Valid credentials go on every request so the fuzzing reaches the handlers rather than stopping at
401. Both valid and invalid data are generated (schemathesis' positive and negative modes, and
its deterministic coverage phase of boundary values), with path ids drawn partly from the seeded
world so that updates and deletes hit real records. Every answer must be: not a 5xx (the vendors
send those only through fault rules), JSON in the vendor's own shape, quick, and without a
traceback or internal error on the sandbox's side, and the body must match the response schema the
vendor documents for that status. Examples are few and derandomized so the whole module stays well
under a minute.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from netsync.sandbox import Sandbox

from ._fuzz import check_answer
from ._support import CALDWELL, CASE, HAWKINS, MATTER, ME, OTHER_CASE, QUICKSTART_SEED, RIVERA

schemathesis = pytest.importorskip(
    "schemathesis", minversion="4", reason="schemathesis (test extras) runs this fuzz test"
)

SPECS = Path(__file__).resolve().parent / "vendor_schemas"
MAX_EXAMPLES = 12
TIMEOUT = 10  # seconds per request: a hang fails the test instead of the run
CREDENTIALS = {
    "casexchange": {"X-API-Key": "cxp_full_sandbox"},
    "smokeball": {"x-api-key": "sandbox-key", "Authorization": "Bearer sandbox-token"},
}
UNKNOWN = "00000000-0000-4000-8000-000000000000"
RULE = "e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab"


def _config() -> Any:
    return schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
            "request-timeout": TIMEOUT,
            # Of schemathesis' own checks, only these: the others test API design choices that
            # the sandbox makes on purpose and documents (404 for undeclared methods, unknown
            # fields refused, Smokeball errors as application/problem+json).
            "checks": {
                "enabled": False,
                "not_a_server_error": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
            },
        }
    )


def _schema(vendor: str) -> Any:
    schema = schemathesis.openapi.from_path(SPECS / f"{vendor}.openapi.json", config=_config())
    schema.hook(map_case)  # applies to schemathesis' coverage phase and to fuzzing alike
    return schema


def known_ids(path: str, name: str) -> list[str]:
    """Ids of seeded records for a path parameter, so writes reach real objects too."""
    if name == "firmId":
        return [RIVERA, CALDWELL, HAWKINS, ME, UNKNOWN]
    if name == "matterId":
        return [MATTER, MATTER.upper(), UNKNOWN]
    if path.startswith("/firms/"):
        return [RIVERA, CALDWELL, ME, UNKNOWN]
    if path.startswith("/sent-cases"):
        return [CASE, OTHER_CASE, "ACME-2026-0142", UNKNOWN]
    if path.startswith("/routing/rules"):
        return [RULE, UNKNOWN]
    return []


def map_case(context: Any, case: Any) -> Any:
    """Point most cases at seeded records (else every write stops at 404 before its body is
    read); keep the generated id in the rest. The choice hashes the case, so it is stable."""
    salt = repr((case.body, case.query))
    params = case.path_parameters or {}
    for name, value in params.items():
        params[name] = _maybe_known(known_ids(case.operation.path, name), value, salt)
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("targetFirmId"), str):  # routing rules
        body["targetFirmId"] = _maybe_known(known_ids("", "firmId"), body["targetFirmId"], salt)
    return case


def _maybe_known(ids: list[str], generated: Any, salt: str) -> Any:
    """One of `ids`, or the generated value (one time in len(ids) + 1), chosen by a hash."""
    choice = zlib.crc32(repr((generated, salt)).encode()) % (len(ids) + 1)
    return ids[choice] if choice < len(ids) else generated


@pytest.fixture
def fuzz_sandbox():
    """A fresh world per operation (a DELETE must not starve the PUTs that follow)."""
    with Sandbox(seed=QUICKSTART_SEED) as sb:
        yield sb


def _run(vendor: str, case: Any, sb: Sandbox, capfd: pytest.CaptureFixture[str]) -> None:
    response = case.call(base_url=sb.url + _base(vendor), headers=CREDENTIALS[vendor])
    where = f"{case.method} {case.formatted_path}"
    ctype = ",".join(response.headers.get("content-type", []))  # lower-case keys, list values
    text = response.content.decode("utf-8")
    check_answer(vendor, sb, where, response.status_code, ctype, text, capfd.readouterr().err)
    case.validate_response(response)  # the vendor's documented response schemas


def _base(vendor: str) -> str:
    return "/api/public/v1" if vendor == "casexchange" else ""


casexchange_schema = _schema("casexchange")
smokeball_schema = _schema("smokeball")


# capfd is read (and so reset) for every example: the function-scoped fixture is safe here.
PER_EXAMPLE_CAPTURE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@casexchange_schema.parametrize()
@PER_EXAMPLE_CAPTURE
def test_fuzz_casexchange(case, fuzz_sandbox, capfd):
    _run("casexchange", case, fuzz_sandbox, capfd)


@smokeball_schema.parametrize()
@PER_EXAMPLE_CAPTURE
def test_fuzz_smokeball(case, fuzz_sandbox, capfd):
    _run("smokeball", case, fuzz_sandbox, capfd)
