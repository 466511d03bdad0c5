"""Regenerate vendor_schemas/*.json from the vendors' own specs (run once, output committed).

    python tests/sandbox/make_vendor_schemas.py [VENDOR_DOCS_DIR]   # default ../shared/vendor-docs

OpenAPI 3.0 `nullable: true` becomes a JSON-Schema null type, `#/components/schemas/X` becomes
`#/$defs/X`, and only the schemas the contract tests need (plus what they reference) are kept,
so CI does not depend on the 900 KB Smokeball swagger.

It also writes `{vendor}.openapi.json`, the vendor's own OpenAPI document cut down to the
operations the sandbox emulates (for the schemathesis fuzz test, test_fuzz_openapi.py): same
operations, parameters, bodies and responses, only the referenced component schemas. Where the
vendor docs disagree on a method the seed pages win (vendor-docs/README.md): CaseXchange's spec
writes the network writes as PUT-upsert and PATCH, the seed pages (and the sandbox) as POST
(create or update) and PUT, so those operations are copied under the seed pages' methods.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
WANTED = {
    "casexchange": (
        "openapi.yml",
        [
            "Firm",
            "AvailableFirm",
            "NetworkFirmDetail",
            "PendingRelationship",
            "RoutingRule",
            "SentCaseDetail",
            "SentCaseListItem",
            "Pagination",
            "Error",
        ],
    ),
    "smokeball": (
        "swagger.json",
        ["Matter", "Link", "ProblemDetails", "MatterPagedCollection", "ReferralTypeCollection"],
    ),
}
DROP = {"description", "example", "readOnly", "format_hint"}
# (path, spec method) -> sandbox method: only these operations go into {vendor}.openapi.json.
FUZZED = {
    "casexchange": {
        ("/firms/me", "get"): "get",
        ("/firms/{id}", "get"): "get",
        ("/firms/available", "get"): "get",
        ("/network/pending", "get"): "get",
        ("/network/outbound/{firmId}", "get"): "get",
        ("/network/outbound/{firmId}", "put"): "post",  # upsert: the seed pages' POST
        ("/network/outbound/{firmId}", "patch"): "put",  # update existing: the seed pages' PUT
        ("/network/inbound/{firmId}", "get"): "get",
        ("/network/inbound/{firmId}", "patch"): "put",
        ("/routing/rules", "get"): "get",
        ("/routing/rules", "post"): "post",
        ("/routing/rules/{id}", "put"): "put",
        ("/routing/rules/{id}", "delete"): "delete",
        ("/sent-cases", "get"): "get",
        ("/sent-cases/{id}", "get"): "get",
    },
    "smokeball": {
        ("/matters", "get"): "get",
        ("/matters/{matterId}", "get"): "get",
        ("/matters/{matterId}", "put"): "put",
        ("/referraltypes", "get"): "get",
    },
}


def convert(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema 2020-12."""
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: convert(v) for k, v in node.items() if k not in DROP and k != "nullable"}
    if isinstance(node.get("properties"), dict):  # property names are data, never dropped
        out["properties"] = {k: convert(v) for k, v in node["properties"].items()}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            found |= refs(v)
    elif isinstance(node, list):
        for v in node:
            found |= refs(v)
    return found


def closure(schemas: dict[str, Any], wanted: list[str] | set[str]) -> set[str]:
    """The named component schemas plus everything they reference."""
    keep: set[str] = set()
    todo = list(wanted)
    while todo:
        n = todo.pop()
        if n not in keep:
            keep.add(n)
            todo.extend(refs(schemas[n]))
    return keep


def trimmed_openapi(vendor: str, spec: dict[str, Any], source: str) -> dict[str, Any]:
    """The vendor's OpenAPI document with only the operations the sandbox emulates."""
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), target in FUZZED[vendor].items():
        paths.setdefault(path, {})[target] = spec["paths"][path][method]
    schemas = spec["components"]["schemas"]
    keep = closure(schemas, refs(paths))
    base = "/api/public/v1" if vendor == "casexchange" else "/"
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": spec["info"]["title"],
            "version": spec["info"]["version"],
            "description": f"Generated by make_vendor_schemas.py from vendor-docs/{source}",
        },
        "servers": [{"url": base}],
        "security": spec.get("security", []),
        "paths": paths,
        "components": {
            "securitySchemes": spec["components"].get("securitySchemes", {}),
            "schemas": {n: schemas[n] for n in sorted(keep)},
        },
    }


def main(docs: Path) -> None:
    for vendor, (name, wanted) in WANTED.items():
        path = docs / vendor / name
        spec = (
            yaml.safe_load(path.read_text())
            if name.endswith(".yml")
            else json.loads(path.read_text())
        )
        schemas = spec["components"]["schemas"]
        keep = closure(schemas, wanted)
        out = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": f"Generated by make_vendor_schemas.py from vendor-docs/{vendor}/{name}",
            "$defs": {n: convert(schemas[n]) for n in sorted(keep)},
        }
        target = HERE / "vendor_schemas" / f"{vendor}.json"
        target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
        print(f"wrote {target} ({len(keep)} schemas)")
        fuzz = trimmed_openapi(vendor, spec, f"{vendor}/{name}")
        target = HERE / "vendor_schemas" / f"{vendor}.openapi.json"
        target.write_text(json.dumps(fuzz, indent=1, sort_keys=True) + "\n")
        print(f"wrote {target} ({len(fuzz['paths'])} paths)")


if __name__ == "__main__":
    root = HERE.parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "vendor-docs")
