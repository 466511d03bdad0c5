"""Masking of personal data (SPEC section 4): values hidden, keys and structure kept."""

from __future__ import annotations

import pytest

from netsync.model import ResourceType
from netsync.sensitive import MASK, is_sensitive, mask_value, masked_fields

CR = ResourceType.CASE_REQUEST


@pytest.mark.parametrize(
    ("rtype", "path", "expected"),
    [
        (CR, "client", True),
        (CR, "client.name", True),
        (CR, "contact.email", True),
        (CR, "contact.phone_mobile", True),
        (CR, "subjects", True),
        (CR, "subjects.0", True),
        (CR, "subjects[0].custom_fields[2].value", True),
        (CR, "subjects.0.custom_fields.2.value", True),
        (CR, "subjects.0.custom_fields.2.id", False),
        (CR, "subjects.0.subject_type_id", False),
        (CR, "subjects.0.is_primary", False),
        (CR, "subjects.0.nickname", True),
        (CR, "due_on", False),
        (CR, "notes", False),
        (CR, "custom_fields", False),
        (CR, "clientEmail", False),
        (ResourceType.CASE, "clientEmail", True),
        (ResourceType.CASE, "clientDateOfBirth", True),
        (ResourceType.CASE, "clientFirstName", True),
        (ResourceType.CASE, "referentFirmId", False),
        (ResourceType.CASE, "notes", False),
        (ResourceType.OUTBOUND, "client.name", False),
        (ResourceType.MATTER, "contact", False),
        ("trackops_case_request", "contact.email", True),
    ],
)
def test_is_sensitive(rtype: ResourceType, path: str, expected: bool) -> None:
    assert is_sensitive(rtype, path) is expected


def test_client_and_contact_keep_keys_mask_values_keep_null() -> None:
    fields = {
        "due_on": "2026-06-15",
        "client": {"name": "Acme Insurance", "zip": 12345, "address_3": None},
        "contact": {"email": "joe@example.com", "phone_office": "555-555-5555"},
    }
    masked = masked_fields(CR, fields)
    assert masked == {
        "due_on": "2026-06-15",
        "client": {"name": MASK, "zip": MASK, "address_3": None},
        "contact": {"email": MASK, "phone_office": MASK},
    }
    assert fields["client"]["name"] == "Acme Insurance", "the input must not be modified"


def test_subjects_mask_custom_field_values_keep_ids() -> None:
    subjects = [
        {
            "id": 7,
            "subject_type_id": 1,
            "is_primary": True,
            "is_pinned": False,
            "custom_fields": [
                {"id": 2, "value": "1979-10-30"},
                {"id": 1, "value": {"first_name": "John", "last_name": "Doe"}},
                {"id": 9, "value": None},
            ],
        }
    ]
    assert mask_value(CR, "subjects", subjects) == [
        {
            "id": 7,
            "subject_type_id": 1,
            "is_primary": True,
            "is_pinned": False,
            "custom_fields": [
                {"id": 2, "value": MASK},
                {"id": 1, "value": MASK},
                {"id": 9, "value": None},
            ],
        }
    ]


def test_unexpected_shapes_are_masked_whole() -> None:
    assert mask_value(CR, "client", "Acme Insurance") == MASK
    assert mask_value(CR, "subjects", ["John Doe"]) == [MASK]
    assert mask_value(CR, "subjects", [{"custom_fields": ["123-45-6789"]}]) == [
        {"custom_fields": [MASK]}
    ]


def test_case_client_fields_masked_routing_kept() -> None:
    fields = {"referentFirmId": "abc", "clientLastName": "Doe", "clientPhone": None}
    assert masked_fields(ResourceType.CASE, fields) == {
        "referentFirmId": "abc",
        "clientLastName": MASK,
        "clientPhone": None,
    }


def test_other_types_untouched() -> None:
    fields = {"client": {"name": "x"}, "description": "y"}
    assert masked_fields(ResourceType.OUTBOUND, fields) == fields
    assert masked_fields(CR, None) is None
