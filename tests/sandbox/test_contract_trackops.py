"""Trackops: the seed page's create/list/get/update examples, replayed over HTTP."""

from __future__ import annotations

from ._support import TRACKOPS_AUTH

BASE = "/api/v1/case/requests"

# The seed page's create example, verbatim: note the duplicate "created_on" key, the numeric
# zip and the string budgets (the page breaks its own type table; the sandbox accepts them).
SEED_CREATE = """{
"casefile_request": {
"case_type_id": 1,
"client": {"name": "Your Customer Name", "address_1": "123 Main Street", "address_2": "STE 555",
 "address_3": "", "city": "Any Town", "state": "CO", "zip": 12345, "country": "US"},
"contact": {"first_name": "Joe", "middle_name": "", "last_name": "Adjuster",
 "email": "email@example.com", "phone_office": "555-555-5555", "phone_mobile": "555-555-5555",
 "phone_fax": "555-555-5555"},
"case_region_id": 1,
"created_on": "2019-06-01",
"due_on": "2019-06-15",
"company_location_id": 2,
"reference_value_1": "ABC123-ClaimNumber",
"reference_value_2": "ABC",
"reference_value_3": "123",
"created_on": "2019-05-29",
"case_location": "Denver, CO",
"budget_money": "1500",
"budget_hours": "8",
"notes": "Notes and instructions go here.",
"scheduling_notes": "One weekday and one weekend day",
"admin_notes": "Created by the API",
"case_services_list": [1, 2],
"case_flags_list": [1],
"custom_fields": [{"id": 1, "value": "answer for field number 1"},
                  {"id": 2, "value": "answer for field number 2"}],
"subjects": [{"subject_type_id": 1, "is_primary": true, "is_pinned": true,
  "custom_fields": [{"id": 1, "value": {"first_name": "John", "middle_name": "B",
                    "last_name": "Doe"}},
                    {"id": 3, "value": "Big John"}, {"id": 2, "value": "1979-10-30"},
                    {"id": 4, "value": "123-45-6789"}, {"id": 16, "value": "This is an API Test"},
                    {"id": 26, "value": {"address_1": "2000 Blake St", "city": "Denver",
                     "state": "CO", "zip": "80202", "country": "US"}}]}]
}
}"""


def test_create_seed_example_then_list_get_update(client):
    r = client.post(
        BASE, auth=TRACKOPS_AUTH, content=SEED_CREATE, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 201
    rec = r.json()
    assert isinstance(rec["id"], int)
    assert rec["case_request_number"] and isinstance(rec["series_number"], int)
    assert rec["created_on"] == "2019-05-29"  # last duplicate key wins, as in any JSON parser
    assert rec["client"]["zip"] == 12345 and rec["budget_money"] == "1500"
    assert rec["created_at"] and rec["updated_at"]
    listed = client.get(
        BASE, auth=TRACKOPS_AUTH, params={"reference_value_1": "ABC123-ClaimNumber"}
    )
    assert listed.status_code == 200
    assert isinstance(listed.json(), list)
    assert [x["id"] for x in listed.json()] == [rec["id"]]
    got = client.get(f"{BASE}/{rec['id']}", auth=TRACKOPS_AUTH)
    assert got.status_code == 200 and got.json() == rec
    # The seed page's update example.
    r = client.put(
        f"{BASE}/{rec['id']}",
        auth=TRACKOPS_AUTH,
        json={"casefile_request": {"due_on": "2024-01-01"}},
    )
    assert r.status_code == 200
    assert r.json()["due_on"] == "2024-01-01"
    assert r.json()["notes"] == "Notes and instructions go here."  # others unchanged


def test_list_filters_and_paging(client):
    r = client.get(BASE, auth=TRACKOPS_AUTH, params={"reference_value_1": "XYZ789-ClaimNumber"})
    assert r.status_code == 200
    assert [x["due_on"] for x in r.json()] == ["2026-06-20"]
    assert client.get(BASE, auth=TRACKOPS_AUTH, params={"reference_value_1": "nope"}).json() == []
    for i in range(3):
        body = {
            "casefile_request": {
                "case_type_id": 1,
                "case_region_id": 1,
                "created_on": "2026-06-01",
                "client": {"name": f"C{i}", "country": "US"},
                "contact": {"last_name": "L", "email": "l@example.com"},
            }
        }
        assert client.post(BASE, auth=TRACKOPS_AUTH, json=body).status_code == 201
    page = client.get(BASE, auth=TRACKOPS_AUTH, params={"per_page": 2, "page": 2}).json()
    assert len(page) == 2
    count = client.get(BASE, auth=TRACKOPS_AUTH, params={"mode": "count", "per_page": 2}).json()
    assert count == {"record_count": 4, "page_count": 2}
    assert client.get(BASE, auth=TRACKOPS_AUTH, params={"id": "501"}).json()[0]["id"] == 501
    assert client.get(BASE, auth=TRACKOPS_AUTH, params={"per_page": 101}).status_code == 400


def test_update_client_must_be_whole(client):
    r = client.put(
        f"{BASE}/501",
        auth=TRACKOPS_AUTH,
        json={"casefile_request": {"client": {"name": "Globex Mutual", "country": "US"}}},
    )
    assert r.status_code == 400
    assert "entire object" in r.json()["errors"][0]
    whole = {
        "name": "Globex Mutual",
        "address_1": "1600 Glenarm Pl",
        "city": "Denver",
        "state": "CO",
        "zip": "80203",
        "country": "US",
    }
    r = client.put(f"{BASE}/501", auth=TRACKOPS_AUTH, json={"casefile_request": {"client": whole}})
    assert r.status_code == 200
    assert r.json()["client"] == whole


def test_update_rejects_fields_put_does_not_accept(client):
    for field, value in (
        ("case_type_id", 2),
        ("case_region_id", 1),
        ("budget_money", 5),
        ("budget_hours", 1),
        ("subjects", []),
    ):
        r = client.put(f"{BASE}/501", auth=TRACKOPS_AUTH, json={"casefile_request": {field: value}})
        assert r.status_code == 400, field
        assert field in r.json()["errors"][0]


def test_envelope_and_required_fields(client):
    r = client.post(BASE, auth=TRACKOPS_AUTH, json={"case_type_id": 1})
    assert r.status_code == 400
    r = client.put(f"{BASE}/501", auth=TRACKOPS_AUTH, json={"due_on": "2026-01-01"})
    assert r.status_code == 400
    r = client.post(BASE, auth=TRACKOPS_AUTH, json={"casefile_request": {"case_type_id": 1}})
    assert r.status_code == 400
    assert "client is required" in r.json()["errors"]
    body = {
        "casefile_request": {
            "case_type_id": 1,
            "case_region_id": 1,
            "created_on": "June 1",
            "client": {"name": "C", "country": "US"},
            "contact": {"last_name": "L", "email": "l@example.com"},
        }
    }
    r = client.post(BASE, auth=TRACKOPS_AUTH, json=body)
    assert r.status_code == 400 and "created_on" in r.json()["errors"][0]
    assert client.get(f"{BASE}/999999", auth=TRACKOPS_AUTH).status_code == 404
