"""`cybercover serve` end to end over real HTTP on loopback: every endpoint, every error status,
the limits and timeouts, keep-alive, pipelining, request ids, the access log, the metrics, and
every response body checked against docs/openapi.yaml.

Run: CYBERCOVER_CLI=build/tools/cybercover /usr/bin/python3 -m pytest -q tests/http/test_http_api.py
"""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from harness import (EXAMPLES, Response, Server, example_request, http_request_bytes, parse_responses,
                     read_until_close)
from openapi_check import OpenApi

API = OpenApi()
# Every response the tests saw: (path, method, response), validated by the last test.
RECORDED = []
GENERATED_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{12}$")
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
POST_PATHS = ["/v1/quote", "/v1/assess", "/v1/quotes", "/v1/remediation", "/v1/report"]
GET_PATHS = ["/v1/tables", "/healthz", "/readyz", "/metrics"]


def call(srv: Server, method: str, path: str, body=None, headers=None, conn=None) -> Response:
    r = srv.request(method, path, body=body, headers=headers, conn=conn)
    RECORDED.append((path, method, r))
    return r


def record_raw(path: str, method: str, data: bytes) -> list:
    responses = parse_responses(data)
    for r in responses:
        if r.status != 100:
            RECORDED.append((path, method, r))
    return responses


