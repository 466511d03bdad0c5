"""What every fuzzed answer must satisfy, and the hypothesis strategies the fuzz tests share.

The oracle is the same for every vendor: no 5xx (vendors send those only through the sandbox's
fault rules), a JSON body in the vendor's own error shape, nothing recorded in `Sandbox.errors`
and no traceback on the sandbox's stderr.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from netsync.sandbox import Sandbox

# Few, derandomized examples: the fuzz tests are part of every CI run and must stay quick.
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

# JSON texts Python's json module reads but a vendor's parser would not, or would choke on:
# substituted for the "X" placeholder of a valid body template.
HOSTILE_TOKENS = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "9" * 5000,
    "[" * 100_000 + "]" * 100_000,
    "[" * 40 + "]" * 40,
    '"\\ud800"',
    '"\\u0000"',
    '{"a": 1, "a": 2}',
)


def hostile_bodies(template: str) -> st.SearchStrategy[bytes]:
    """The template with its `"X"` replaced by each hostile token, plus raw bytes."""
    return (
        st.sampled_from([template.replace('"X"', token).encode() for token in HOSTILE_TOKENS])
        | st.binary(max_size=64)
        | st.text(max_size=40).map(str.encode)
    )


def error_shape_problem(vendor: str, status: int, body: Any) -> str | None:
    """What is wrong with an error body for this vendor (None: it is the vendor's shape)."""
    if vendor == "trackops":
        errors = body.get("errors") if isinstance(body, dict) else None
        ok = isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors)
        return None if ok else "not Trackops' {errors: [...]}"
    if vendor == "casexchange":
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not {"code", "message"} <= set(error):
            return "not a CaseXchange error envelope"
        return None
    if vendor == "oauth":
        return None if isinstance(body, dict) and "error" in body else "not an OAuth error"
    if not isinstance(body, dict) or body.get("status") != status or "title" not in body:
        return "not RFC 7807 problem details"
    return None


def check_answer(
    vendor: str, sb: Sandbox, where: str, status: int, ctype: str, text: str, stderr: str
) -> Any:
    """The fuzz oracle for one answer (`where` names it in failures); returns the parsed body."""
    where = f"{where} -> {status}"
    assert status < 500, f"{where}: {text[:400]}\n{sb.errors}"
    assert not sb.errors, f"{where}: sandbox internal error\n{sb.errors[-1]}"
    assert "Traceback" not in stderr and "Exception occurred" not in stderr, f"{where}\n{stderr}"
    if status == 204 or where.startswith("HEAD "):
        assert text == "", where
        return None
    assert "json" in ctype, f"{where}: Content-Type {ctype!r}"
    body = json.loads(text, parse_constant=_no_constant)
    if status >= 400:
        problem = error_shape_problem(vendor, status, body)
        assert problem is None, f"{where}: {problem}: {text[:300]}"
    return body


def assert_sane(vendor: str, sb: Sandbox, response: httpx.Response, stderr: str = "") -> Any:
    """check_answer for an httpx response."""
    where = f"{response.request.method} {response.request.url.path}"
    ctype = response.headers.get("content-type", "")
    return check_answer(vendor, sb, where, response.status_code, ctype, response.text, stderr)


def _no_constant(name: str) -> Any:
    raise AssertionError(f"the sandbox answered {name}, which is not JSON")
