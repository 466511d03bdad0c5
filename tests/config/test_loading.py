"""Config loading rules of SPEC section 1: scalars, interpolation, merge, aliases, resources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from netsync.config import ConfigError, load_config
from netsync.model import Location, ResourceType

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def errors_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, env or {})
    return [str(d) for d in info.value.diagnostics]


BASE = f"""version: 1
firms:
  rivera: {RIVERA}
network:
  outbound:
    rivera: {{sendingPercentage: 50}}
"""


def test_yaml_1_2_core_scalars_keep_dates_on_and_leading_zeros_as_strings(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        BASE
        + """    9a1b2c3d-0000-4000-8000-00000000000a: {}
matters:
  9a1b2c3d-0000-4000-8000-000000000001:
    number: 01234
    description: on
    externalSystemId: 2026-06-01
    clientCode: yes
    referralAgreementFee: 12.50
    isLead: false
    closedDate: null
""",
    )
    matter = next(r for r in load_config(path, {}).resources if r.type is ResourceType.MATTER)
    assert matter.fields == {
        "number": "01234",
        "description": "on",
        "externalSystemId": "2026-06-01",
        "clientCode": "yes",
        "referralAgreementFee": 12.5,
        "isLead": False,
        "closedDate": None,
    }


def test_interpolation_variable_default_and_literal(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        """version: 1
providers:
  trackops: {base_url: "https://${TENANT}.viewcases.com"}
  casexchange: {base_url: "${CX_URL:-https://cx.example.com}"}
matters:
  9a1b2c3d-0000-4000-8000-000000000001:
    description: "Costs $${NOT_A_VAR} and ${AMOUNT}"
    referralAgreementFee: ${FEE}
    number: "${FEE}"
""",
    )
    config = load_config(path, {"TENANT": "acme", "AMOUNT": "10", "FEE": "33.5"})
    assert config.providers["trackops"]["base_url"] == "https://acme.viewcases.com"
    assert config.providers["casexchange"]["base_url"] == "https://cx.example.com"
    fields = config.resources[0].fields
    assert fields["description"] == "Costs ${NOT_A_VAR} and 10"
    assert fields["referralAgreementFee"] == 33.5  # plain scalar: typed after substitution
    assert fields["number"] == "33.5"  # quoted scalar: stays a string


def test_default_applies_to_an_empty_variable_as_in_docker_compose(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        "version: 1\nproviders:\n  casexchange:\n    base_url: "
        "${CX:-https://cx.example.com}\n    timeout: ${T}\n",
    )
    config = load_config(path, {"CX": "", "T": "5"})
    assert config.providers["casexchange"]["base_url"] == "https://cx.example.com"


def test_unset_variable_is_an_error_with_its_line(tmp_path):
    path = write(tmp_path, "c.yaml", "version: 1\nproviders:\n  trackops:\n    base_url: ${NOPE}\n")
    assert errors_of(path) == [
        f"{path}:4:15: providers.trackops.base_url: environment variable NOPE is not set "
        "(used as '${NOPE}')"
    ]


def test_env_url_overrides_replace_configured_urls(tmp_path):
    path = write(tmp_path, "c.yaml", "version: 1\nproviders:\n  smokeball: {region: au}\n")
    config = load_config(path, {"NETSYNC_SMOKEBALL_URL": "http://127.0.0.1:9/", "X": "1"})
    assert config.providers["smokeball"]["base_url"] == "http://127.0.0.1:9"
    assert config.providers["smokeball"]["auth_url"] == "https://auth.smokeball.com.au"
    assert config.providers["casexchange"]["base_url"] == "https://api.casexchange.com"
    env = {"NETSYNC_CASEXCHANGE_URL": "http://x", "NETSYNC_TRACKOPS_URL": "http://t"}
    config = load_config(path, env)
    assert config.providers["casexchange"]["base_url"] == "http://x"
    assert config.providers["trackops"]["base_url"] == "http://t"


def test_directory_merges_sections_from_every_yaml_file_but_not_subfolders(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yml", f"network:\n  outbound:\n    {CALDWELL}: {{sendingPercentage: 25}}\n")
    write(tmp_path, "notes.txt", "not: [yaml")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "broken.yaml", "this: [is not loaded")
    config = load_config(tmp_path, {})
    assert sorted(r.id for r in config.resources) == [CALDWELL, RIVERA]
    assert [p.name for p in config.files] == ["a.yaml", "b.yml"]
    caldwell = next(r for r in config.resources if r.id == CALDWELL)
    assert caldwell.location == Location(str(tmp_path / "b.yml"), 3, 5)


def test_same_provider_setting_in_two_files_names_both_places(tmp_path):
    write(tmp_path, "a.yaml", "version: 1\nproviders:\n  smokeball:\n    region: us\n")
    write(tmp_path, "b.yaml", "providers:\n  smokeball:\n    region: au\n")
    assert errors_of(tmp_path) == [
        f"{tmp_path}/b.yaml:3:5: providers.smokeball.region: defined twice: here and at "
        f"{tmp_path}/a.yaml:4:5 (each key may be defined in one file only)"
    ]


def test_alias_in_one_file_and_raw_id_in_another_is_one_firm_twice(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yaml", f"network:\n  outbound:\n    {RIVERA.upper()}: {{}}\n")
    (message,) = errors_of(tmp_path)
    assert message.startswith(f"{tmp_path}/b.yaml:3:5: network.outbound.{RIVERA.upper()}: ")
    assert f"as 'rivera' at {tmp_path}/a.yaml:6:5" in message


def test_aliases_resolve_wherever_a_firm_id_goes(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        BASE
        + """  inbound:
    rivera: {status: active}
