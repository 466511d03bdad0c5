"""What end-to-end tests share: the quickstart example, its sandbox world (as seeded and as it
looks once the quickstart plan took effect) and small file helpers. Fixtures are in conftest.py."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart"
QUICKSTART_SEED = QUICKSTART / "sandbox" / "seed.yaml"
CREDENTIAL_VARS = (
    "CASEXCHANGE_API_KEY",
    "CASEXCHANGE_TOKEN",
    "CASEXCHANGE_EMAIL",
    "CASEXCHANGE_PASSWORD",
    "SMOKEBALL_API_KEY",
    "SMOKEBALL_TOKEN",
    "SMOKEBALL_CLIENT_ID",
    "SMOKEBALL_CLIENT_SECRET",
    "TRACKOPS_USERNAME",
    "TRACKOPS_API_TOKEN",
)


def quickstart_seed() -> dict[str, Any]:
    return yaml.safe_load(QUICKSTART_SEED.read_text())


def converged_seed() -> dict[str, Any]:
    """The quickstart world after the quickstart plan took effect, written by hand."""
    seed = copy.deepcopy(quickstart_seed())
    rivera = seed["outbound"]["c3d4e5f6-7890-1abc-def2-34567890abcd"]
    rivera["sendingPercentage"] = 50.0  # 50 vs 50.0: numbers compare by value
    rivera["referralInstructions"] = "Include police report and medical records when available"
    seed["outbound"]["b2c3d4e5-6789-0abc-def1-234567890abc"] = {
        "inNetwork": True,
        "description": "Medical malpractice partner for California",
        "sendingPercentage": 25,
        "daysForUnderEvaluation": 10,
        "daysForInvestigating": 45,
    }
    seed["inbound"]["d4e5f6a7-8901-2bcd-ef34-567890abcde0"]["referralInstructions"] = (
        "Send cases via API"
    )
    seed["inbound"]["e5f6a7b8-9012-3cde-f456-7890abcdef01"] = {
        "inNetwork": True,
        "referralInstructions": "Send cases via API with full intake details and signed retainer",
    }
    seed["pending"] = [p for p in seed["pending"] if p["direction"] == "outbound"]
    seed["routing_rules"][0]["targetFirmId"] = (
        "C3D4E5F6-7890-1ABC-DEF2-34567890ABCD"  # ids: any case
    )
    seed["routing_rules"].append(
        {
            "id": "0a0b0c0d-1111-4222-8333-944455556666",
            "name": "NV Product Liability to Rivera",
            "conditions": [
                {"field": "jurisdiction", "operator": "eq", "value": "NV"},
                {"field": "caseType", "operator": "in", "value": ["Product Liability"]},
            ],
            "targetFirmId": "c3d4e5f6-7890-1abc-def2-34567890abcd",
            "priority": 3,
            "isActive": True,
        }
    )
    case = seed["cases"][0]
    case["referrals"].append(
        {
            "referentFirmId": "c3d4e5f6-7890-1abc-def2-34567890abcd",
            "status": "sent",
            "createdAt": "2026-03-01T09:00:00.000Z",
        }
    )
    seed["matters"][0]["referralAgreementFee"] = 33.0
    seed["case_requests"][0]["due_on"] = "2026-07-01"
    seed["case_requests"].append(
        {
            "id": 502,
            "case_type_id": 1,
            "case_region_id": 1,
            "created_on": "2026-06-01",
            "due_on": "2026-06-15",
            "reference_value_1": "ABC123-ClaimNumber",
            "notes": "Surveillance requested by the insurer",
            "client": {"name": "Acme Insurance", "country": "US"},
            "contact": {"last_name": "Adjuster", "email": "joe@example.com"},
        }
    )
    return seed


def write_config(tmp_path: Path, text: str, name: str = "netsync.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