def run_cli(cli, *args, check=True):
    p = subprocess.run([cli, *map(str, args)], capture_output=True, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr.decode()
    return p


def error_of(r: Response) -> dict:
    doc = r.json()
    assert set(doc) == {"error", "request_id"}, doc
    assert doc["request_id"] == r.headers["x-request-id"]
    return doc["error"]


def bad_employees(n=-3) -> bytes:
    req = json.loads(example_request())
    req["company"]["employees"] = n
    return json.dumps(req).encode()


# ---- the endpoints -----------------------------------------------------------------------
def test_health_ready_and_tables(srv, cli):
    r = call(srv, "GET", "/healthz")
    assert (r.status, r.json()) == (200, {"status": "ok"})
    r = call(srv, "GET", "/readyz")
    assert r.status == 200 and r.json() == {"status": "ready", "generation": 1}
    r = call(srv, "GET", "/v1/tables")
    assert r.status == 200
    doc = r.json()
    check = run_cli(cli, "tables", "check", srv.events[0]["tables_dir"]).stdout.decode()
    # "ok  edition 2026-12  2026-12-01 to open  sha256 <hex>  (98 items, 24 domains)"
    expected = re.findall(r"edition (\S+)\s+(\S+) to (\S+)\s+sha256 ([0-9a-f]{64})\s+\((\d+) items", check)
    assert [(e["edition"], e["effective_from"], e["effective_to"] or "open", e["sha256"], str(e["items"]))
            for e in doc["editions"]] == [tuple(x) for x in expected]
    assert doc["generation"] == 1 and doc["engine_version"] == "0.1.0"
    r = call(srv, "HEAD", "/healthz")
    assert r.status == 200 and r.body == b"" and r.headers["content-length"] == "15"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_quote_and_assess_are_the_cli_json(srv, cli, name):
    path = EXAMPLES / f"{name}.json"
    r = call(srv, "POST", "/v1/quote", path.read_bytes())
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == json.loads(run_cli(cli, "quote", path, "--json").stdout)
    # The CLI indents the same text the server sends compact (byte identity at scale:
    # tests/determinism).
    assert b"\n" not in r.body
    r = call(srv, "POST", "/v1/assess", path.read_bytes())
    assert r.status == 200 and r.json() == json.loads(run_cli(cli, "assess", path, "--json").stdout)


def test_remediation_is_the_cli_plan(srv, cli):
    path = EXAMPLES / "manufacturer_30_staff.json"
    r = call(srv, "POST", "/v1/remediation", path.read_bytes())
    assert r.status == 200
    assert r.json() == json.loads(run_cli(cli, "report", path, "--json", "-o", "-").stdout)
    r = call(srv, "POST", "/v1/remediation", bad_employees())
    assert r.status == 400 and error_of(r)["code"] == "input.below_minimum"


def test_report_is_the_cli_report(srv, cli, tmp_path):
    path = EXAMPLES / "ryokan_80_staff.json"
    name = "株式会社テスト & <旅館>"
    for lang in ("ja", "en"):
        out = tmp_path / f"report-{lang}.html"
        run_cli(cli, "report", path, "-o", out, "--lang", lang, "--company", name)
        query = urllib.parse.urlencode({"lang": lang, "company": name})
        r = call(srv, "POST", f"/v1/report?{query}", path.read_bytes())
        assert r.status == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.body == out.read_bytes()  # byte for byte the CLI's page
        assert "株式会社テスト &amp; &lt;旅館&gt;".encode() in r.body
    r = call(srv, "POST", "/v1/report", path.read_bytes())  # lang defaults to ja, as the CLI
    assert r.status == 200 and b'<html lang="ja">' in r.body
    cases = [("lang=fr", "input.unknown_value", "lang"), ("color=red", "input.unknown_field", "color"),
             ("lang=en&lang=ja", "input.duplicate_field", "lang"), ("company=%zz", "input.wrong_type", "company"),
             ("max_measures=x", "input.wrong_type", "max_measures"),
             ("max_measures=999", "input.above_maximum", "max_measures")]
    for query, code, field in cases:
        r = call(srv, "POST", f"/v1/report?{query}", path.read_bytes())
        e = error_of(r)
        assert (r.status, e["code"], e["field"]) == (400, code, field), (query, e)


def test_batch_items_are_the_single_responses(srv):
    good = [(EXAMPLES / f"{n}.json").read_bytes() for n in EXAMPLE_NAMES]
    bad = [bad_employees(), b"tru", b'{"quote_date": "2026-12-15"}', b'  {"quote_date": "2026-13-01"}  ']
    items = [good[0], bad[0], good[1], bad[1], good[2], bad[2], good[3], bad[3], good[4]]
    body = b'{"requests": [' + b",\n".join(items) + b"]}"
    r = call(srv, "POST", "/v1/quotes", body)
    assert r.status == 200
    doc = r.json()
    assert doc["count"] == len(items) and doc["error_count"] == len(bad)
    assert [x["index"] for x in doc["results"]] == list(range(len(items)))
    for i, item in enumerate(items):
        single = call(srv, "POST", "/v1/quote", item)
        result = doc["results"][i]
        if single.status == 200:
            assert result["ok"] is True
            assert single.body in r.body  # the item is the single response, byte for byte
            assert result["quote"] == single.json()
        else:
            assert result["ok"] is False
            assert result["error"] == error_of(single), i
    r = call(srv, "POST", "/v1/quotes", b'{"requests": []}')
    assert r.status == 200 and r.json() == {"count": 0, "error_count": 0, "results": []}


def test_batch_bound_and_envelope_errors(srv):
    item = b'{"quote_date": "2026-12-15"}'  # fails fast (input.missing): the bound is what is tested
    r = call(srv, "POST", "/v1/quotes", b'{"requests": [' + b",".join([item] * 1000) + b"]}")
    assert r.status == 200 and r.json()["count"] == 1000 and r.json()["error_count"] == 1000
    r = call(srv, "POST", "/v1/quotes", b'{"requests": [' + b",".join([item] * 1001) + b"]}")
    e = error_of(r)
    assert (r.status, e["code"], e["field"]) == (400, "input.batch_too_large", "requests")
    assert "at most 1000 requests" in e["message"]
    cases = [
        (b"[]", "input.wrong_type", "body"),
        (b"{}", "input.missing", "requests"),
        (b'{"requests": {}}', "input.wrong_type", "requests"),
        (b'{"requests": [], "limit": 3}', "input.unknown_field", "limit"),
        (b'{"requests": [], "requests": []}', "input.duplicate_field", "requests"),
        (b'{"requests": [', "input.malformed_json", "body"),
        (b'{"requests": [1,]}', "input.malformed_json", "body"),
        (b'{"requests": [{]}', "input.malformed_json", "body"),
        (b'{"requests": []} x', "input.malformed_json", "body"),
        (b'{"requests": ["\x01"]}', "input.malformed_json", "body"),
        (b'{"requests": [' + b"[" * 300 + b"]" * 300 + b"]}", "input.too_deep", "requests"),
        (b"", "input.malformed_json", "body"),
    ]
    for body, code, field in cases:
        r = call(srv, "POST", "/v1/quotes", body)
        e = error_of(r)
        assert (r.status, e["code"], e["field"]) == (400, code, field), (body[:40], e)
    r = call(srv, "POST", "/v1/quotes", b'{"requests": [{"a": [1, {"b": "]"}]}, "x\\"]"]}')
    assert r.status == 200 and r.json()["error_count"] == 2  # brackets in strings are not structure


def test_contract_errors_are_the_cli_errors(srv, cli, tmp_path):
    bodies = {
        "malformed": b'{"quote_date": ',
        "not_object": b"[1, 2]",
        "wrong_type": b'{"quote_date": 20261215}',
        "below_minimum": bad_employees(-3),
        "huge_number": bad_employees(10 ** 400),
        "unknown_field": b'{"quote_date": "2026-12-15", "surprise": 1}',
        "no_edition": json.dumps({**json.loads(example_request()), "quote_date": "2001-01-01"}).encode(),
        "bad_utf8": b'{"quote_date": "\xff\xfe"}',
    }
    for name, body in bodies.items():
        r = call(srv, "POST", "/v1/quote", body)
        e = error_of(r)
        f = tmp_path / f"{name}.json"
        f.write_bytes(body)
        p = run_cli(cli, "quote", f, check=False)
        assert p.returncode == 2
        assert r.status == 400, name
        assert p.stderr.decode().strip() == "cybercover: " + e["message"], name
        assert e["message"].startswith(f"[cybercover.{e['code']}]")
    r = call(srv, "POST", "/v1/quote?debug=1", example_request())
    assert r.status == 400 and error_of(r)["code"] == "input.unknown_field"


# ---- HTTP errors -------------------------------------------------------------------------
def test_not_found_and_method_not_allowed(srv):
    r = call(srv, "GET", "/v2/quote")
    assert r.status == 404 and error_of(r)["code"] == "http.not_found"
    r = call(srv, "POST", "/nope", b"{}")
    assert r.status == 404
    for path in POST_PATHS:
        r = call(srv, "GET", path)
        assert r.status == 405 and r.headers["allow"] == "POST" and error_of(r)["code"] == "http.method_not_allowed"
    for path in GET_PATHS:
        r = call(srv, "POST", path, b"{}")
        assert r.status == 405 and r.headers["allow"] == "GET, HEAD"
        # No endpoint takes a query parameter it does not define.
        r = call(srv, "GET", path + "?verbose=1")
        assert r.status == 400 and error_of(r)["code"] == "input.unknown_field", path
    r = call(srv, "DELETE", "/v1/quote")
    assert r.status == 405
    # The connection stays usable after each of them.
    assert call(srv, "GET", "/healthz").status == 200


def test_unsupported_media_type(srv):
    body = example_request()
    for path in POST_PATHS:
        r = call(srv, "POST", path, body, headers={"Content-Type": "text/plain"})
        assert r.status == 415 and error_of(r)["code"] == "http.unsupported_media_type", path
        r = call(srv, "POST", path, b"{")
        assert r.status == 400 and error_of(r)["code"] == "input.malformed_json", path
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "application/xml"},
                    {"Content-Type": "application/json", "Content-Encoding": "gzip"}):
        r = call(srv, "POST", "/v1/quote", body, headers=headers)
        assert r.status == 415 and error_of(r)["code"] == "http.unsupported_media_type", headers
    data = srv.raw(http_request_bytes("POST", "/v1/quote", body, content_type=None,
                                      headers=[("Connection", "close")]))
    (r,) = record_raw("/v1/quote", "POST", data)
    assert r.status == 415
    for ctype in ("application/json; charset=utf-8", "Application/JSON", "application/vnd.cybercover+json"):
        assert call(srv, "POST", "/v1/quote", body, headers={"Content-Type": ctype}).status == 200, ctype


