"""The lean send path (netsync/connections.py) answers as `httpx.Client.send` does: the same
status, headers, body and errors, cookies kept, keep-alive connections reused, and it is only
taken where `send` would add nothing (no proxy, no credentials in the URL)."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from netsync.connections import Connections, env_proxies, lean
from netsync.http import VendorClient


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: set[int] = set()

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Transfer-Encoding" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name: a length, and no body
        _Handler.connections.add(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Length", "10")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Handler.connections.add(self.client_address[1])
        path = self.path
        if path == "/cookie":
            self._answer(200, b"{}", ("Set-Cookie", "sid=abc; Path=/"))
        elif path == "/echo":
            names = ("Cookie", "User-Agent", "Accept-Encoding", "Authorization")
            seen = {k: self.headers.get(k) for k in names}
            self._answer(200, json.dumps(seen).encode())
        elif path == "/gzip":
            self._answer(200, gzip.compress(b'{"zipped": true}'), ("Content-Encoding", "gzip"))
        elif path == "/chunked":
            self._answer(200, b"2\r\n{}\r\n0\r\n\r\n", ("Transfer-Encoding", "chunked"))
        elif path == "/redirect":
            self._answer(302, b"", ("Location", "/elsewhere"))
        elif path == "/bad-redirect":
            self._answer(302, b"", ("Location", "http://[::1"))
        elif path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"cut')
            self.close_connection = True
        elif path == "/latin1":
            self._answer(200, b"{}", ("X-Firm", "Soci\u00e9t\u00e9"))  # sent as Latin-1 bytes
        elif path in RAW:  # answers no well-behaved server sends, byte for byte
            self.wfile.write(RAW[path])
            self.close_connection = True
        elif path == "/drop":  # keep-alive by its headers, closed by the server all the same
            self._answer(200, b"{}")
            self.close_connection = True
        elif path == "/close":
            self._answer(200, b"{}", ("Connection", "close"))
            self.close_connection = True
        else:
            self._answer(200, json.dumps({"path": path}).encode())


RAW = {
    "/early-hints": b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "/cut-head": b"HTTP/1.1 200 OK\r\nContent-Le",
    "/gzip-framing": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n{}",
    "/two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "/bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n{}",
    "/continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "/folded": b"HTTP/1.1 200 OK\r\nX-Long: a\r\n \t b\r\nContent-Length: 2\r\n\r\n{}",
    "/fold-first": b"HTTP/1.1 200 OK\r\n X-A: 1\r\nContent-Length: 2\r\n\r\n{}",
    "/blanks": b"HTTP/1.1 200 OK\r\nX-Pad: \t v  w \t\r\nX-Empty:\r\nContent-Length: 2\r\n\r\n{}",
    "/bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\nX-A: 1\n\n{}",
    "/ws-name": b"HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 2\r\n\r\n{}",
    "/chunked-and-length": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 9\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "/repeated-length": b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n{}",
    "/length-twice": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "/chunked-capital": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
    b"2\r\n{}\r\n0\r\n\r\n",
    "/huge-length": b"HTTP/1.1 200 OK\r\nContent-Length: 123456789012345678901\r\n\r\n{}",
    "/chunked-twice": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    # past http.client's bounds, which the lean path keeps (h11 allows up to 100 KiB of head)
    "/many-headers": b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 101 + b"Content-Length: 2\r\n\r\n{}",
    "/long-line": b"HTTP/1.1 200 OK\r\nX-A: " + b"a" * 70_000 + b"\r\nContent-Length: 2\r\n\r\n{}",
}
BOUNDED = {"/many-headers": "got more than 100 headers", "/long-line": "header line"}


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.connections = set()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _exchange(send, client: httpx.Client, url: str) -> tuple:  # type: ignore[no-untyped-def]
    """(status, headers, body) of one GET, or (exception type, message)."""
    try:
        response = send(client.build_request("GET", url))
        try:
            body = response.read()
        finally:
            response.close()
    except httpx.HTTPError as exc:
        return type(exc), str(exc)
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "date"]
    return response.status_code, headers, body


UNQUOTED = {"/ws-name"}
PATHS = [
    "/a", "/cookie", "/echo", "/gzip", "/chunked", "/redirect", "/bad-redirect", "/short",
    "/latin1", *RAW,
]  # fmt: skip


def test_answers_and_errors_are_httpx_own(server):
    plain, mine = httpx.Client(), httpx.Client()
    connections = Connections(mine, keep=4)
    for path in [*PATHS, "/close", "/a"]:
        expected = _exchange(lambda r: plain.send(r, stream=True), plain, server + path)
        found = _exchange(connections.send, mine, server + path)
        if path in BOUNDED:  # refused, where httpx would take it
            assert found[0] is httpx.RemoteProtocolError and BOUNDED[path] in found[1], path
            continue
        if path in UNQUOTED:  # h11 quotes the line; the lean path does not (it may hold a secret)
            assert expected[1].startswith(found[1] + ": ") and "X-A" not in found[1], path
            expected, found = expected[0], found[0]
        assert found == expected, path
    connections.close()


def test_connection_refused_and_unsupported_scheme_are_httpx_errors():
    client = httpx.Client()
    connections = Connections(client, keep=4)
    for url in ("http://127.0.0.1:9/x", "ftp://127.0.0.1/x"):
        expected = _exchange(lambda r: client.send(r, stream=True), client, url)
        assert _exchange(connections.send, client, url) == expected


def test_keep_alive_connections_are_reused_and_closed_ones_are_not(server):
    client = httpx.Client()
    connections = Connections(client, keep=4)
    for _ in range(5):
        _exchange(connections.send, client, server + "/a")
    assert len(_Handler.connections) == 1
    _exchange(connections.send, client, server + "/close")
    _exchange(connections.send, client, server + "/a")
    assert len(_Handler.connections) == 2


def test_vendor_client_takes_the_lean_path_only_where_send_adds_nothing(server, monkeypatch):
    for scheme in ("http", "https", "all"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)
    assert not env_proxies()
    client = VendorClient("Vendor", server)
    assert client.request("GET", "/a").json() == {"path": "/a"}
    assert client._connections is not None
    assert client.client._transport._made is None, "httpx's transport is made only when used"
    with_credentials = server.replace("//", "//user:pw@") + "/echo"
    assert not lean(client.client.build_request("GET", with_credentials))
    seen = client.request("GET", with_credentials).json()  # httpx's own send: Basic auth
    assert seen["Authorization"] == "Basic dXNlcjpwdw=="
    assert client.client._transport._made is not None
    client.close()
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert env_proxies()
    proxied = VendorClient("Vendor", server)
    proxied.client  # noqa: B018 - built on first use
    assert proxied._connections is None
    proxied.close()


def test_a_connection_the_server_closed_while_idle_is_not_reused(server):
    """The answer said nothing of closing, but the server hung up afterwards: the next request
    goes out on a new connection instead of failing on the dead one."""
    client = httpx.Client()
    connections = Connections(client, keep=4)
    assert _exchange(connections.send, client, server + "/drop")[0] == 200
    time.sleep(0.1)  # the server's FIN arrives
    assert _exchange(connections.send, client, server + "/a")[0] == 200
    assert len(_Handler.connections) == 2
    connections.close()


def test_a_connection_idle_past_the_keep_alive_expiry_is_not_reused(server, monkeypatch):
    client = httpx.Client()
    connections = Connections(client, keep=4)
    _exchange(connections.send, client, server + "/a")
    monkeypatch.setattr("netsync.connections.KEEPALIVE_EXPIRY", 0.0)
    _exchange(connections.send, client, server + "/a")
    assert len(_Handler.connections) == 2
    connections.close()


def test_a_malformed_header_line_is_a_protocol_error(server):
    """http.client would drop every header after it (Content-Length among them) and read the
    body until the server hangs up; h11 refuses the answer, and so does the lean path."""
    RAW["/bad-line"] = b"HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 2\r\n\r\n{}"
    try:
        plain, mine = httpx.Client(), httpx.Client()
        connections = Connections(mine, keep=4)
        expected = _exchange(lambda r: plain.send(r, stream=True), plain, server + "/bad-line")
        found = _exchange(connections.send, mine, server + "/bad-line")
        assert expected[0] is found[0] is httpx.RemoteProtocolError
        connections.close()
    finally:
        del RAW["/bad-line"]


def test_a_header_h11_would_not_send_is_refused_without_its_value(server):
    client = httpx.Client()
    connections = Connections(client, keep=4)
    for name, value in [("Authorization", "Bearer s3cret\n"), ("X-Key", "s3cret\x00")]:
        request = client.build_request("GET", server + "/a", headers={name: value})
        with pytest.raises(httpx.LocalProtocolError) as caught:
            connections.send(request)
        assert "s3cret" not in str(caught.value) and name in str(caught.value)
        with pytest.raises(httpx.LocalProtocolError):
            client.send(request)  # what httpx itself does
    assert _Handler.connections == set()  # nothing was sent
    connections.close()


def test_a_head_answer_has_no_body_whatever_its_length_says(server):
    client = httpx.Client()
    connections = Connections(client, keep=4)
    for _ in range(2):  # the connection is reused: nothing of the first answer is left unread
        response = connections.send(client.build_request("HEAD", server + "/a"))
        assert (response.status_code, response.read()) == (200, b"")
        response.close()
    assert len(_Handler.connections) == 1
    connections.close()
