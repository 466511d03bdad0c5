"""A hand-made plan covering every action, every resource type, warnings and errors, and the
golden-file check (a uniquely named module, so `import` cannot pick up another conftest)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import golden

from netsync.model import Action, Change, Diagnostic, Location, Plan, ResourceType

GOLDEN = Path(__file__).parent / "golden"

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
CASE_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER_ID = "9a1b2c3d-0000-4000-8000-000000000001"
NAMES = {
    RIVERA: "Rivera Injury Law",
    CALDWELL: "Caldwell Medical Law",
    HAWKINS: "Hawkins & Pratt LLP",
    WHITFIELD: "Whitfield Trial Attorneys",
}

# Personal data that must never reach any output.
SECRETS = {
    "client_name": "Globex Mutual Zebra",
    "client_city": "Denverton",
    "contact_first": "Danaqua",
    "contact_last": "Reyesworth",
    "contact_email": "dana.reyes@example.com",
    "contact_email_old": "old.adjuster@example.com",
    "contact_phone": "555-867-5309",
    "ssn": "123-45-6789",
    "dob": "1979-10-30",
    "subject_first": "Johnathon",
    "subject_nick": "Big Johnathon",
    "case_client_email": "victim@example.org",
    "case_client_last": "Smithereens",
}


def build_plan() -> Plan:
    s = SECRETS
    labels = dict(NAMES)
    changes = [
        Change(
            "network.outbound.rivera",
            ResourceType.OUTBOUND,
            RIVERA,
            Action.UPDATE,
            fields=["sendingPercentage"],
            before={"sendingPercentage": Decimal("33.5"), "daysForInvestigating": 30},
            after={"sendingPercentage": Decimal("50"), "daysForInvestigating": 30},
            labels=labels,
        ),
        Change(
            "network.outbound.caldwell",
            ResourceType.OUTBOUND,
            CALDWELL,
            Action.CREATE,
            fields=["description", "sendingPercentage", "daysForUnderEvaluation"],
            before=None,
            after={
                "description": "Medical malpractice partner for California",
                "sendingPercentage": 25,
                "daysForUnderEvaluation": 10,
            },
            labels=labels,
        ),
        Change(
            "network.inbound.hawkins",
            ResourceType.INBOUND,
            HAWKINS,
            Action.UPDATE,
            fields=["status"],
            before={"status": "pending", "referralInstructions": None},
            after={"status": "active", "referralInstructions": None},
            labels=labels,
        ),
        Change(
            "network.inbound.whitfield",
            ResourceType.INBOUND,
            WHITFIELD,
            Action.NOOP,
            before={"status": "active"},
            after={"status": "active"},
            labels=labels,
        ),
        Change(
            "routing.rules.Auto-route NY Personal Injury",
            ResourceType.ROUTING_RULE,
            "rule-1",
            Action.UPDATE,
            fields=["targetFirmId", "priority"],
            before={"targetFirmId": CALDWELL, "priority": 2, "isActive": True},
            after={"targetFirmId": RIVERA, "priority": 1, "isActive": True},
            labels=labels,
        ),
        Change(
            "routing.rules.Old TX rule",
            ResourceType.ROUTING_RULE,
            "rule-9",
            Action.DELETE,
            before={
                "name": "Old TX rule",
                "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "TX"}],
                "targetFirmId": HAWKINS,
                "isActive": False,
            },
            after=None,
            labels=labels,
        ),
        Change(
            f"cases.{CASE_ID}",
            ResourceType.CASE,
            CASE_ID,
            Action.REREFER,
            fields=["referentFirmId"],
            before={"referentFirmId": HAWKINS, "clientEmail": s["case_client_email"]},
            after={"referentFirmId": RIVERA, "clientEmail": s["case_client_email"]},
            labels=labels,
            write_only={"notes": "Re-routed after Hawkins & Pratt declined"},
        ),
        Change(
            f"cases.{CASE_ID[:-1]}b",
            ResourceType.CASE,
            CASE_ID[:-1] + "b",
            Action.NOOP,
            before={"referentFirmId": RIVERA, "clientLastName": s["case_client_last"]},
            after={"referentFirmId": RIVERA, "clientLastName": s["case_client_last"]},
            labels=labels,
        ),
        Change(
            f"matters.{MATTER_ID}",
            ResourceType.MATTER,
            MATTER_ID,
            Action.UPDATE,
            fields=["referralAgreementFee", "referralType"],
            before={
                "referralType": None,
                "referralAgreementFee": Decimal("30.0"),
                "status": "Open",
            },
            after={"referralType": "Google", "referralAgreementFee": 33, "status": "Open"},
        ),
        Change(
            "case_requests.ABC123-ClaimNumber",
            ResourceType.CASE_REQUEST,
            "4711",
            Action.UPDATE,
            fields=["contact.email", "due_on"],
            before={
                "due_on": "2026-06-10",
                "contact": {"last_name": "Adjuster", "email": s["contact_email_old"]},
            },
            after={
                "due_on": "2026-06-15",
                "contact": {"last_name": "Adjuster", "email": s["contact_email"]},
            },
        ),
        Change(
            "case_requests.XYZ789-ClaimNumber",
            ResourceType.CASE_REQUEST,
            None,
            Action.CREATE,
            fields=["case_type_id", "client", "contact", "subjects"],
            after={
                "case_type_id": 1,
                "client": {"name": s["client_name"], "city": s["client_city"], "zip": None},
                "contact": {
                    "first_name": s["contact_first"],
                    "last_name": s["contact_last"],
                    "email": s["contact_email"],
                    "phone_mobile": s["contact_phone"],
                },
                "subjects": [
                    {
                        "subject_type_id": 1,
                        "is_primary": True,
                        "custom_fields": [
                            {"id": 1, "value": {"first_name": s["subject_first"]}},
                            {"id": 3, "value": s["subject_nick"]},
                            {"id": 2, "value": s["dob"]},
                            {"id": 4, "value": s["ssn"]},
                        ],
                    }
                ],
            },
        ),
    ]
    warnings = [
        Diagnostic("network.outbound.rivera", "awaiting the other firm's acceptance"),
        Diagnostic(
            "case_requests.ABC123-ClaimNumber",
            "case_region_id differs from live (2 vs 1) but PUT cannot change it",
            Location("cases.yaml", 9, 5),
        ),
    ]
    errors = [
        Diagnostic(
            "cases.0000aaaa-0000-4000-8000-000000000000",
            "case status is 'accepted'; only rejected or withdrawn cases can be re-referred",
            Location("cases.yaml", 3, 3),
        ),
        Diagnostic(None, "trackops: 503 Service Unavailable after 5 attempts"),
    ]
    # Deliberately unsorted: renderers sort by address.
    return Plan(changes=list(reversed(changes)), errors=errors, warnings=warnings)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/render/golden/<name> (see tests/golden.py)."""
    golden.check_golden(GOLDEN / name, actual)
