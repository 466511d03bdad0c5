"""The front door: how a request body is framed, bounded, typed and decoded before any vendor
handler sees it.

These are the checks a vendor's web framework or gateway makes before its application code
runs, so they answer before latency, rate limits, faults and authentication, in the vendor's own
error shape. Whatever a client sends -- a negative Content-Length, 300 MB, a body nested 100,000
deep, Latin-1 bytes, NaN -- gets an answer and never a traceback (docs/sandbox.md, "Limits and
broken requests").
"""

from __future__ import annotations

import re
from email.message import Message
from typing import IO, Any

from . import casexchange, smokeball, trackops
from .util import Response, is_json_type, json_depth_exceeds, loads_strict

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: netsync's largest write is a few KB
MAX_JSON_DEPTH = 32  # real bodies nest 7 levels at most (a Trackops subject's custom field)
MAX_CHUNK_LINE = 1024
_DIGITS = re.compile(r"[0-9]+")
TOKEN_PATH = "/oauth2/token"
FORM = "application/x-www-form-urlencoded"


class BodyError(Exception):
    """A request the front door refuses: answer `status`, then maybe close the connection.

    `close` means the rest of the request cannot be told apart from the next one, so the
    connection must end after the answer; `drain` is how many body bytes the client may still
    be sending (read and dropped before closing, so it sees the answer instead of a reset).
    """

    def __init__(self, status: int, message: str, close: bool = False, drain: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.close, self.drain = status, message, close, drain


def declared_length(headers: Message) -> int | None:
    """Body length from Content-Length; None for a chunked body; BodyError if unusable."""
    te = ",".join(headers.get_all("Transfer-Encoding") or [])
    codings = [c.strip().lower() for c in te.split(",") if c.strip()]
    lengths = [v.strip() for v in headers.get_all("Content-Length") or []]
    if codings:
        if lengths:
            raise BodyError(400, "Content-Length and Transfer-Encoding together", close=True)
        if codings != ["chunked"]:
            raise BodyError(400, f"unsupported Transfer-Encoding {', '.join(codings)}", close=True)
        return None
    if not lengths:
        return 0
    if len(set(lengths)) > 1 or not all(_DIGITS.fullmatch(v) for v in lengths):
        raise BodyError(400, "Content-Length must be one non-negative integer", close=True)
    digits = lengths[0].lstrip("0") or "0"
    length = int(digits) if len(digits) <= 18 else 10**18  # int() of 5,000 digits raises
    if length > MAX_BODY_BYTES:
        raise BodyError(413, too_large_message(), close=True, drain=length)
    return length


def too_large_message() -> str:
    return f"Request body larger than {MAX_BODY_BYTES:,} bytes"


def read_body(rfile: IO[bytes], length: int | None) -> bytes:
    """Exactly the body (Content-Length or chunked), never more than MAX_BODY_BYTES."""
    if length is None:
        return read_chunked(rfile)
    data = rfile.read(length) if length else b""
    if len(data) < length:
        raise BodyError(400, "Request body shorter than its Content-Length", close=True)
    return data


def read_chunked(rfile: IO[bytes]) -> bytes:
    """Decode `Transfer-Encoding: chunked` (RFC 9112 §7.1), trailers skipped, size bounded."""
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        size_text = line.split(b";", 1)[0].strip()
        if len(line) > MAX_CHUNK_LINE or not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_text):
            raise BodyError(400, "Malformed chunked request body", close=True)
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > MAX_BODY_BYTES:
            raise BodyError(413, too_large_message(), close=True, drain=MAX_BODY_BYTES)
        chunk = rfile.read(size)
        if len(chunk) < size or rfile.read(2) != b"\r\n":
            raise BodyError(400, "Malformed chunked request body", close=True)
        parts.append(chunk)
    for _ in range(100):  # trailer fields, up to the empty line
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if line in (b"\r\n", b"\n", b""):
            return b"".join(parts)
    raise BodyError(400, "Malformed chunked request body", close=True)


# --- media types and decoding ----------------------------------------------------------------
def media_problem(vendor: str, path: str, content_type: str) -> tuple[int, str] | None:
    """(status, message) when this vendor refuses a body of this Content-Type, else None."""
    if vendor == "control":
        return None
    if vendor == "smokeball" and path.rstrip("/") == TOKEN_PATH:
        media = content_type.split(";", 1)[0].strip().lower()
        return None if media == FORM else (400, f"Content-Type must be {FORM}")
    if is_json_type(content_type):
        return None
    got = content_type.strip() or "none"
    if vendor == "smokeball":  # ASP.NET input formatters
        return 415, f"Content-Type must be application/json-patch+json (got {got})"
    return 400, f"Content-Type must be application/json (got {got})"


def parse_body(raw: bytes, vendor: str, path: str, content_type: str) -> tuple[Any, bool]:
    """(body, json_error) for the handlers; BodyError for what the front door refuses.

    JSON syntax errors (NaN and Infinity included) are left to the handlers, which answer them
    after authentication as before; wrong media types, bad UTF-8 and deep nesting are refused
    here.
    """
    if not raw:
        return None, False
    problem = media_problem(vendor, path, content_type)
    if problem:
        raise BodyError(*problem)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"Request body is not valid UTF-8 (byte {exc.start})") from None
    if vendor == "smokeball" and path.rstrip("/") == TOKEN_PATH:
        return text, False
    try:
        body = loads_strict(text)
    except RecursionError:
        raise BodyError(400, depth_message()) from None
    except ValueError:
        return text, True
    if json_depth_exceeds(body, MAX_JSON_DEPTH):
        raise BodyError(400, depth_message())
    return body, False


def depth_message() -> str:
    return f"JSON body nested deeper than {MAX_JSON_DEPTH} levels"


def refusal(vendor: str, path: str, status: int, message: str) -> Response:
    """The front door's answer in the vendor's own error shape."""
    if vendor == "casexchange":
        return casexchange.request_error(status, message, path)
    if vendor == "smokeball":
        return smokeball.request_error(status, message, path)
    if vendor == "trackops":
        return trackops.errors(status, message)
    return Response(status, {"error": message})
