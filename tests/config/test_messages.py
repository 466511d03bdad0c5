"""How config messages show values: credentials by shape, values from the environment by their
variable, and the last scrub of every message."""

from __future__ import annotations

import pytest

from netsync.config.display import looks_like_credential, scrub, shown
from netsync.config.interpolate import InterpolationError, interpolate_tracked
from netsync.model import Diagnostic, Location


@pytest.mark.parametrize(
    "text",
    [
        "cxp_ro_abc",
        "CXP_FULL_LIVE",
        "cxp_std_8f7a6b5c",
        "ghp_1234567890abcdefghij",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig",
        "a8f5f167f44f4964e6c998dee827110c",
        "sk_live_1234567890abcdef",
    ],
)
def test_credential_shapes(text):
    assert looks_like_credential(text)


@pytest.mark.parametrize(
    "text",
    ["CASEXCHANGE_API_KEY", "SMOKEBALL_CLIENT_SECRET", "MY_TOKEN_2", "rivera", "Personal Injury"],
)
def test_variable_names_and_words_are_not_credentials(text):
    assert not looks_like_credential(text)


def test_shown_describes_instead_of_echoing():
    assert shown(33.5) == "33.5"
    assert shown("cxp_std_x") == "a string that looks like a credential"
    assert shown("cxp_std_x", ("CASEXCHANGE_API_KEY",)) == "a string from ${CASEXCHANGE_API_KEY}"
    assert shown("x" * 500).endswith('…" (500 characters)')
    assert shown({"a": 1}) == "a mapping"


def test_interpolation_reports_the_variables_it_used():
    text, names = interpolate_tracked("${A}-${B:-b}-${A}-$${C}", {"A": "a"})
    assert (text, names) == ("a-b-a-${C}", ("A", "B"))
    with pytest.raises(InterpolationError, match="nested"):
        interpolate_tracked("${A:-${B}}", {})


def test_scrub_removes_secret_environment_values_and_key_shapes():
    env = {"SMOKEBALL_TOKEN": "tok-abcdef-123", "HOME": "/root"}
    loc = Location("/root/c.yaml", 1, 1)
    (clean,) = scrub([Diagnostic("a", "got tok-abcdef-123 and cxp_full_zzz in /root", loc)], env)
    assert clean.message == "got (redacted) and (redacted) in /root"
    assert clean.location == loc


def test_a_uuid_followed_by_a_newline_is_an_invalid_id_not_an_internal_error(run_cli, tmp_path):
    """`$` in a pattern also matches before a final newline; the id check must not let one by
    (it crashed later, in uuid.UUID, as "internal error")."""
    config = tmp_path / "netsync.yaml"
    config.write_text('version: 1\nfirms:\n  rivera: "c3d4e5f6-7890-1abc-def2-34567890abcd\\n"\n')
    code, out, err = run_cli("validate", "-c", str(config))
    assert code == 1
    assert f"{config}:3:11: firms.rivera: " in err and "is not a valid uuid" in err
    assert "internal error" not in err + out
