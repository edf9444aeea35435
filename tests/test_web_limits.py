"""Request bodies over the limit are refused with 413 and one problem sentence, whether
they declare their length or come in chunks without one; a body under the limit, chunked
or not, reaches the app whole."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brinkmanship.web import create_app
from brinkmanship.web.limits import MAX_BODY_BYTES
from brinkmanship.web.local import LocalServer

NEW_GAME = json.dumps({"scenario": "standoff", "side": "west"}).encode()
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path_factory.mktemp("web") / "g.sqlite3")) as c:
        yield c


def chunks(body: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    padded = NEW_GAME[:-1] + b", " + b" " * MAX_BODY_BYTES + b"}"
    r = client.post("/api/games", content=chunks(padded), headers=JSON)
    assert r.status_code == 413, r.text
    assert "limit" in r.json()["detail"]


def test_a_declared_body_over_the_limit_is_413_and_a_bad_length_400(client: TestClient) -> None:
    r = client.post("/api/games", content=b" " * (MAX_BODY_BYTES + 1))
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    r = client.post("/api/games", content=NEW_GAME, headers={"Content-Length": "many"})
    assert r.status_code == 400 and "Content-Length" in r.json()["detail"]


def test_a_body_under_the_limit_arrives_whole_chunked_or_not(client: TestClient) -> None:
    assert client.post("/api/games", content=chunks(NEW_GAME, 7), headers=JSON).status_code == 201
    assert client.post("/api/games", content=NEW_GAME, headers=JSON).status_code == 201


def raw_request(port: int, head: bytes, body_chunks: Iterator[bytes]) -> bytes:
    """Send a request by hand, its body in chunks (chunked transfer coding, no length), and
    read the answer."""
    coded = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in body_chunks) + b"0\r\n\r\n"
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head + coded)
        try:
            while data := s.recv(65536):
                answer += data
        except ConnectionResetError:
            pass  # closed with part of the body unread: the answer came before
    return answer


def test_a_real_server_answers_a_chunked_body_over_the_limit_with_413(tmp_path: Path) -> None:
    head = (
        b"POST /api/games HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with LocalServer(tmp_path / "g.sqlite3") as server:
        big = raw_request(server.port, head, chunks(b" " * (MAX_BODY_BYTES + 4096), 4096))
        small = raw_request(server.port, head, chunks(NEW_GAME, 5))
    status, _, rest = big.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), big[:300]
    assert b'"detail": "the request body is larger than the limit' in rest
    assert small.startswith(b"HTTP/1.1 201"), small[:300]