routing:
  rules:
    NY:
      conditions: [{field: jurisdiction, operator: eq, value: NY}]
      targetFirmId: rivera
cases:
  3c90c3cc-0d44-4b50-8888-8dd25736052a: {referentFirmId: rivera, notes: why}
""",
    )
    by_address = {r.address: r for r in load_config(path, {}).resources}
    assert by_address["network.outbound.rivera"].id == RIVERA
    assert by_address["network.inbound.rivera"].id == RIVERA
    assert by_address["routing.rules.NY"].fields["targetFirmId"] == RIVERA
    case = by_address["cases.3c90c3cc-0d44-4b50-8888-8dd25736052a"]
    assert case.fields == {"referentFirmId": RIVERA}
    assert case.write_only == {"notes": "why"}  # sent with a re-referral, never compared


def test_all_errors_are_reported_at_once_sorted_by_place(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        """version: 1
network:
  outbound:
    ghost: {sendingPercentage: 101}
  pending: maybe
""",
    )
    messages = errors_of(path)
    assert len(messages) == 4
    assert [m.split(": ")[0] for m in messages] == [
        f"{path}:4:5",
        f"{path}:4:5",
        f"{path}:4:32",
        f"{path}:5:12",
    ]


def test_percentages_summing_to_exactly_100_are_fine(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        f"""version: 1
network:
  outbound:
    {RIVERA}: {{sendingPercentage: 33.3}}
    {CALDWELL}: {{sendingPercentage: 33.3}}
    d4e5f6a7-8901-2bcd-ef34-567890abcde0: {{sendingPercentage: 33.4}}
""",
    )
    assert len(load_config(path, {}).resources) == 3  # 33.3 + 33.3 + 33.4 is 100 exactly


def test_trackops_url_from_environment_satisfies_case_requests(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        """version: 1
case_requests:
  R1:
    case_type_id: 1
    case_region_id: 1
    created_on: 2026-06-01
    client: {name: A, country: US}
    contact: {last_name: B, email: b@example.com}
""",
    )
    assert errors_of(path)[0].endswith(
        "case_requests need providers.trackops.base_url (e.g. https://acme.viewcases.com)"
    )
    config = load_config(path, {"NETSYNC_TRACKOPS_URL": "http://127.0.0.1:1"})
    (request,) = config.resources
    assert request.address == "case_requests.R1" and request.id is None
    assert request.fields["created_on"] == "2026-06-01"


def test_quickstart_example_is_valid():
    root = Path(__file__).resolve().parents[2]
    config = load_config(root / "examples" / "quickstart", {})
    assert len(config.resources) == 11
    assert config.firms["rivera"] == RIVERA


@pytest.mark.parametrize(
    "target",
    ["missing.yaml", "dangling-link.yaml", "empty-dir"],
)
def test_unreadable_paths_exit_1_without_traceback(tmp_path, target):
    (tmp_path / "dangling-link.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "empty-dir" / "folder.yaml").mkdir()  # a folder is not a config file
    proc = subprocess.run(
        [sys.executable, "-m", "netsync", "validate", "-c", str(tmp_path / target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert str(tmp_path / target) in proc.stderr
