"""Vendor answers read at the boundary: JSON of the documented type, or a VendorError that names
the vendor and the call; a 404 that is the vendor's "no such object" versus a web server's page;
error bodies of the three vendors, redacted before they are cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from netsync.http import Secrets, VendorError

# What reading a malformed answer raises deep inside a provider (a string where an object was
# documented, a null list): the boundary turns it into a VendorError naming vendor and address.
SHAPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError)


def shape_error(vendor: str, exc: Exception) -> VendorError:
    return VendorError(
        vendor,
        f"unexpected answer: its shape is not the documented one ({type(exc).__name__}: "
        f"{str(exc)[:120]})",
    )


def _json(response: httpx.Response) -> Any:
    """The parsed body, or `_NOT_JSON` for an HTML page, a proxy's error, an empty body or
    JSON nested too deeply to parse."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return _NOT_JSON


def parsed(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none (for optional parts such as `meta`)."""
    value = _json(response)
    return None if value is _NOT_JSON else value


_NOT_JSON = object()


def describe_page(response: httpx.Response) -> str:
    """What a non-JSON answer was, for a message: its content type and a short safe excerpt."""
    kind = response.headers.get("content-type", "").split(";")[0] or "no content type"
    text = " ".join(_excerpt(response.text, 60).split())
    excerpt = "".join(ch if ch.isprintable() else "?" for ch in text)
    return f"{kind}: {excerpt!r}" if excerpt else kind


def decode(
    vendor: str, method: str, path: str, response: httpx.Response, want: type | tuple[type, ...]
) -> Any:
    """A successful answer's JSON body, of the type the vendor documents, or a VendorError that
    names the vendor and the call (an HTML page from a proxy or a wrong base URL, a JSON value
    of the wrong type)."""
    value = _json(response)
    where = f"{method} {path.split('?')[0]}: {response.status_code}"
    if value is _NOT_JSON:
        raise VendorError(
            vendor,
            f"{where}: the answer is not JSON ({describe_page(response)}): is the base URL right?",
            status=response.status_code,
        )
    if not isinstance(value, want):
        names = " or ".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
        raise VendorError(
            vendor,
            f"{where}: unexpected answer: expected a JSON {_kind(names)}, got {_kind(value)}",
            status=response.status_code,
        )
    return value


def _kind(value: Any) -> str:
    names = {"dict": "object", "list": "array", "str": "string", "NoneType": "null"}
    name = value if isinstance(value, str) else type(value).__name__
    return " or ".join(names.get(n, n) for n in name.split(" or "))


def absent(response: httpx.Response) -> bool:
    """A 404 means "no such object" only when the vendor itself said so (a JSON error body);
    a 404 page from a web server or a proxy means the base URL is wrong."""
    return response.status_code == 404 and isinstance(_json(response), dict)


def _excerpt(text: str, limit: int) -> str:
    """The start of a vendor's text, redacted BEFORE it is cut: a credential cut in half by the
    limit would no longer be recognised."""
    return Secrets.redact(text[: limit + 4096])[:limit]


def error_detail(response: httpx.Response) -> tuple[str | None, str]:
    """(code, message) from any of the three vendors' error bodies."""
    body = _json(response)
    if body is _NOT_JSON:
        return None, f"not a JSON answer ({describe_page(response)}): is the base URL right?"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # CaseXchange envelope
            return _text(error.get("code")), _excerpt(str(error.get("message", "")), 200)
        if "title" in body or "detail" in body:  # Smokeball RFC 7807 problem details
            return None, _excerpt(str(body.get("detail") or body.get("title")), 200)
        if isinstance(body.get("errors"), list):  # Trackops (undocumented; sandbox shape)
            return None, _excerpt("; ".join(str(e) for e in body["errors"]), 200)
        if body.get("message"):
            return None, _excerpt(str(body["message"]), 200)
    return None, _excerpt(response.text, 200)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def fail(
    vendor: str,
    method: str,
    path: str,
    response: httpx.Response,
    hints: Mapping[int, str] | None = None,
) -> VendorError:
    """The VendorError for an answer that is not a success, with the vendor's own code and
    message and a hint at the usual cause."""
    code, message = error_detail(response)
    label = f"{response.status_code} {code}" if code else str(response.status_code)
    hint = (hints or HINTS).get(response.status_code, "")
    return VendorError(
        vendor,
        f"{method} {path.split('?')[0]}: {label}: {message}{hint}",
        status=response.status_code,
        code=code,
    )


HINTS = {
    401: " (check the credentials in the environment)",
    403: " (the credential lacks the permission for this call)",
}


def is_json(response: httpx.Response) -> bool:
    """Whether the body parses as JSON (an empty body does not)."""
    return _json(response) is not _NOT_JSON
