"""Built-in world pieces: default credentials, our firm, a small firm directory, referral types.

Kept apart from the world logic so the docs and tests can point at one place for "what the
sandbox knows without a seed".
"""

from __future__ import annotations

from typing import Any

DEFAULT_CREDENTIALS: dict[str, Any] = {
    "casexchange": {
        "api_keys": ["cxp_ro_sandbox", "cxp_std_sandbox", "cxp_full_sandbox"],
        "tokens": ["sandbox-token"],
        "logins": [{"email": "sandbox@example.com", "password": "sandbox"}],
    },
    "smokeball": {
        "api_keys": ["sandbox-key"],
        "tokens": ["sandbox-token"],
        "clients": [{"client_id": "sandbox-client", "client_secret": "sandbox-secret"}],
    },
    "trackops": {"users": [{"username": "sandbox", "token": "sandbox-token"}]},
}

DEFAULT_ME: dict[str, Any] = {
    "id": "a1b2c3d4-5678-9abc-def0-1234567890ab",
    "name": "Acme Law Group",
}

BUILTIN_FIRMS: list[dict[str, Any]] = [
    {
        "id": "c3d4e5f6-7890-1abc-def2-34567890abcd",
        "name": "Rivera Injury Law",
        "jurisdictions": ["CA", "NV"],
        "caseTypes": ["Personal Injury", "Product Liability"],
        "generalReferralInstructions": (
            "Email intake@riverainjury.example.com with case summary and client contact info."
        ),
    },
    {
        "id": "b2c3d4e5-6789-0abc-def1-234567890abc",
        "name": "Caldwell Medical Law",
        "jurisdictions": ["CA"],
        "caseTypes": ["Medical Malpractice"],
        "generalReferralInstructions": None,
    },
    {
        "id": "d4e5f6a7-8901-2bcd-ef34-567890abcde0",
        "name": "Hawkins & Pratt LLP",
        "jurisdictions": ["NY", "NJ", "CT"],
        "caseTypes": ["Medical Malpractice", "Nursing Home Abuse"],
        "generalReferralInstructions": (
            "Submit all referrals through the CaseXchange portal "
            "with full medical records attached."
        ),
    },
    {
        "id": "e5f6a7b8-9012-3cde-f456-7890abcdef01",
        "name": "Whitfield Trial Attorneys",
        "jurisdictions": ["TX", "OK"],
        "caseTypes": ["Personal Injury", "Wrongful Death"],
        "generalReferralInstructions": None,
    },
    {
        "id": "f6a7b8c9-0123-4def-5678-90abcdef0123",
        "name": "Nakamura & Chen Immigration Law",
        "jurisdictions": ["CA", "WA"],
        "caseTypes": ["Immigration"],
        "generalReferralInstructions": None,
        "auto_accept": False,
    },
]

# Smokeball's standard referral types are answered by name; custom ones (seeded with
# `custom: true`) are stored as their id when a PUT names them.
BUILTIN_REFERRAL_TYPES: list[dict[str, Any]] = [
    {"id": "5e0c6f3a-0001-4000-8000-000000000001", "name": "Google", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000002", "name": "Word of Mouth", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000003", "name": "Existing Client", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000004", "name": "Advertising", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000005", "name": "Website", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000006", "name": "Social Media", "isDeleted": False},
    {"id": "5e0c6f3a-0001-4000-8000-000000000007", "name": "Other", "isDeleted": False},
]

# CaseXchange's case-types table (GET /case-types): every case type the built-in firms and the
# quickstart seed name, plus one no built-in firm takes. `caseType` query values and routing
# conditions may name a type by `name` or by `id`; firm profiles show `displayName` (else `name`).
BUILTIN_CASE_TYPES: list[dict[str, Any]] = [
    {
        "id": "7c0a9e52-0002-4000-8000-000000000001",
        "name": "Immigration",
        "displayName": "Immigration",
        "explanation": "Visas, residency, asylum and removal defence.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000002",
        "name": "Medical Malpractice",
        "displayName": "Medical Malpractice",
        "explanation": "Injury caused by a medical provider's negligence.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000003",
        "name": "Nursing Home Abuse",
        "displayName": "Nursing Home Abuse",
        "explanation": "Abuse or neglect of residents of a care facility.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000004",
        "name": "Personal Injury",
        "displayName": "Personal Injury",
        "explanation": "Injury to a person caused by another party's negligence.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000005",
        "name": "Product Liability",
        "displayName": "Product Liability",
        "explanation": "Injury caused by a defective or dangerous product.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000006",
        "name": "Workers' Compensation",
        "displayName": "Workers' Compensation",
        "explanation": "Injury or illness arising from employment.",
    },
    {
        "id": "7c0a9e52-0002-4000-8000-000000000007",
        "name": "Wrongful Death",
        "displayName": "Wrongful Death",
        "explanation": "Death caused by another party's negligence or misconduct.",
    },
]

VENDOR_RATE_LIMITS: dict[str, dict[str, float]] = {
    # CaseXchange: fixed window per API key, reported in X-RateLimit-* headers.
    "casexchange": {"limit": 100, "window": 60},
    # Smokeball and Trackops: token buckets per credential, 429 with Retry-After.
    "smokeball": {"rate": 5, "burst": 5},
    "trackops": {"rate": 2, "burst": 2},
}