def test_body_limits_413(srv):
    ten_mb = b" " * (10 * 1024 * 1024)
    for path in POST_PATHS:
        # The whole 10 MB is sent (as a client does) and the 413 read afterwards: the server
        # refuses it from the Content-Length and drains the rest before closing.
        data = srv.raw(http_request_bytes("POST", path, ten_mb), timeout=30)
        (r,) = record_raw(path, "POST", data)
        e = error_of(r)
        assert (r.status, e["code"], e["field"]) == (413, "input.too_large", "body"), path
        assert r.headers["connection"] == "close"
    # 2 MiB is over one request's limit (1 MiB) but within a batch's (8 MiB).
    two_mb = b'{"requests": []}' + b" " * (2 * 1024 * 1024)
    assert call(srv, "POST", "/v1/quote", two_mb).status == 413
    assert call(srv, "POST", "/v1/quotes", two_mb).status == 200
    # Chunked: the limit counts the bytes as they come.
    chunk = b" " * 65536
    chunked = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(20)) + b"0\r\n\r\n"
    head = (b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    (r,) = record_raw("/v1/quote", "POST", srv.raw(head + chunked))
    assert r.status == 413 and error_of(r)["code"] == "input.too_large"
    small = json.dumps(json.loads(example_request())).encode()
    ok = head + b"%x\r\n" % len(small) + small + b"\r\n0\r\n\r\n"
    (r,) = record_raw("/v1/quote", "POST", srv.raw(ok, shutdown_write=True))
    assert r.status == 200
    # Expect: 100-continue: a too-large body is refused before it is sent; a good one is invited.
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 99999999\r\nExpect: 100-continue\r\n\r\n")
        (r,) = record_raw("/v1/quote", "POST", read_until_close(s))
        assert r.status == 413
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(small))
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        s.sendall(small)
        (r,) = record_raw("/v1/quote", "POST", read_until_close(s))
        assert r.status == 200


