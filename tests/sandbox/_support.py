"""Constants and assertion helpers shared by the sandbox tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART_SEED = ROOT / "examples" / "quickstart" / "sandbox" / "seed.yaml"
SCHEMAS = Path(__file__).resolve().parent / "vendor_schemas"

ME = "a1b2c3d4-5678-9abc-def0-1234567890ab"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
NAKAMURA = "f6a7b8c9-0123-4def-5678-90abcdef0123"
OKAFOR = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
OTHER_CASE = "7d2e9f10-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"

SB_HEADERS = {"x-api-key": "sandbox-key", "Authorization": "Bearer sandbox-token"}
TRACKOPS_AUTH = ("sandbox/token", "sandbox-token")


def cx_headers(key: str = "cxp_full_sandbox") -> dict[str, str]:
    return {"X-API-Key": key}


BEARER = {"Authorization": "Bearer sandbox-token"}


def _validator(vendor: str, name: str) -> jsonschema.Validator:
    doc = json.loads((SCHEMAS / f"{vendor}.json").read_text())
    schema = {"$defs": doc["$defs"], "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_schema(vendor: str, name: str, instance: Any) -> None:
    """Fail with every schema violation listed."""
    errors = sorted(_validator(vendor, name).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def assert_cx_meta(body: dict) -> None:
    assert body["meta"]["requestId"].startswith("req_")
    assert body["meta"]["timestamp"].endswith("Z")


def assert_response_schema(vendor: str, path: str, method: str, status: int, body: Any) -> None:
    """Validate a whole answer (envelope included) against the response schema the vendor's
    OpenAPI document gives that operation and status (vendor_schemas/{vendor}.openapi.json)."""
    from .make_vendor_schemas import convert  # OpenAPI 3.0 `nullable` -> JSON Schema

    spec = json.loads((SCHEMAS / f"{vendor}.openapi.json").read_text())
    response = spec["paths"][path][method]["responses"][str(status)]
    schema = convert(response["content"]["application/json"]["schema"])
    schema["$defs"] = json.loads((SCHEMAS / f"{vendor}.json").read_text())["$defs"]
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
