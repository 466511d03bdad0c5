"""HTTP/1.1 on the wire by h11's rules, for the lean send path (connections.py): the request
headers h11 would refuse to send, and an answer's head read without `email.parser`.

http.client is more lenient than h11 (which httpx's own send uses) and slower: `email.parser`
took a fifth of a worker thread's CPU on a small answer. `Answer` is http.client's response
with its header block read by `_read_head`, by h11's rules where they differ, and within
http.client's bounds. tests/unit/test_connections.py checks each rule against httpx's own send.
"""

from __future__ import annotations

import http.client
import re

import httpx

# RFC 9110 field names and values, as h11 checks them before it sends a request
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
_VALUE = rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?"
_FIELD_NAME = re.compile(_TOKEN)
_FIELD_VALUE = re.compile(_VALUE)
_CONTENT_LENGTH = re.compile(rb"[0-9]+")


def check_header(name: bytes, value: bytes) -> None:
    """h11's refusal of a header it would not send; the message never holds the value (it
    may be a credential)."""
    if not _FIELD_NAME.fullmatch(name):
        raise httpx.LocalProtocolError(f"Illegal header name {name!r}")
    if not _FIELD_VALUE.fullmatch(value):
        raise httpx.LocalProtocolError(f"Illegal header value (in {name.decode('ascii')})")


# h11's header_field: a token, a colon, the value between optional blanks
_FIELD = re.compile(b"(" + _TOKEN + b"):[ \t]*(" + _VALUE + b")[ \t]*")
MAX_LINE = 65_536  # bytes of one header line, as http.client allows
MAX_FIELDS = 100  # header lines of one answer, as http.client allows


class _Head:
    """An answer's header fields as the vendor's bytes, in order, with what http.client asks
    of the `HTTPMessage` it would have built (`get`, `get_all`, `items`). Parsed here by h11's
    rules: `email.parser` took a fifth of the CPU of a small answer, and is more lenient."""

    def __init__(self, fields: list[tuple[bytes, bytes]]) -> None:
        self.raw = fields

    def get_all(self, name: str, failobj: object = None) -> list[str] | object:
        key = name.lower().encode("ascii")
        found = [value.decode("latin-1") for field, value in self.raw if field.lower() == key]
        return found or failobj

    def get(self, name: str, failobj: object = None) -> str | object:
        found = self.get_all(name)
        return found[0] if isinstance(found, list) else failobj

    def items(self) -> list[tuple[str, str]]:
        return [(field.decode("latin-1"), value.decode("latin-1")) for field, value in self.raw]


def _read_head(fp: object) -> _Head:
    """The header block after a status line, to its empty line. A block the stream ends
    inside was cut short; a folded line joins the one before it with a space; a line that is
    not `name: value` is refused (its bytes are not quoted: they may be a credential)."""
    readline = fp.readline  # type: ignore[attr-defined]
    lines: list[bytes] = []
    while True:
        line = readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        if line in (b"\r\n", b"\n"):
            break
        if not line.endswith(b"\n"):
            raise http.client.RemoteDisconnected("the header block was cut short")
        if len(lines) >= MAX_FIELDS:
            raise http.client.HTTPException(f"got more than {MAX_FIELDS} headers")
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if line[:1] in (b" ", b"\t"):  # obsolete line folding
            if not lines:
                raise http.client.HTTPException("continuation line at start of headers")
            lines[-1] += b" " + line.lstrip(b" \t")
        else:
            lines.append(line)
    fields = []
    for line in lines:
        found = _FIELD.fullmatch(line)
        if found is None:
            raise http.client.HTTPException("illegal header line")
        fields.append((found[1], found[2]))
    return _Head(_framed(fields))


class Answer(http.client.HTTPResponse):
    """http.client's answer with its header block read by `_read_head`, held to h11's rules
    where they differ: interim 1xx answers are skipped, and a header block cut short or
    malformed, or a body framing h11 refuses, is a protocol error rather than a short or
    endless body."""

    def begin(self) -> None:
        """`HTTPResponse.begin`, with `_read_head` for `parse_headers`."""
        if self.headers is not None:
            return
        while True:  # interim answers (100 Continue, 102, 103) are skipped; 101 is final
            version, status, reason = self._read_status()  # type: ignore[attr-defined]
            if not (100 <= status < 200 and status != 101):
                break
            _read_head(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = head = _read_head(self.fp)  # type: ignore[assignment]
        self.chunked = bool(head.get("transfer-encoding"))  # `chunked` if any: _framed
        self.chunk_left = None
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        self.length = None
        length = head.get("content-length")
        if length and not self.chunked:
            self.length = int(length)  # digits: _framed
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


def _framed(fields: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The fields as h11 hands them on: one Content-Length (a list of equal values, or
    repeats, folded into it), a lower-case Transfer-Encoding; what it refuses in an answer's
    framing is refused with its words."""
    kept = []
    length: bytes | None = None
    chunked = False
    for name, value in fields:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths = {part.strip() for part in value.split(b",")}
            if len(lengths) != 1:
                raise http.client.HTTPException("conflicting Content-Length headers")
            value = lengths.pop()
            if not _CONTENT_LENGTH.fullmatch(value) or len(value) > 20:
                raise http.client.HTTPException("bad Content-Length")
            if length is not None:
                if length != value:
                    raise http.client.HTTPException("conflicting Content-Length headers")
                continue
            length = value
        elif lowered == b"transfer-encoding":
            if chunked:
                raise http.client.HTTPException("multiple Transfer-Encoding headers")
            value = value.lower()
            if value != b"chunked":
                raise http.client.HTTPException("Only Transfer-Encoding: chunked is supported")
            chunked = True
        kept.append((name, value))
    return kept