def test_header_limit_431_and_bad_http_400(srv):
    data = srv.raw(b"GET /v1/quote HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n")
    (r,) = record_raw("/v1/quote", "POST", data)
    assert r.status == 431 and error_of(r)["code"] == "http.header_too_large"
    data = srv.raw(b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: "
                   + b"a" * 10000 + b"\r\n\r\n")
    (r,) = record_raw("/v1/quote", "POST", data)
    assert r.status == 431
    for garbage in (b"HELLO\r\n\r\n", b"GET /healthz HTTP/9.9\r\n\r\n", b"GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",
                    b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                    b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                    b"POST /v1/quote HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        (r,) = record_raw("/garbage", "GET", srv.raw(garbage))
        assert r.status == 400 and error_of(r)["code"] == "http.bad_request", garbage


# ---- connections -------------------------------------------------------------------------
def test_keep_alive_reuses_one_connection(srv):
    conn = srv.connection()
    ids = [f"keep-{i}" for i in range(40)]
    for i, rid in enumerate(ids):
        body = example_request() if i % 2 else bad_employees()
        r = call(srv, "POST", "/v1/quote", body, headers={"X-Request-Id": rid}, conn=conn)
        assert r.status == (200 if i % 2 else 400)
        assert r.headers["x-request-id"] == rid and r.headers.get("connection", "").lower() != "close"
    sock_port = conn.sock.getsockname()[1]
    conn.close()
    time.sleep(0.2)
    lines = {l["request_id"]: l for l in srv.access_log_lines()}
    assert {lines[rid]["remote"] for rid in ids} == {f"127.0.0.1:{sock_port}"}  # one TCP connection
    assert all(lines[rid]["keep_alive"] for rid in ids)


def test_pipelining_answers_in_order(srv):
    requests = [
        ("POST", "/v1/quote", example_request(), 200),
        ("GET", "/healthz", b"", 200),
        ("POST", "/v1/quote", bad_employees(), 400),
        ("GET", "/nope", b"", 404),
        ("POST", "/v1/quotes", b'{"requests": [' + example_request() + b"]}", 200),
        ("GET", "/v1/tables", b"", 200),
    ]
    wire = b""
    for i, (method, path, body, _) in enumerate(requests):
        headers = [("X-Request-Id", f"pipe-{i}")]
        if i == len(requests) - 1:
            headers.append(("Connection", "close"))
        wire += http_request_bytes(method, path, body, headers=headers)
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(wire)  # all at once, before reading anything
        responses = parse_responses(read_until_close(s))
    assert [r.status for r in responses] == [x[3] for x in requests]
    assert [r.headers["x-request-id"] for r in responses] == [f"pipe-{i}" for i in range(len(requests))]
    for (method, path, _, _), r in zip(requests, responses):
        RECORDED.append((path, method, r))


def test_request_id_echo(srv):
    r = call(srv, "POST", "/v1/quote", bad_employees(), headers={"X-Request-Id": "order-42:attempt/1"})
    assert r.headers["x-request-id"] == "order-42:attempt/1" and r.json()["request_id"] == "order-42:attempt/1"
    for bad in ("has space", "x" * 129, "quote\"inject", "ü"):
        r = call(srv, "GET", "/healthz", headers={"X-Request-Id": bad.encode("utf-8").decode("latin-1")})
        assert GENERATED_ID.match(r.headers["x-request-id"]), bad  # replaced, never echoed
    r = call(srv, "GET", "/healthz")
    assert GENERATED_ID.match(r.headers["x-request-id"])
    time.sleep(0.1)
    ids = {l["request_id"] for l in srv.access_log_lines()}
    assert "order-42:attempt/1" in ids and r.headers["x-request-id"] in ids


def test_slowloris_is_timed_out_and_others_are_served(srv):
    """--read-timeout 1: a request must arrive whole within 1 s, however slowly it trickles."""
    def trickle(prefix: bytes, result: list):
        with socket.create_connection((srv.host, srv.port), timeout=10) as s:
            s.sendall(prefix)
            start = time.monotonic()
            answered = None
            try:
                for _ in range(40):  # one byte every 0.1 s: never completes
                    s.sendall(b"X")
                    if select.select([s], [], [], 0.1)[0]:
                        answered = time.monotonic() - start
                        break
            except OSError:
                pass
            data = read_until_close(s)
            result.append((answered, data))

    header_trickle = b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nX-Slow: "
    body_trickle = b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"
    results = []
    threads = [threading.Thread(target=trickle, args=(header_trickle if i % 2 else body_trickle, results))
               for i in range(20)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    # While 20 slow clients hold connections, others are served at once.
    for _ in range(10):
        start = time.monotonic()
        assert call(srv, "POST", "/v1/quote", example_request()).status == 200
        assert time.monotonic() - start < 1.5  # not held behind the 4 s of trickling (margin for a loaded CI host)
    for t in threads:
        t.join(20)
    assert len(results) == 20
    for elapsed, data in results:
        assert elapsed is not None and 0.8 < elapsed < 2.5  # answered at ~1 s, not after 4 s of trickling
        (r,) = record_raw("/v1/quote", "POST", data)
        assert r.status == 408 and error_of(r)["code"] == "http.request_timeout"
    # An idle keep-alive connection is closed after --idle-timeout (2 s), without a response.
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        start = time.monotonic()
        assert read_until_close(s) == b""
        assert 1.5 < time.monotonic() - start < 5


def test_half_closed_connections(srv):
    # A whole request then FIN: the response still arrives.
    data = srv.raw(http_request_bytes("POST", "/v1/quote", example_request()), shutdown_write=True)
    (r,) = record_raw("/v1/quote", "POST", data)
    assert r.status == 200 and r.json()["tier"]
    # Half a request then FIN: 400, not a hang.
    body = example_request()
    data = srv.raw(http_request_bytes("POST", "/v1/quote", body)[:-len(body) // 2], shutdown_write=True)
    (r,) = record_raw("/v1/quote", "POST", data)
    assert r.status == 400 and error_of(r)["code"] == "http.bad_request"
    # Two pipelined requests then FIN: both answered.
    wire = http_request_bytes("GET", "/healthz") * 2
    responses = record_raw("/healthz", "GET", srv.raw(wire, shutdown_write=True))
    assert [r.status for r in responses] == [200, 200]


def test_write_timeout_closes_a_client_that_does_not_read(tmp_path, cli):
    with Server("--write-timeout", "1", workdir=tmp_path, cli=cli) as s:
        batch = b'{"requests": [' + b",".join([example_request()] * 1000) + b"]}"  # a 30 MB answer
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((s.host, s.port))
        sock.sendall(http_request_bytes("POST", "/v1/quotes", batch, headers=[("X-Request-Id", "never-reads")]))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # never reading a byte
            if s.metrics()[("cybercover_http_timeouts_total", (("phase", "write"),))] == 1:
                break
            time.sleep(0.2)
        assert s.metrics()[("cybercover_http_timeouts_total", (("phase", "write"),))] == 1
        line = next(l for l in s.access_log_lines() if l["request_id"] == "never-reads")
        assert line["sent"] is False and line["status"] == 200
        assert s.get("/healthz").status == 200
        sock.close()


def test_connection_bound_503(tmp_path, cli):
    with Server("--max-connections", "4", workdir=tmp_path, cli=cli) as s:
        held = [socket.create_connection((s.host, s.port), timeout=10) for _ in range(4)]
        time.sleep(0.3)
        targets = [(p, "POST") for p in POST_PATHS] + [(p, "GET") for p in GET_PATHS + ["/nope"]]
        for path, method in targets:
            data = s.raw(http_request_bytes(method, path, example_request() if method == "POST" else b""))
            (r,) = record_raw(path, method, data)
            assert r.status == 503 and error_of(r)["code"] == "http.too_many_connections"
            assert r.headers["retry-after"] == "1" and r.headers["connection"] == "close"
        held.pop().close()
        time.sleep(0.3)
        assert s.get("/healthz").status == 200
        m = s.metrics()
        assert m[("cybercover_http_connections_rejected_total", ())] == len(targets)
        for h in held:
            h.close()


def test_queue_bound_503(tmp_path, cli):
    with Server("--workers", "1", "--max-queue", "1", workdir=tmp_path, cli=cli) as s:
        batch = b'{"requests": [' + b",".join([example_request()] * 300) + b"]}"
        results = []

        def post():
            results.append(s.request("POST", "/v1/quotes", body=batch, conn=s.connection()))

        threads = [threading.Thread(target=post) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r.status for r in results)
        assert len(results) == 8 and 200 in statuses and 503 in statuses, statuses
        for r in results:
            RECORDED.append(("/v1/quotes", "POST", r))
            if r.status == 503:
                assert error_of(r)["code"] == "http.overloaded" and r.headers["retry-after"] == "1"
        assert s.metrics()[("cybercover_errors_total", (("code", "http.overloaded"),))] == statuses.count(503)


# ---- operations --------------------------------------------------------------------------
def test_metrics_count_what_was_sent(tmp_path, cli):
    with Server(workdir=tmp_path, cli=cli) as s:
        conn = s.connection()
        for _ in range(7):
            assert s.request("POST", "/v1/quote", body=example_request(), conn=conn).status == 200
        for _ in range(3):
            assert s.request("POST", "/v1/quote", body=bad_employees(), conn=conn).status == 400
        for _ in range(2):
            assert s.request("GET", "/nope", conn=conn).status == 404
        batch = b'{"requests": [' + b",".join([example_request(), bad_employees()] * 2 + [example_request()]) + b"]}"
        assert s.request("POST", "/v1/quotes", body=batch, conn=conn).status == 200
        tables = s.request("GET", "/v1/tables", conn=conn).json()
        m = s.metrics()
        req = lambda endpoint, status: m.get(("cybercover_http_requests_total",
                                              (("endpoint", endpoint), ("status", status))), 0)
        assert req("/v1/quote", "200") == 7 and req("/v1/quote", "400") == 3
        assert req("other", "404") == 2 and req("/v1/quotes", "200") == 1 and req("/v1/tables", "200") == 1
        assert m[("cybercover_errors_total", (("code", "input.below_minimum"),))] == 3 + 2
        assert m[("cybercover_errors_total", (("code", "http.not_found"),))] == 2
        assert m[("cybercover_quotes_total", (("result", "ok"),))] == 7 + 3
        assert m[("cybercover_quotes_total", (("result", "error"),))] == 3 + 2
        # The latency histogram: cumulative buckets, +Inf == count == responses.
        buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in m.items()
                         if name == "cybercover_http_request_duration_seconds_bucket"
                         and dict(labels)["endpoint"] == "/v1/quote")
        counts = [v for _, v in buckets]
        assert counts == sorted(counts) and buckets[-1] == (float("inf"), 10)
        assert m[("cybercover_http_request_duration_seconds_count", (("endpoint", "/v1/quote"),))] == 10
        assert 0 < m[("cybercover_http_request_duration_seconds_sum", (("endpoint", "/v1/quote"),))] < 10
        e = tables["editions"][0]
        assert m[("cybercover_tables_edition_info", (("edition", e["edition"]), ("effective_from", e["effective_from"]),
                                                     ("effective_to", e["effective_to"] or ""), ("sha256", e["sha256"])))] == 1
        assert m[("cybercover_tables_generation", ())] == 1
        assert m[("cybercover_tables_reloads_total", (("result", "failure"),))] == 0
        assert m[("cybercover_tables_last_reload_success", ())] == 1
        assert m[("cybercover_http_connections_open", ())] == 2  # conn, and the one metrics() used
        RECORDED.append(("/metrics", "GET", s.request("GET", "/metrics", conn=conn)))


def test_access_log_lines_are_json(srv):
    time.sleep(0.2)
    lines = srv.access_log_lines()  # json.loads of every line, or the test fails here
    assert len(lines) > 100
    keys = {"time", "request_id", "remote", "method", "target", "endpoint", "status", "error_code", "bytes_in",
            "bytes_out", "read_us", "duration_us", "tables_generation", "keep_alive", "sent"}
    for line in lines:
        assert keys <= set(line), line
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["time"])
        assert (line["status"] >= 400) == (line["error_code"] is not None) or line["endpoint"] == "/readyz"
    statuses = {l["status"] for l in lines}
    assert {200, 400, 404, 405, 408, 413, 415, 431} <= statuses
    # Client text is escaped: a target with a quote and a control byte stays one JSON line.
    srv.raw(b'GET /x"y\x7f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    time.sleep(0.1)
    assert srv.access_log_lines()[-1]["endpoint"] == "other"


def test_readyz_503_while_draining(tmp_path, cli):
    with Server("--read-timeout", "5", workdir=tmp_path, cli=cli) as s:
        # Two requests in flight when SIGTERM comes (their last bytes not yet sent) are answered,
        # with Connection: close; /readyz says the server is draining.
        quote = socket.create_connection((s.host, s.port), timeout=10)
        wire = http_request_bytes("POST", "/v1/quote", example_request())
        quote.sendall(wire[:-100])
        ready = socket.create_connection((s.host, s.port), timeout=10)
        ready.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        s.send_signal(15)
        time.sleep(0.3)
        ready.sendall(b"\r\n")
        (r,) = parse_responses(read_until_close(ready))
        RECORDED.append(("/readyz", "GET", r))
        assert r.status == 503 and r.json() == {"status": "draining"} and r.headers["connection"] == "close"
        quote.sendall(wire[-100:])
        (r,) = parse_responses(read_until_close(quote))
        assert r.status == 200 and r.headers["connection"] == "close" and r.json()["tier"]
        assert s.proc.wait(10) == 0


def test_configuration_by_flags_and_environment(tmp_path, cli, srv):
    def serve(*args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("CYBERCOVER_")}
        e.update(env or {})
        return subprocess.run([cli, "serve", *args], capture_output=True, text=True, timeout=30, env=e)

    assert "--max-connections" in serve("--help").stdout
    bad = [(["--threads", "0"], "--threads must be between 1 and 256"),
           (["--threads", "2x"], "--threads must be a whole number"),
           (["--body-limit", "1e9"], "--body-limit must be a whole number"),
           (["--read-timeout", "0"], "--read-timeout must be between 0.001 and 86400 seconds"),
           (["--read-timeout", "1.2345"], "at most 3 decimals"),
           (["--max-batch", "1001"], "--max-batch must be between 1 and 1000"),
           (["--address", "8080"], "--address must be HOST:PORT"),
           (["--address", "127.0.0.1:99999"], "must be between 0 and 65535"),
           (["--batch-body-limit", "2048", "--body-limit", "4096"], "must be at least --body-limit"),
           (["--surprise"], "unknown option --surprise"),
           (["--threads"], "--threads needs a value")]
    for args, message in bad:
        p = serve(*args)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
    p = serve(env={"CYBERCOVER_WORKERS": "lots"})
    assert p.returncode == 2 and "$CYBERCOVER_WORKERS must be a whole number" in p.stderr
    p = serve("--address", "not-an-ip:80")
    assert p.returncode == 2 and "not an IP address" in p.stderr
    p = serve("--address", srv.address)  # the port is taken
    assert p.returncode == 2 and "cannot listen on" in p.stderr
    broken = tmp_path / "broken" / "2026-12"
    broken.mkdir(parents=True)
    p = serve("--tables", str(broken.parent))
    assert p.returncode == 2 and "[cybercover.table." in p.stderr
    # The environment sets what a flag does not; a flag wins over its variable.
    with Server(workdir=tmp_path, cli=cli, env={"CYBERCOVER_MAX_BATCH": "2", "CYBERCOVER_BODY_LIMIT": "5000"}) as s:
        r = s.post("/v1/quotes", b'{"requests": [{}, {}, {}]}')
        assert r.status == 400 and "at most 2 requests" in error_of(r)["message"]
        assert s.post("/v1/quote", b" " * 6000).status == 413
    with Server("--max-batch", "3", workdir=tmp_path, cli=cli, env={"CYBERCOVER_MAX_BATCH": "2"}) as s:
        assert s.post("/v1/quotes", b'{"requests": [{}, {}, {}]}').status == 200


def test_every_http_error_code_is_documented():
    source = (Path(__file__).resolve().parents[2] / "tools" / "service" / "errors.cpp").read_text(encoding="utf-8")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "http_api.md").read_text(encoding="utf-8")
    defined = set(re.findall(r'"(http\.[a-z_]+)"', source))
    documented = set(re.findall(r"`(http\.[a-z_]+)`", doc))
    assert len(defined) == 9 and defined == documented, (defined, documented)
    seen = {r.error_code for _, _, r in RECORDED if r.error_code and r.error_code.startswith("http.")}
    assert seen == defined - {"http.internal"}, seen  # every one but 500 answered in these tests


def test_openapi_documents_every_response():
    """Every response above, checked against docs/openapi.yaml; every documented status seen."""
    assert RECORDED, "run the whole module"
    seen = set()
    for path, method, r in RECORDED:
        seen.add(API.validate(path, method, r.status, r.headers, r.body))
    missing = API.documented() - seen
    assert not missing, f"documented but never exercised: {sorted(missing)}"
